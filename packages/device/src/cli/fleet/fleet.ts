/**
 * A fleet run: the fleet's subscriber, one shard process per core with its share of the
 * devices, a common start so the shards' schedules interleave, counters gathered while it
 * runs, and the final report. One machine's worth; past that, run this on many machines
 * against one clustered broker (packages/device/README.md).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_FIRMWARE, loaderFor } from './firmware.js';
import { Observer } from './observer.js';
import type { FleetOptions } from './options.js';
import type { FromShard, ShardCounters, ShardMemory, ToShard } from './protocol.js';
import { nowMs } from './stamp.js';
import { startFleetInspector, type FleetInspector } from './inspect.js';

const SHARD = fileURLToPath(new URL(`./shard${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
/** After the last publish completed, the subscriber gets this long without progress to see the last messages. */
const SETTLE_MS = 5000;
/** A device that has not booted (connected) within this time counts as failed. */
const CONNECT_TIMEOUT_MS = 30_000;

export interface FleetProgress {
  phase: 'connecting' | 'publishing' | 'draining';
  elapsedS: number;
  devices: number;
  connected: number;
  failed: number;
  published: number;
  refused: number;
  /** Counted by the fleet's subscriber. */
  observed: number;
  /** Published but not (yet) seen by the subscriber. */
  pending: number;
  deviceReceived: number;
  /** Latency since the previous progress report (ms). */
  p50Ms: number;
  p99Ms: number;
}

export interface FleetReport {
  devices: number;
  shards: number;
  firmware: string;
  broker: string;
  qos: 0 | 1;
  payload_bytes: number;
  interval_ms: number;
  connected: number;
  failed: number;
  /** Seconds until the shard processes had started and loaded the firmware. */
  startup_s: number;
  /** Seconds from the first device's power-on until the last device connected. */
  connect_s: number;
  /** CPU seconds the shards spent bringing their devices up (summed): what connecting costs on a machine with cores to spare. */
  connect_cpu_s: number;
  publish_s: number;
  published: number;
  refused: number;
  device_errors: number;
  /** Distinct stamped messages the fleet's subscriber counted. */
  observed: number;
  duplicates: number;
  unstamped: number;
  /** Published (the broker acknowledged, at QoS 1) but never seen by the fleet's subscriber (stamped or not). */
  lost: number;
  device_received: number;
  latency_ms: { p50: number; p90: number; p99: number; max: number };
  rss_mb_per_device: number;
  heap_mb_per_device: number;
  rss_mb: number;
  /** The shards' CPU over the publishing phase, in % of one core (summed over shards). */
  cpu_pct: number;
  problems: string[];
  interrupted: boolean;
}

interface Shard {
  proc: ChildProcess;
  counters: ShardCounters;
  ready?: { bootStartMs: number; lastConnectedMs: number; connectCpuMs: number; firmwareName: string };
  done?: { memory: ShardMemory; cpuMs: number; publishPhaseMs: number };
  exited: boolean;
}

const sum = (shards: Shard[], k: keyof Omit<ShardCounters, 'problems'>) => shards.reduce((s, x) => s + x.counters[k], 0);
const r3 = (x: number) => Math.round(x * 1000) / 1000;

export class FleetError extends Error {}

/**
 * Runs the fleet; `onProgress` is called about once a second, `onInspector` with the page's
 * address once the inspector serves it (`o.inspect`). Ctrl-C: call the returned `interrupt()`.
 */
