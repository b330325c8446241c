/**
 * Runtime overhead: the same workload over raw mqtt.js and over the emulated device, against
 * the same broker in the same run. Every case runs in a fresh process; raw and emulated
 * alternate which goes first in each repetition so drift on the shared machine hits both.
 */
import { fileURLToPath } from 'node:url';
import { startMosquitto, type MosquittoHarness } from '../../../test/support/brokers.js';
import { hasTool } from '../../../test/support/tools.js';
import { runWorker } from '../fork.js';
import { median, pairedRatios, round, spread } from '../stats.js';
import type { CaseResult, RuntimeCase } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export type BrokerName = 'aedes' | 'mosquitto';

export interface RuntimeOptions {
  reps: number;
  count: number;
  warmup: number;
  latencyCount: number;
  latencyWarmup: number;
  /** Publishes outstanding at once, on both sides (the device's in-flight publish limit). */
  window: number;
  payloadSize: number;
  brokers: BrokerName[];
  /** Also run the diagnostic cases: one side emulated, and raw QoS 0 without completions. */
  diagnostics: boolean;
  log: (line: string) => void;
}

type Label = 'raw' | 'emulated' | 'emulated-pub' | 'emulated-sub' | 'raw-unbounded';
const SIDES: Record<Label, Pick<RuntimeCase, 'pub' | 'sub'>> = {
  raw: { pub: 'raw', sub: 'raw' },
  emulated: { pub: 'emulated', sub: 'emulated' },
  'emulated-pub': { pub: 'emulated', sub: 'raw' },
  'emulated-sub': { pub: 'raw', sub: 'emulated' },
  'raw-unbounded': { pub: 'raw-unbounded', sub: 'raw' },
};

export function availableBrokers(): BrokerName[] {
  return hasTool('mosquitto') ? ['aedes', 'mosquitto'] : ['aedes'];
}

export async function benchRuntime(opts: RuntimeOptions) {
  const out: Record<string, unknown> = {
    settings: {
      reps: opts.reps,
      messages: opts.count,
      warmup_messages: opts.warmup,
      latency_samples: opts.latencyCount,
      window: opts.window,
      payload_bytes: opts.payloadSize,
      protocol: 'MQTT 3.1.1',
    },
  };
  for (const broker of opts.brokers) {
    let mosquitto: MosquittoHarness | undefined;
    if (broker === 'mosquitto') mosquitto = await startMosquitto({ extraConfig: ['max_connections -1'] });
    try {
      out[broker] = await benchBroker(broker, mosquitto?.url, opts);
    } finally {
      await mosquitto?.close();
    }
  }
  return out;
}

/** Re-runs of a throughput case that lost messages before the run is abandoned. */
const MAX_RETRIES = 3;

