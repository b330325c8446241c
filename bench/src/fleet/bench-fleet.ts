/**
 * Fleet: N emulated devices in one process (fleet-worker.ts), each with its own network
 * request, notification centre and MQTT channel, on one mosquitto. Every device subscribes to
 * its own topic and publishes to it (QoS 1) once a second. This process runs the broker and a
 * separate raw mqtt.js subscriber on `<prefix>/+` that counts every (device, sequence) pair,
 * so "lost" does not rely on the devices' own bookkeeping; the worker's RSS and CPU are not
 * inflated by the counter.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { startMosquitto } from '../../../test/support/brokers.js';
import { hasTool } from '../../../test/support/tools.js';
import { runWorker } from '../fork.js';
import { round, sleep } from '../stats.js';
import type { FleetCase, FleetReport } from './fleet-worker.js';

const WORKER = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));

export interface FleetOptions {
  sizes: number[];
  durationS: number;
  log: (line: string) => void;
}

export async function benchFleet(opts: FleetOptions) {
  if (!hasTool('mosquitto')) {
    opts.log('  fleet: skipped, mosquitto is not installed (sudo apt-get install -y mosquitto)');
    return { skipped: 'mosquitto is not installed' };
  }
  const out: Record<string, unknown> = { duration_s: opts.durationS, qos: 1, payload_bytes: 100 };
  for (const n of opts.sizes) out[String(n)] = await fleetRun(n, opts);
  return out;
}

async function fleetRun(n: number, opts: FleetOptions) {
  // Unlimited connections and queues: the broker must not be what limits the fleet.
  const broker = await startMosquitto({ extraConfig: ['max_connections -1', 'max_queued_messages 0', 'max_inflight_messages 0'] });
  const prefix = `bench/fleet/${randomBytes(4).toString('hex')}`;
  const counter = mqtt.connect(broker.url, { clientId: `fleet-counter-${prefix.slice(-8)}`, clean: true, reconnectPeriod: 0, protocolVersion: 4 });
  try {
    await new Promise<void>((resolve, reject) => {
      counter.once('connect', () => resolve());
      counter.once('error', reject);
    });
    const seen = new Map<number, Set<number>>();
    let counted = 0;
    let duplicates = 0;
    counter.on('message', (topic, payload) => {
      const device = Number(topic.slice(prefix.length + 1));
      const seq = payload.readUInt32BE(4);
      let s = seen.get(device);
      if (!s) seen.set(device, (s = new Set()));
      if (s.has(seq)) duplicates++;
      else {
        s.add(seq);
        counted++;
      }
    });
    await counter.subscribeAsync(`${prefix}/+`, { qos: 1 });

    const c: FleetCase = { url: broker.url, host: broker.host, port: broker.port, prefix, devices: n, durationS: opts.durationS };
    const r = await runWorker<FleetReport>(WORKER, c, {
      execArgv: ['--expose-gc'],
      timeoutMs: (opts.durationS + 120) * 1000,
      onStdout: (d) => d.split('\n').filter(Boolean).forEach((l) => opts.log(`  fleet ${n}: ${l}`)),
    });
    // The worker returns once every publish is acknowledged by the broker; give the counter the same chance.
    const deadline = Date.now() + 5000;
    while (counted < r.published && Date.now() < deadline) await sleep(50);

    const expected = n * r.ticks;
    const summary = {
      devices: n,
      connect_s: round(r.connectMs / 1000, 2),
      subscribed_s: round(r.subscribedMs / 1000, 2),
      duration_s: round(r.publishPhaseMs / 1000, 1),
      expected,
      published: r.published,
      publish_refused: r.publishRefused,
      received: counted,
      duplicates,
      lost: expected - counted,
      echo_lost: r.published - r.echoReceived,
      rss_mb_per_device: round(r.rssDeltaBytes / n / 2 ** 20, 3),
      heap_mb_per_device: round(r.heapDeltaBytes / n / 2 ** 20, 3),
      rss_baseline_mb: round(r.rssBaselineBytes / 2 ** 20, 1),
      rss_mb: round((r.rssBaselineBytes + r.rssDeltaBytes) / 2 ** 20, 1),
      cpu_pct: round(r.cpuPublishPhasePct, 1),
      cpu_connect_ms: Math.round(r.cpuConnectMs),
      notification_overruns: r.notificationOverruns,
    };
    opts.log(
      `  fleet ${n}: connected in ${summary.connect_s} s, ${summary.expected} expected, ${summary.received} counted, ${summary.lost} lost, ` +
        `${summary.rss_mb_per_device} MB RSS/device, ${summary.cpu_pct}% CPU`,
    );
    return summary;
  } finally {
    await new Promise<void>((resolve) => counter.end(true, {}, () => resolve()));
    await broker.close();
  }
}
