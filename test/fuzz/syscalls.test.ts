/**
 * Property-based fuzzing of every syscall on both runtimes (fast-check). Each run starts a fresh
 * runtime holding a few objects (live, closed and non-MQTT channels, a centre, a network request),
 * then makes a sequence of calls with arbitrary arguments (recipes.ts) mixed with world events
 * (network loss and return, time passing, interrupts running). Properties:
 * - no exception ever escapes a syscall;
 * - every status is OKAY or one the function's error table lists;
 * - afterwards the runtime still works: a normal open/publish/read/close session succeeds.
 *
 * The seed is printed; `FUZZ_SEED=<n>` reproduces a run. `FUZZ_CALLS=<n>` changes the budget.
 */
import fc from 'fast-check';
import { Device } from '@mvmqtt/device';
import { MockMicrovisor, FUNCTION_SCHEMAS } from '@mvmqtt/mock';
import {
  FUNCTIONS,
  LIMITS,
  MV_CHANNELTYPE_MQTT,
  MV_CHANNELTYPE_OPAQUEBYTES,
  MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE,
  MV_NETWORKSTATUS_CONNECTED,
  MV_NETWORKSTATUS_CONNECTING,
  MV_STATUS_OKAY,
  MV_STATUS_RATELIMITED,
  newMvMqttPublishResponse,
  out,
  statusName,
  type MvChannelHandle,
  type MvFunctionName,
  type MvMqttReadableDataType,
  type MvNetworkHandle,
  type MvNotificationHandle,
  type MvOpenChannelParams,
  type MvStatus,
  type MvSyscalls,
} from '@mvmqtt/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/brokers.js';
import { HandlePool, materialize } from './materialize.js';
import { RecipeArbitraries, type CallRecipe, type FuzzWorld } from './recipes.js';
import { propertySeed } from '../support/seed.js';

const SEED = propertySeed('fuzz');
/** At least this many syscalls on each runtime (200,000 or more per `npm test`, on both). */
const BUDGET = Number(process.env.FUZZ_CALLS ?? 200_000);
/** Each runtime's share of the budget: the whole of it, on both. */
const SHARE: Record<RuntimeName, number> = { mock: 1, device: 1 };
const MAX_STEPS = 40;

type RuntimeName = 'mock' | 'device';
type WorldEvent = 'lose-network' | 'restore-network' | 'settle' | 'time-passes';
type Step = CallRecipe | { world: WorldEvent };

const ALLOWED = new Map<MvFunctionName, ReadonlySet<number>>(
  (Object.keys(FUNCTIONS) as MvFunctionName[]).map((fn) => [fn, new Set<number>([MV_STATUS_OKAY, ...FUNCTIONS[fn].errors.map((e) => e.status)])]),
);

/** One runtime under fuzzing, with the world around it. */
interface Runtime {
  sys: MvSyscalls;
  event(e: WorldEvent): Promise<void>;
  /** Waits until a rate-limit window (ms) has passed. */
  wait(ms: number): Promise<void>;
  now(): number;
  dispose(): Promise<void>;
}

function mockRuntime(): Runtime {
  const mock = new MockMicrovisor({ irqDelivery: 'manual' });
  return {
    sys: mock,
    async event(e) {
      if (e === 'lose-network') mock.setNetworkStatus(MV_NETWORKSTATUS_CONNECTING);
      else if (e === 'restore-network') mock.setNetworkStatus(MV_NETWORKSTATUS_CONNECTED);
      else if (e === 'time-passes') mock.clock.advance(LIMITS.CHANNEL_OPEN_RATE.windowMs);
      else mock.flush();
    },
    async wait(ms) {
      mock.clock.advance(ms);
    },
    now: () => mock.clock.milliseconds(),
    async dispose() {
      mock.flush();
    },
  };
}

function deviceRuntime(): Runtime {
  const device = new Device();
  return {
    sys: device,
    async event(e) {
      if (e === 'lose-network') device.simulateNetworkLoss();
      else if (e === 'restore-network') device.restoreNetwork();
      else await device.idle();
    },
    wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => performance.now(),
    dispose: () => device.powerOff(),
  };
}

const counters = { mock: 0, device: 0 };
/** Distinct (function, status) pairs seen, per runtime: how much of the error tables the fuzz reaches. */
const seen = { mock: new Set<string>(), device: new Set<string>() };
const elapsed = { mock: 0, device: 0 };
let world: FuzzWorld;

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

function call(sys: MvSyscalls, fn: MvFunctionName, args: readonly unknown[]): MvStatus {
  let status: MvStatus;
  try {
    status = (sys[fn] as (...a: unknown[]) => MvStatus).apply(sys, args as unknown[]);
  } catch (err) {
    throw new Error(`${fn} threw: ${err instanceof Error ? err.stack : String(err)}`);
  }
  check(ALLOWED.get(fn)!.has(status), `${fn} returned ${statusName(status)}, which its error table does not list`);
  return status;
}