export function startFleet(o: FleetOptions, onProgress: (p: FleetProgress) => void, onInspector?: (url: string) => void): { report: Promise<FleetReport>; interrupt: () => void } {
  let interrupted = false;
  let shards: Shard[] = [];
  let phase: FleetProgress['phase'] = 'connecting';
  const interrupt = () => {
    if (interrupted) return;
    interrupted = true;
    for (const s of shards) if (!s.exited) s.proc.send({ type: 'stop' } satisfies ToShard);
  };

  const report = (async (): Promise<FleetReport> => {
    const firmware = o.firmware ?? BUILTIN_FIRMWARE;
    const loader = loaderFor(firmware);
    loader.check(firmware);
    const runId = randomBytes(4).toString('hex');
    const prefix = o.prefix ?? `mvfleet/${runId}`;
    const observer = await Observer.start({
      url: o.broker.url,
      username: o.broker.username,
      password: o.broker.password,
      filter: `${prefix}/+/up`,
      qos: o.qos,
      devices: o.count,
      clientId: `mvfleet-observer-${runId}`,
    });
    const startedMs = nowMs();
    const shardCount = Math.min(o.shards, o.count);
    let failure: Error | undefined;
    let progressTimer: NodeJS.Timeout | undefined;
    let inspector: FleetInspector | undefined;
    try {
      if (o.inspect !== undefined) {
        try {
          inspector = await startFleetInspector(o.inspect);
        } catch (err) {
          throw new FleetError(`--inspect=${o.inspect}: cannot serve the inspector (${(err as Error).message})`);
        }
        onInspector?.(inspector.url);
      }
      const waiters = new Set<() => void>();
      const changed = () => waiters.forEach((w) => w());
      const until = (pred: () => boolean) =>
        new Promise<void>((resolve, reject) => {
          const check = () => {
            if (failure) {
              waiters.delete(check);
              reject(failure);
            } else if (pred()) {
              waiters.delete(check);
              resolve();
            }
          };
          waiters.add(check);
          check();
        });

      shards = Array.from({ length: shardCount }, (_, k) => {
        const first = Math.floor((k * o.count) / shardCount);
        const count = Math.floor(((k + 1) * o.count) / shardCount) - first;
        const proc = fork(SHARD, [], {
          execArgv: [...process.execArgv, ...loader.shardExecArgv(firmware), '--expose-gc'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          serialization: 'advanced',
        });
        const shard: Shard = { proc, counters: { connected: 0, failed: 0, published: 0, refused: 0, received: 0, errors: 0, problems: [] }, exited: false };
        proc.on('message', (m: FromShard) => {
          if (m.type === 'fatal') failure ??= new FleetError(`shard ${k}: ${m.message}`);
          else if (m.type === 'inspector') inspector?.addShard(k, m.url);
          else {
            shard.counters = m.counters;
            if (m.type === 'ready') shard.ready = m;
            if (m.type === 'done') shard.done = m;
          }
          changed();
        });
        proc.once('exit', (code, signal) => {
          shard.exited = true;
          if (!shard.done) failure ??= new FleetError(`shard ${k} exited (${signal ?? code}) before finishing`);
          changed();
        });
        proc.send({
          type: 'start',
          spec: {
            shard: k,
            firmware,
            loader: loader.kind,
            first,
            count,
            total: o.count,
            broker: { host: o.broker.host, port: o.broker.port, username: o.broker.username, password: o.broker.password },
            protocolVersion: o.protocolVersion,
            qos: o.qos,
            prefix,
            clientIdPrefix: `mvfleet-${runId}-`,
            payloadBytes: o.payloadBytes,
            intervalMs: o.intervalMs,
            ticks: o.durationS === 0 ? 0 : Math.max(1, Math.round((o.durationS * 1000) / o.intervalMs)),
            connectConcurrency: o.connectConcurrency,
            connectTimeoutMs: CONNECT_TIMEOUT_MS,
            settings: o.settings,
            inspect: inspector !== undefined,
          },
        } satisfies ToShard);
        return shard;
      });

      progressTimer = setInterval(() => {
        const published = sum(shards, 'published');
        onProgress({
          phase,
          elapsedS: (nowMs() - startedMs) / 1000,
          devices: o.count,
          connected: sum(shards, 'connected'),
          failed: sum(shards, 'failed'),
          published,
          refused: sum(shards, 'refused'),
          observed: observer.counts.counted,
          pending: Math.max(0, published - observer.counts.counted),
          deviceReceived: sum(shards, 'received'),
          p50Ms: observer.recent.percentile(50),
          p99Ms: observer.recent.percentile(99),
        });
        observer.recent.reset();
      }, 1000);

      await until(() => shards.every((s) => s.ready));
      const bootStartMs = Math.min(...shards.map((s) => s.ready!.bootStartMs));
      const connectedMs = Math.max(...shards.map((s) => s.ready!.lastConnectedMs));
      if (sum(shards, 'connected') === 0) throw new FleetError(`no device connected to ${o.broker.url}: ${shards.flatMap((s) => s.counters.problems)[0] ?? 'no reason given'}`);
      phase = 'publishing';
      // Every shard starts its schedule at the same moment, a little ahead so the message arrives first.
      const startMs = nowMs() + 100;
      for (const s of shards) s.proc.send({ type: 'go', startMs } satisfies ToShard);
      if (interrupted) for (const s of shards) s.proc.send({ type: 'stop' } satisfies ToShard);
      await until(() => shards.every((s) => s.done));

      // The subscriber sees the last messages a little after the devices have their acknowledgements.
      phase = 'draining';
      const published = sum(shards, 'published');
      let lastCount = -1;
      let lastProgressMs = nowMs();
      while (observer.counts.counted < published && nowMs() - lastProgressMs < SETTLE_MS) {
        if (observer.counts.counted !== lastCount) {
          lastCount = observer.counts.counted;
          lastProgressMs = nowMs();
        }
        await new Promise((r) => setTimeout(r, 25));
      }

      const mem = shards.map((s) => s.done!.memory);
      const rssDelta = mem.reduce((t, m) => t + m.rssAfterBytes - m.rssBaselineBytes, 0);
      const heapDelta = mem.reduce((t, m) => t + m.heapAfterBytes - m.heapBaselineBytes, 0);
      const publishS = Math.max(...shards.map((s) => s.done!.publishPhaseMs)) / 1000;
      const lat = observer.latency;
      return {
        devices: o.count,
        shards: shardCount,
        firmware: shards[0].ready!.firmwareName,
        broker: o.broker.url,
        qos: o.qos,
        payload_bytes: o.payloadBytes,
        interval_ms: o.intervalMs,
        connected: sum(shards, 'connected'),
        failed: sum(shards, 'failed'),
        startup_s: r3((bootStartMs - startedMs) / 1000),
        connect_s: r3((connectedMs - bootStartMs) / 1000),
        connect_cpu_s: r3(shards.reduce((t, s) => t + s.ready!.connectCpuMs, 0) / 1000),
        publish_s: r3(publishS),
        published,
        refused: sum(shards, 'refused'),
        device_errors: sum(shards, 'errors'),
        observed: observer.counts.counted,
        duplicates: observer.counts.duplicates,
        unstamped: observer.counts.unstamped,
        // A firmware's own (unstamped) payloads that it reported published arrived if the subscriber saw them.
        lost: Math.max(0, published - observer.counts.counted - observer.counts.unstamped),
        device_received: sum(shards, 'received'),
        latency_ms: { p50: r3(lat.percentile(50)), p90: r3(lat.percentile(90)), p99: r3(lat.percentile(99)), max: r3(lat.maxMs) },
        rss_mb_per_device: r3(rssDelta / o.count / 2 ** 20),
        heap_mb_per_device: r3(heapDelta / o.count / 2 ** 20),
        rss_mb: Math.round(mem.reduce((t, m) => t + m.rssAfterBytes, 0) / 2 ** 20),
        cpu_pct: Math.round((shards.reduce((t, s) => t + s.done!.cpuMs, 0) / (publishS * 1000)) * 1000) / 10,
        problems: [...new Set(shards.flatMap((s) => s.counters.problems))].slice(0, 10),
        interrupted,
      };
    } finally {
      clearInterval(progressTimer);
      await Promise.all(
        shards.map(
          (s) =>
            new Promise<void>((resolve) => {
              if (s.exited) return resolve();
              s.proc.once('exit', () => resolve());
              s.proc.send({ type: 'poweroff' } satisfies ToShard);
              // A shard that does not power off in time is ended: the command must return.
              setTimeout(() => s.proc.kill('SIGKILL'), 15_000).unref();
            }),
        ),
      );
      await observer.close();
      await inspector?.close();
    }
  })();
  return { report, interrupt };
}
