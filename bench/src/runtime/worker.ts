/**
 * One runtime case in a fresh process (forked by bench-runtime.ts): connect the two ends,
 * warm up on the same connections, measure, report over IPC. The embedded aedes broker is
 * started here, in the same process as the clients; mosquitto is started by the parent.
 */
import { randomBytes } from 'node:crypto';
import { startAedes } from '../../../test/support/brokers.js';
import { latency, makePayloads, throughput, throughputUnbounded, type LatencyResult, type ThroughputResult } from './driver.js';
import { rawPublisher, rawSubscriber, rawUnboundedPublisher, type EndpointConfig, type Publisher, type QoS, type Subscriber } from './endpoints.js';

export type Side = 'raw' | 'emulated';

export interface RuntimeCase {
  broker: 'aedes' | 'mosquitto';
  /** Broker URL when the parent runs it (mosquitto). */
  url?: string;
  kind: 'qos0' | 'qos1' | 'latency';
  pub: Side | 'raw-unbounded';
  sub: Side;
  count: number;
  warmup: number;
  window: number;
  payloadSize: number;
  protocolVersion: 4 | 5;
}

/** `cpuUsPerMsg`: this process's CPU time (user + system) over the measured phase, per message; it includes the embedded aedes broker but not mosquitto. */
export type CaseResult = { case: RuntimeCase; cpuUsPerMsg: number } & ({ throughput: ThroughputResult } | { latency: LatencyResult });

/**
 * For src/profile.ts: with MVMQTT_CPU_PROFILE=FILE the measured phase alone is CPU-profiled
 * into FILE (V8's sampler, every 100 µs); with MVMQTT_ALLOC_PROFILE=FILE its allocations are
 * sampled into FILE (every 4 KB allocated, collected objects included).
 */
async function profiled<T>(f: () => Promise<T>): Promise<T> {
  const cpuFile = process.env.MVMQTT_CPU_PROFILE;
  const allocFile = process.env.MVMQTT_ALLOC_PROFILE;
  if (!cpuFile && !allocFile) return f();
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  if (cpuFile) {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  }
  if (allocFile) {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  try {
    return await f();
  } finally {
    if (cpuFile) writeFileSync(cpuFile, JSON.stringify((await session.post('Profiler.stop')).profile));
    if (allocFile) writeFileSync(allocFile, JSON.stringify((await session.post('HeapProfiler.stopSampling')).profile));
    session.disconnect();
  }
}

/** Runs the measured phase and charges its CPU time to the messages it moved. */
async function measured<T>(count: number, f: () => Promise<T>): Promise<{ r: T; cpuUsPerMsg: number }> {
  const c0 = process.cpuUsage();
  const r = await profiled(f);
  const c = process.cpuUsage(c0);
  return { r, cpuUsPerMsg: (c.user + c.system) / count };
}

export async function run(c: RuntimeCase): Promise<CaseResult> {
  const aedes = c.broker === 'aedes' ? await startAedes() : undefined;
  const url = aedes?.url ?? c.url!;
  const { hostname, port } = new URL(url);
  const qos: QoS = c.kind === 'qos1' ? 1 : 0;
  const id = randomBytes(4).toString('hex');
  const base = { url, host: hostname, port: Number(port), topic: `bench/${id}/t`, qos, protocolVersion: c.protocolVersion };
  const pubCfg: EndpointConfig = { ...base, clientId: `bench-pub-${id}` };
  const subCfg: EndpointConfig = { ...base, clientId: `bench-sub-${id}` };

  const emulated = c.pub === 'emulated' || c.sub === 'emulated' ? await import('./emulated.js') : undefined;
  const sub: Subscriber = c.sub === 'emulated' ? await emulated!.emulatedSubscriber(subCfg) : await rawSubscriber(subCfg);
  let pub: Publisher;
  // Both batches' payloads exist before anything is measured: both sides publish the same bytes.
  const warmup = { first: 0, payloads: makePayloads(c.payloadSize, 0, c.warmup) };
  const batch = { first: c.warmup, payloads: makePayloads(c.payloadSize, c.warmup, c.count) };
  try {
    if (c.kind === 'latency') {
      pub = c.pub === 'emulated' ? await emulated!.emulatedPublisher(pubCfg) : await rawPublisher(pubCfg);
      await latency(pub, sub, warmup);
      const m = await measured(c.count, () => latency(pub, sub, batch));
      return { case: c, latency: m.r, cpuUsPerMsg: m.cpuUsPerMsg };
    }
    if (c.pub === 'raw-unbounded') {
      const p = await rawUnboundedPublisher(pubCfg);
      pub = p;
      await throughputUnbounded(p, sub, warmup);
      const m = await measured(c.count, () => throughputUnbounded(p, sub, batch));
      return { case: c, throughput: m.r, cpuUsPerMsg: m.cpuUsPerMsg };
    }
    pub = c.pub === 'emulated' ? await emulated!.emulatedPublisher(pubCfg) : await rawPublisher(pubCfg);
    await throughput(pub, sub, { ...warmup, window: c.window });
    const m = await measured(c.count, () => throughput(pub, sub, { ...batch, window: c.window }));
    return { case: c, throughput: m.r, cpuUsPerMsg: m.cpuUsPerMsg };
  } finally {
    await pub!?.close();
    await sub.close();
    await aedes?.close();
  }
}

// Forked by bench-runtime.ts (imported by instructions.ts, which calls run itself).
if (process.send) process.once('message', (c: RuntimeCase) => {
  run(c).then(
    (r) => process.send!(r, () => process.exit(0)),
    (err: Error) => process.send!({ error: err.stack ?? String(err) }, () => process.exit(1)),
  );
});