/** A run's fixed cast: what the fuzz can name, and a reserved centre and network it never sees. */
async function setUp(rt: Runtime, pool: HandlePool, opens: number[]) {
  const centre = (irq: number): MvNotificationHandle => {
    const h = out(0 as MvNotificationHandle);
    const buffer = new Uint8Array(8 * 16);
    check(call(rt.sys, 'mvSetupNotifications', [{ irq, buffer, buffer_size: buffer.byteLength }, h]) === MV_STATUS_OKAY, 'setup: mvSetupNotifications');
    return h.value;
  };
  const network = (c: MvNotificationHandle): MvNetworkHandle => {
    const h = out(0 as MvNetworkHandle);
    check(call(rt.sys, 'mvRequestNetwork', [{ version: 1, v1: { notification_handle: c, notification_tag: 7 } }, h]) === MV_STATUS_OKAY, 'setup: mvRequestNetwork');
    return h.value;
  };
  const reservedCentre = centre(LIMITS.NOTIFICATION_IRQ_RANGE.max);
  const reservedNetwork = network(reservedCentre);
  const openParams = (type: number): MvOpenChannelParams => ({
    version: 1,
    v1: {
      notification_handle: reservedCentre,
      notification_tag: 9,
      network_handle: reservedNetwork,
      receive_buffer: new Uint8Array(1024),
      receive_buffer_len: 1024,
      send_buffer: new Uint8Array(512),
      send_buffer_len: 512,
      channel_type: type as never,
      endpoint: { data: null, length: 0 },
    },
  });
  const open = (type: number): MvChannelHandle => {
    const h = out(0 as MvChannelHandle);
    check(call(rt.sys, 'mvOpenChannel', [openParams(type), h]) === MV_STATUS_OKAY, 'setup: mvOpenChannel');
    opens.push(rt.now());
    return h.value;
  };
  pool.closedChannels.push(open(MV_CHANNELTYPE_MQTT));
  await rt.event('lose-network');
  await rt.event('restore-network');
  pool.otherChannels.push(open(MV_CHANNELTYPE_OPAQUEBYTES));
  pool.add('MvChannelHandle', open(MV_CHANNELTYPE_MQTT));
  const c = centre(LIMITS.NOTIFICATION_IRQ_RANGE.max - 1);
  pool.add('MvNotificationHandle', c);
  pool.add('MvNetworkHandle', network(c));
  return { reservedCentre, reservedNetwork, openParams };
}

/** Handles a successful call wrote or gave back go into (or out of) the pool. */
function track(pool: HandlePool, fn: MvFunctionName, args: readonly unknown[], before: readonly unknown[], status: MvStatus, opens: number[], now: number): void {
  if (status !== MV_STATUS_OKAY) return;
  if (fn === 'mvOpenChannel') opens.push(now);
  FUNCTION_SCHEMAS[fn].params.forEach((p, i) => {
    if (p.shape.kind !== 'box' || p.shape.of.kind !== 'handle') return;
    if (p.direction === 'out') pool.add(p.shape.of.handle, (args[i] as { value: number }).value);
    // A close or release took the handle the box held before the call.
    if (p.direction === 'inout') pool.release(p.shape.of.handle, before[i] as number);
  });
}

/** The runtime still works: every channel the run made can be closed, and a normal session succeeds. */
async function stillWorks(rt: Runtime, pool: HandlePool, cast: Awaited<ReturnType<typeof setUp>>, opens: number[]): Promise<void> {
  await rt.event('restore-network');
  for (const h of [...(pool.live.get('MvChannelHandle') ?? []), ...pool.closedChannels, ...pool.otherChannels]) rt.sys.mvCloseChannel(out(h as MvChannelHandle));
  const h = out(0 as MvChannelHandle);
  let status = call(rt.sys, 'mvOpenChannel', [cast.openParams(MV_CHANNELTYPE_MQTT), h]);
  if (status === MV_STATUS_RATELIMITED) {
    // Allowed only if the run really opened that many channels within the window.
    const rate = LIMITS.CHANNEL_OPEN_RATE;
    const recent = opens.filter((t) => rt.now() - t < rate.windowMs);
    check(recent.length >= rate.value, `mvOpenChannel was rate-limited after only ${recent.length} opens in the window`);
    await rt.wait(rate.windowMs - (rt.now() - recent[recent.length - rate.value]) + 1);
    status = call(rt.sys, 'mvOpenChannel', [cast.openParams(MV_CHANNELTYPE_MQTT), h]);
  }
  check(status === MV_STATUS_OKAY, `after the run mvOpenChannel returned ${statusName(status)}`);
  const publish = { correlation_id: 1, topic: { data: 'fuzz/after', length: 10 }, payload: { data: 'ok', length: 2 }, desired_qos: 0, retain: 0 };
  check(call(rt.sys, 'mvMqttRequestPublish', [h.value, publish]) === MV_STATUS_OKAY, 'after the run mvMqttRequestPublish failed');
  await rt.event('settle');
  const type = out(0 as MvMqttReadableDataType);
  check(call(rt.sys, 'mvMqttGetNextReadableDataType', [h.value, type]) === MV_STATUS_OKAY && type.value === MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE, 'after the run no publish response was queued');
  check(call(rt.sys, 'mvMqttReadPublishResponse', [h.value, newMvMqttPublishResponse()]) === MV_STATUS_OKAY, 'after the run mvMqttReadPublishResponse failed');
  check(call(rt.sys, 'mvCloseChannel', [h]) === MV_STATUS_OKAY, 'after the run mvCloseChannel failed');
  check(call(rt.sys, 'mvGetNetworkStatus', [cast.reservedNetwork, out(0)]) === MV_STATUS_OKAY, 'after the run mvGetNetworkStatus failed');
}

