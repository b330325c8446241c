/**
 * One runtime case in a fresh process (forked by bench-runtime.ts): connect the two ends,
 * warm up on the same connections, measure, report over IPC. The embedded aedes broker is
 * started here, in the same process as the clients; mosquitto is started by the parent.
 */
import { randomBytes } from 'node:crypto';
import { startAedes } from '../../../test/support/brokers.js';
import { latency, throughput, throughputUnbounded, type LatencyResult, type ThroughputResult } from './driver.js';
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

/** With MVMQTT_CPU_PROFILE=FILE (src/profile.ts), the measured phase alone is profiled into FILE. */
async function profiled<T>(f: () => Promise<T>): Promise<T> {
  const file = process.env.MVMQTT_CPU_PROFILE;
  if (!file) return f();
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  try {
    return await f();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
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

async function run(c: RuntimeCase): Promise<CaseResult> {
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
  try {
    if (c.kind === 'latency') {
      pub = c.pub === 'emulated' ? await emulated!.emulatedPublisher(pubCfg) : await rawPublisher(pubCfg);
      await latency(pub, sub, { first: 0, count: c.warmup, payloadSize: c.payloadSize });
      const m = await measured(c.count, () => latency(pub, sub, { first: c.warmup, count: c.count, payloadSize: c.payloadSize }));
      return { case: c, latency: m.r, cpuUsPerMsg: m.cpuUsPerMsg };
    }
    if (c.pub === 'raw-unbounded') {
      const p = await rawUnboundedPublisher(pubCfg);
      pub = p;
      await throughputUnbounded(p, sub, { first: 0, count: c.warmup, payloadSize: c.payloadSize });
      const m = await measured(c.count, () => throughputUnbounded(p, sub, { first: c.warmup, count: c.count, payloadSize: c.payloadSize }));
      return { case: c, throughput: m.r, cpuUsPerMsg: m.cpuUsPerMsg };
    }
    pub = c.pub === 'emulated' ? await emulated!.emulatedPublisher(pubCfg) : await rawPublisher(pubCfg);
    const opts = { window: c.window, payloadSize: c.payloadSize };
    await throughput(pub, sub, { ...opts, first: 0, count: c.warmup });
    const m = await measured(c.count, () => throughput(pub, sub, { ...opts, first: c.warmup, count: c.count }));
    return { case: c, throughput: m.r, cpuUsPerMsg: m.cpuUsPerMsg };
  } finally {
    await pub!?.close();
    await sub.close();
    await aedes?.close();
  }
}

process.once('message', (c: RuntimeCase) => {
  run(c).then(
    (r) => process.send!(r, () => process.exit(0)),
    (err: Error) => process.send!({ error: err.stack ?? String(err) }, () => process.exit(1)),
  );
});
