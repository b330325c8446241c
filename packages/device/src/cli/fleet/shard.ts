/**
 * One shard of a fleet: a process running `count` emulated devices, each its own `Device`
 * with the firmware booted on it. The fleet command starts one shard per core so every core
 * works, tells them when to start publishing so their schedules interleave, and collects
 * their counters (every 500 ms), memory and CPU. Started with --expose-gc so memory is
 * read after a collection, not mid-garbage.
 */
import { performance } from 'node:perf_hooks';
import { Device } from '../../device.js';
import { LOADERS, type FirmwareRun, type FleetDevice, type FleetDeviceInfo, type FleetReporter } from './firmware.js';
import type { FromShard, ShardCounters, ShardSpec, ToShard } from './protocol.js';
import { nowMs, writeStamp } from './stamp.js';
import { startShardInspector, type ShardInspector } from './inspect.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const send = (m: FromShard) => process.send!(m);
const MAX_PROBLEMS = 5;
/** Once the schedule is over, the last publishes get this long without progress to complete. */
const DRAIN_STALL_MS = 10_000;

const counters: ShardCounters = { connected: 0, failed: 0, published: 0, refused: 0, received: 0, errors: 0, problems: [] };
let spec: ShardSpec;
let devices: Device[] = [];
let runs: (FirmwareRun | undefined)[] = [];
let baseline: NodeJS.MemoryUsage;
let stopRequested = false;
let inspector: ShardInspector | undefined;
let issued = 0;

function problem(text: string): void {
  if (counters.problems.length < MAX_PROBLEMS && !counters.problems.includes(text)) counters.problems.push(text);
}

function reporter(index: number): FleetReporter {
  return {
    published: () => void counters.published++,
    refused: (why) => {
      counters.refused++;
      problem(`publish refused: ${why}`);
    },
    received: () => void counters.received++,
    error: (err) => {
      counters.errors++;
      problem(`device ${index}: ${err.message}`);
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

async function boot(): Promise<{ bootStartMs: number; lastConnectedMs: number; connectCpuMs: number; firmwareName: string }> {
  const loader = LOADERS.find((l) => l.kind === spec.loader);
  if (!loader) throw new Error(`no firmware loader "${spec.loader}"`);
  const firmware = await loader.load(spec.firmware);
  gc();
  baseline = process.memoryUsage();

  if (spec.inspect) {
    inspector = await startShardInspector();
    send({ type: 'inspector', url: inspector.url });
  }
  devices = new Array(spec.count);
  runs = new Array(spec.count);
  const bootStartMs = nowMs();
  const cpu0 = process.cpuUsage();
  let lastConnectedMs = 0;
  let next = 0;
  // A bounded number of devices connect at once: a fleet powering up is not one synchronous burst.
  const lane = async () => {
    while (next < spec.count) {
      const local = next++;
      const index = spec.first + local;
      const info: FleetDeviceInfo = {
        index,
        clientId: `${spec.clientIdPrefix}${index}`,
        broker: spec.broker,
        protocolVersion: spec.protocolVersion,
        qos: spec.qos,
        topics: { up: `${spec.prefix}/${index}/up`, down: `${spec.prefix}/${index}/down` },
        payloadBytes: spec.payloadBytes,
        settings: spec.settings,
      };
      const device = (devices[local] = new Device(firmware.deviceOptions?.(info)));
      inspector?.offer(device, `device ${index}`);
      const ctx: FleetDevice = {
        ...info,
        syscalls: device,
        stamp: (payload, seq) => writeStamp(payload, index, seq),
        report: reporter(index),
      };
      try {
        runs[local] = await withTimeout(firmware.boot(ctx), spec.connectTimeoutMs, `device ${index}: boot`);
        counters.connected++;
        lastConnectedMs = nowMs();
      } catch (err) {
        counters.failed++;
        problem((err as Error).message);
        await device.powerOff();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(spec.connectConcurrency, spec.count) }, lane));
  const cpu = process.cpuUsage(cpu0);
  return { bootStartMs, lastConnectedMs, connectCpuMs: (cpu.user + cpu.system) / 1000, firmwareName: firmware.name ?? spec.firmware };
}

/**
 * One timer for the whole shard: device i's slot k is due at startMs + (i/total + k) × interval;
 * devices are visited in index order, which is the order of their offsets.
 */
function publish(startMs: number): Promise<void> {
  const offsets = Array.from({ length: spec.count }, (_, local) => ((spec.first + local) / spec.total) * spec.intervalMs);
  let cursor = 0;
  let round = 0;
  return new Promise((resolve) => {
    const pump = () => {
      const now = nowMs();
      for (;;) {
        if (stopRequested || (spec.ticks > 0 && round >= spec.ticks)) return resolve();
        const due = startMs + round * spec.intervalMs + offsets[cursor];
        if (due > now) {
          setTimeout(pump, Math.min(20, Math.max(1, due - now)));
          return;
        }
        const run = runs[cursor];
        // A firmware on its own schedule has no ticks: nothing is issued for it.
        if (run?.tick) {
          issued++;
          try {
            run.tick(round);
          } catch (err) {
            counters.errors++;
            problem(`device ${spec.first + cursor}: ${(err as Error).message}`);
          }
        }
        if (++cursor === spec.count) {
          cursor = 0;
          round++;
        }
      }
    };
    pump();
  });
}

async function run(startMs: number): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await publish(startMs);
  // The last publishes: wait for their responses while they keep coming (what never completes is neither published nor refused).
  const settled = () => counters.published + counters.refused + counters.errors;
  let last = settled();
  let lastProgress = performance.now();
  while (settled() < issued && performance.now() - lastProgress < DRAIN_STALL_MS) {
    await new Promise((r) => setTimeout(r, 20));
    if (settled() !== last) {
      last = settled();
      lastProgress = performance.now();
    }
  }
  const publishPhaseMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  gc();
  const after = process.memoryUsage();
  send({
    type: 'done',
    counters,
    memory: { rssBaselineBytes: baseline.rss, rssAfterBytes: after.rss, heapBaselineBytes: baseline.heapUsed, heapAfterBytes: after.heapUsed },
    cpuMs: (cpu.user + cpu.system) / 1000,
    publishPhaseMs,
  });
}

async function powerOff(): Promise<void> {
  await Promise.all(
    runs.map(async (r, local) => {
      try {
        await r?.stop?.();
      } finally {
        await devices[local]?.powerOff();
      }
    }),
  );
}

const fail = (err: unknown) => {
  send({ type: 'fatal', message: (err as Error)?.message ?? String(err) });
  process.exitCode = 1;
  process.disconnect?.();
};

let stats: NodeJS.Timeout | undefined;
process.on('message', (m: ToShard) => {
  switch (m.type) {
    case 'start':
      spec = m.spec;
      stats = setInterval(() => send({ type: 'stats', counters }), 500);
      boot().then((r) => send({ type: 'ready', counters, ...r }), fail);
      return;
    case 'go':
      run(m.startMs).catch(fail);
      return;
    case 'stop':
      stopRequested = true;
      return;
    case 'poweroff':
      clearInterval(stats);
      powerOff()
        .then(() => inspector?.close())
        .catch(() => undefined)
        .finally(() => process.disconnect?.());
      return;
  }
});
// The command went away (Ctrl-C twice, a crash): do not linger with thousands of sockets.
process.on('disconnect', () => process.exit());
// Ctrl-C in a terminal reaches the whole process group: the command decides (stop publishing,
// drain, report), and tells the shards over IPC.
process.on('SIGINT', () => undefined);