async function runSequence(name: RuntimeName, steps: readonly Step[]): Promise<void> {
  const rt = name === 'mock' ? mockRuntime() : deviceRuntime();
  const pool = new HandlePool();
  const opens: number[] = [];
  try {
    const cast = await setUp(rt, pool, opens);
    for (const step of steps) {
      if ('world' in step) {
        await rt.event(step.world);
        continue;
      }
      const args = step.args.map((r) => materialize(r, pool));
      const before = args.map((a) => (typeof a === 'object' && a !== null && 'value' in a ? (a as { value: unknown }).value : undefined));
      const status = call(rt.sys, step.fn, args);
      counters[name]++;
      seen[name].add(`${step.fn} ${statusName(status)}`);
      track(pool, step.fn, args, before, status, opens, rt.now());
    }
    await stillWorks(rt, pool, cast, opens);
  } finally {
    await rt.dispose();
  }
}

beforeAll(async () => {
  // The device core dials what a connect request names: only a local port nobody listens on.
  world = { hosts: ['127.0.0.1'], ports: [await freePort()] };
  console.log(`fuzz seed ${SEED} (rerun with FUZZ_SEED=${SEED}); budget ${BUDGET} calls`);
});

afterAll(() => {
  const total = counters.mock + counters.device;
  const rows = (Object.keys(FUNCTIONS) as MvFunctionName[]).reduce((n, fn) => n + FUNCTIONS[fn].errors.length + 1, 0);
  console.log(
    `fuzz: ${total} syscalls (mock ${counters.mock} in ${(elapsed.mock / 1000).toFixed(1)} s, device core ${counters.device} in ${(elapsed.device / 1000).toFixed(1)} s), seed ${SEED}; ` +
      `(function, status) pairs reached, OKAY included, of ${rows}: mock ${seen.mock.size}, device core ${seen.device.size}`,
  );
});

describe('fuzzing every syscall with arbitrary arguments', () => {
  for (const name of ['mock', 'device'] as const) {
    it(`${name === 'mock' ? 'the mock' : 'the device core'}: no exception, only listed statuses, still works afterwards`, async () => {
      const arbs = new RecipeArbitraries(world);
      const events = fc.constantFrom<WorldEvent>('lose-network', 'restore-network', 'settle', 'settle', 'time-passes');
      const step: fc.Arbitrary<Step> = fc.oneof({ weight: 24, arbitrary: arbs.anyCall() }, { weight: 1, arbitrary: events.map((world) => ({ world })) });
      const target = Math.ceil(BUDGET * SHARE[name]);
      const started = performance.now();
      const property = fc.asyncProperty(fc.array(step, { minLength: MAX_STEPS / 2, maxLength: MAX_STEPS }), (steps) => runSequence(name, steps));
      // Batches of runs until this runtime's share of the budget is spent; batch b uses seed SEED + b.
      for (let batch = 0; counters[name] < target; batch++) {
        const runs = Math.ceil((target - counters[name]) / (MAX_STEPS * 0.7));
        await fc.assert(property, { seed: SEED + batch, numRuns: runs });
      }
      elapsed[name] = performance.now() - started;
      expect(counters[name]).toBeGreaterThanOrEqual(target);
      // A generous bound (a quiet machine needs a fraction of it): 200,000 calls on a loaded 2-core box take minutes.
    }, 900_000);
  }

  it('made the budgeted number of syscalls on each runtime, every function of the spec among them', () => {
    const all = Object.keys(FUNCTIONS) as MvFunctionName[];
    for (const name of ['mock', 'device'] as const) {
      expect(counters[name], name).toBeGreaterThanOrEqual(BUDGET);
      const called = new Set([...seen[name]].map((pair) => pair.split(' ')[0]));
      expect(all.filter((fn) => !called.has(fn)), `functions ${name} never saw`).toEqual([]);
    }
  });
});
