/**
 * The fleet process: N emulated devices, each its own `Device` (network request, notification
 * centre, MQTT channel) running the bench firmware. Each subscribes to `<prefix>/<i>` and
 * publishes a 100-byte QoS 1 message there once a second, the devices' seconds staggered
 * evenly so the broker sees a steady N messages/s. Reports connect time, what was published
 * and echoed back, memory over a baseline taken before the first device, and CPU.
 * Run with --expose-gc so memory is read after a collection, not mid-garbage.
 */
import { performance } from 'node:perf_hooks';
import { DeviceApp } from '../emulated/app.js';
import { KEEPALIVE_S } from '../runtime/endpoints.js';

export interface FleetCase {
  url: string;
  host: string;
  port: number;
  prefix: string;
  devices: number;
  durationS: number;
  /** Connects in progress at once (a fleet powering up is not one synchronous burst either). */
  connectConcurrency?: number;
}

export interface FleetReport {
  ticks: number;
  connectMs: number;
  subscribedMs: number;
  publishPhaseMs: number;
  published: number;
  publishRefused: number;
  completed: number;
  echoReceived: number;
  rssBaselineBytes: number;
  rssDeltaBytes: number;
  heapDeltaBytes: number;
  cpuPublishPhasePct: number;
  cpuConnectMs: number;
  notificationOverruns: number;
}

const PAYLOAD_BYTES = 100;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const say = (line: string) => process.stdout.write(`${line}\n`);

async function withConcurrency<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

async function run(c: FleetCase): Promise<FleetReport> {
  gc();
  const baseline = process.memoryUsage();

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const apps = Array.from(
    { length: c.devices },
    (_, i) => new DeviceApp({ host: c.host, port: c.port, clientId: `${c.prefix.replace(/\W/g, '-')}-${i}`, protocolVersion: 4, keepaliveS: KEEPALIVE_S }),
  );
  const order = apps.map((a, i) => ({ a, i }));
  await withConcurrency(order, c.connectConcurrency ?? 100, ({ a }) => a.connect());
  const connectMs = performance.now() - t0;
  say(`all ${c.devices} connected after ${Math.round(connectMs)} ms`);

  const echoes = new Uint32Array(c.devices);
  apps.forEach((a, i) => {
    a.onMessage = (payload) => {
      if (payload.readUInt32BE(0) === i) echoes[i]++;
    };
  });
  await withConcurrency(order, c.connectConcurrency ?? 100, ({ a, i }) => a.subscribe(`${c.prefix}/${i}`, 1));
  const subscribedMs = performance.now() - t0;
  const cpuConnect = process.cpuUsage(cpu0);

  let published = 0;
  let publishRefused = 0;
  let completed = 0;
  const done = () => void completed++;
  const topics = apps.map((_, i) => Buffer.from(`${c.prefix}/${i}`));
  const payloads = apps.map((_, i) => {
    const p = Buffer.alloc(PAYLOAD_BYTES, 0x61);
    p.writeUInt32BE(i, 0);
    return p;
  });

  const cpu1 = process.cpuUsage();
  const t1 = performance.now();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250);
  // Device i publishes at t1 + i/N s, then every second: a timer per device, as each board has its own clock.
  await Promise.all(
    apps.map(
      (a, i) =>
        new Promise<void>((resolve) => {
          let seq = 0;
          const tick = () => {
            const p = payloads[i];
            p.writeUInt32BE(seq, 4);
            try {
              a.publish(topics[i], p, 1, done);
              published++;
            } catch {
              publishRefused++;
            }
            if (++seq < c.durationS) timer = setTimeout(tick, t1 + (i / c.devices) * 1000 + seq * 1000 - performance.now());
            else resolve();
          };
          let timer = setTimeout(tick, (i / c.devices) * 1000);
          void timer;
        }),
    ),
  );
  // Last messages: wait for their PUBACKs and echoes (bounded; whatever is missing counts as lost).
  const deadline = performance.now() + 10_000;
  const echoed = () => echoes.reduce((s, x) => s + x, 0);
  while ((completed < published || echoed() < published) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const publishPhaseMs = performance.now() - t1;
  const cpuPublish = process.cpuUsage(cpu1);
  clearInterval(sampler);

  gc();
  const after = process.memoryUsage();
  const report: FleetReport = {
    ticks: c.durationS,
    connectMs,
    subscribedMs,
    publishPhaseMs,
    published,
    publishRefused,
    completed,
    echoReceived: echoed(),
    rssBaselineBytes: baseline.rss,
    rssDeltaBytes: after.rss - baseline.rss,
    heapDeltaBytes: after.heapUsed - baseline.heapUsed,
    cpuPublishPhasePct: ((cpuPublish.user + cpuPublish.system) / 1000 / publishPhaseMs) * 100,
    cpuConnectMs: (cpuConnect.user + cpuConnect.system) / 1000,
    notificationOverruns: apps.reduce((s, a) => s + a.device.diagnostics.notificationOverruns, 0),
  };
  say(`published ${published}, acknowledged ${completed}, echoed ${report.echoReceived}; peak RSS ${Math.round(peakRss / 2 ** 20)} MB`);
  await Promise.all(apps.map((a) => a.powerOff()));
  return report;
}

process.once('message', (c: FleetCase) => {
  run(c).then(
    (r) => process.send!(r, () => process.exit(0)),
    (err: Error) => process.send!({ error: err.stack ?? String(err) }, () => process.exit(1)),
  );
});