async function benchBroker(broker: BrokerName, url: string | undefined, opts: RuntimeOptions) {
  const runs = {
    qos0: new Map<Label, number[]>(),
    qos1: new Map<Label, number[]>(),
    latencyP50: new Map<Label, number[]>(),
    latencyP99: new Map<Label, number[]>(),
    cpu: { qos0: new Map<Label, number[]>(), qos1: new Map<Label, number[]>(), latency: new Map<Label, number[]>() },
  };
  const push = (m: Map<Label, number[]>, l: Label, v: number) => m.set(l, [...(m.get(l) ?? []), v]);
  let lostRuns = 0;

  for (let rep = 0; rep < opts.reps; rep++) {
    for (const kind of ['qos0', 'qos1', 'latency'] as const) {
      const labels: Label[] = rep % 2 ? ['emulated', 'raw'] : ['raw', 'emulated'];
      if (opts.diagnostics) {
        labels.push('emulated-pub', 'emulated-sub');
        if (kind === 'qos0') labels.push('raw-unbounded');
      }
      for (const label of labels) {
        const c: RuntimeCase = {
          broker,
          url,
          kind,
          ...SIDES[label],
          count: kind === 'latency' ? opts.latencyCount : opts.count,
          warmup: kind === 'latency' ? opts.latencyWarmup : opts.warmup,
          window: opts.window,
          payloadSize: opts.payloadSize,
          protocolVersion: 4,
        };
        // A throughput figure only counts when every message arrived. A QoS 0 message can be
        // dropped by the broker to a slow subscriber on a loaded machine: run the case again
        // (counted in `lost_runs`) rather than lose the whole run; give up after a few tries.
        let r = await runWorker<CaseResult>(WORKER, c, { timeoutMs: 180_000 });
        for (let retry = 1; 'throughput' in r && r.throughput.received !== r.throughput.sent; retry++) {
          const t = r.throughput;
          const what = `${broker} ${kind} ${label}: ${t.sent - t.received} of ${t.sent} messages never arrived`;
          if (retry > MAX_RETRIES) throw new Error(`${what} (${MAX_RETRIES} retries)`);
          opts.log(`  runtime ${what}; running the case again`);
          lostRuns++;
          r = await runWorker<CaseResult>(WORKER, c, { timeoutMs: 180_000 });
        }
        push(runs.cpu[kind], label, r.cpuUsPerMsg);
        if ('throughput' in r) {
          const t = r.throughput;
          push(runs[kind as 'qos0' | 'qos1'], label, t.msgPerSec);
          opts.log(`  runtime ${broker} ${kind} ${label.padEnd(13)} #${rep + 1}: ${Math.round(t.msgPerSec)} msg/s (${t.received} in ${Math.round(t.elapsedMs)} ms${t.duplicates ? `, ${t.duplicates} duplicates` : ''})`);
        } else {
          push(runs.latencyP50, label, r.latency.p50Us);
          push(runs.latencyP99, label, r.latency.p99Us);
          opts.log(`  runtime ${broker} latency ${label.padEnd(13)} #${rep + 1}: p50 ${round(r.latency.p50Us, 1)} µs, p99 ${round(r.latency.p99Us, 1)} µs`);
        }
      }
    }
  }

  const med = (m: Map<Label, number[]>, l: Label) => (m.has(l) ? median(m.get(l)!) : undefined);
  /**
   * Emulated/raw per repetition (the two ran back to back), then the median and range of
   * those ratios: the spread says how far one run's ratio can be trusted.
   */
  const ratio = (m: Map<Label, number[]>, l: Label = 'emulated') => {
    const ratios = pairedRatios(m.get(l)!, m.get('raw')!);
    const s = spread(ratios);
    return { ratio: s.median, ratio_min: s.min, ratio_max: s.max, ratios: ratios.map((x) => round(x, 3)) };
  };
  const cpuSummary = (m: Map<Label, number[]>) => {
    const r = ratio(m);
    return { cpu_us_per_msg_raw: round(med(m, 'raw')!, 2), cpu_us_per_msg_emulated: round(med(m, 'emulated')!, 2), cpu_ratio: r.ratio, cpu_ratio_min: r.ratio_min, cpu_ratio_max: r.ratio_max };
  };
  const throughputSummary = (m: Map<Label, number[]>, cpu: Map<Label, number[]>) => {
    const s: Record<string, unknown> = { raw_msg_s: Math.round(med(m, 'raw')!), emulated_msg_s: Math.round(med(m, 'emulated')!), ...ratio(m), ...cpuSummary(cpu) };
    if (opts.diagnostics) {
      s.emulated_pub_only_ratio = ratio(m, 'emulated-pub').ratio;
      s.emulated_sub_only_ratio = ratio(m, 'emulated-sub').ratio;
      if (m.has('raw-unbounded')) s.raw_unbounded_msg_s = Math.round(med(m, 'raw-unbounded')!);
    }
    s.runs_msg_s = Object.fromEntries([...m].map(([l, xs]) => [l, xs.map((x) => Math.round(x))]));
    return s;
  };
  const lat = (l: Label) => ({ p50_us: round(med(runs.latencyP50, l)!, 1), p99_us: round(med(runs.latencyP99, l)!, 1) });
  const latency: Record<string, unknown> = { raw: lat('raw'), emulated: lat('emulated'), ...cpuSummary(runs.cpu.latency) };
  if (opts.diagnostics) {
    latency['emulated-pub'] = lat('emulated-pub');
    latency['emulated-sub'] = lat('emulated-sub');
  }
  latency.runs_p50_us = Object.fromEntries([...runs.latencyP50].map(([l, xs]) => [l, xs.map((x) => round(x, 1))]));
  latency.runs_p99_us = Object.fromEntries([...runs.latencyP99].map(([l, xs]) => [l, xs.map((x) => round(x, 1))]));
  const p50 = ratio(runs.latencyP50);
  const p99 = ratio(runs.latencyP99);
  return {
    qos0: throughputSummary(runs.qos0, runs.cpu.qos0),
    qos1: throughputSummary(runs.qos1, runs.cpu.qos1),
    latency_p50_ratio: p50.ratio,
    latency_p50_ratio_min: p50.ratio_min,
    latency_p50_ratio_max: p50.ratio_max,
    latency_p99_ratio: p99.ratio,
    latency_p99_ratio_min: p99.ratio_min,
    latency_p99_ratio_max: p99.ratio_max,
    latency,
    lost_runs: lostRuns,
  };
}
