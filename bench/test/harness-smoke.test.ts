// The runtime and fleet harnesses with tiny counts: every message arrives, on both sides.
// Functional checks only; timings are never asserted.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeWithTools } from '../../test/support/tools.js';
import { runWorker } from '../src/fork.js';
import type { CaseResult, RuntimeCase } from '../src/runtime/worker.js';
import { benchFleet } from '../src/fleet/bench-fleet.js';

const WORKER = fileURLToPath(new URL('../src/runtime/worker.ts', import.meta.url));
const base: Omit<RuntimeCase, 'kind' | 'pub' | 'sub'> = { broker: 'aedes', count: 300, warmup: 50, window: 16, payloadSize: 100, protocolVersion: 4 };

describe('runtime harness on the embedded aedes', () => {
  for (const side of ['raw', 'emulated'] as const)
    for (const kind of ['qos0', 'qos1'] as const)
      it(`${side} ${kind}: the subscriber gets every message once`, async () => {
        const r = await runWorker<CaseResult>(WORKER, { ...base, kind, pub: side, sub: side });
        if (!('throughput' in r)) throw new Error('expected a throughput result');
        expect(r.throughput).toMatchObject({ sent: 300, received: 300, duplicates: 0 });
        expect(r.cpuUsPerMsg).toBeGreaterThan(0);
      });

  it('latency: one sample per message, p50 not above p99', async () => {
    const r = await runWorker<CaseResult>(WORKER, { ...base, kind: 'latency', pub: 'emulated', sub: 'emulated', count: 100 });
    if (!('latency' in r)) throw new Error('expected a latency result');
    expect(r.latency.samples).toBe(100);
    expect(r.latency.p50Us).toBeLessThanOrEqual(r.latency.p99Us);
  });
});

describeWithTools(['mosquitto'], 'fleet harness on mosquitto', () => {
  it('runs mvdevice fleet; its separate subscriber counts every scheduled message of every device', async () => {
    const r = (await benchFleet({ sizes: [5], durationS: 2, log: () => undefined })) as Record<string, any>;
    expect(r['5']).toMatchObject({ devices: 5, connected: 5, expected: 10, published: 10, observed: 10, lost: 0, duplicates: 0 });
    expect(r['5'].rss_mb_per_device).toBeGreaterThan(0);
    expect(r['5'].connect_cpu_s_per_1000).toBeGreaterThan(0);
  });
});
