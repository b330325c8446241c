/**
 * A failing call has no effect. For every output parameter of every function in the spec (the
 * pointers the kernel writes through, `out` and `inout`), a call that would succeed is made with
 * that output read-only: it must return PARAMETERFAULT and leave the kernel exactly as it was
 * (live handles, channels, unread items, interrupts taken). The same call with a writable output
 * must then succeed, which shows the arguments were good. Runs on the device core and the mock.
 *
 * The cases come from the spec's metadata; how to make a good call is written once per function
 * below, so a new function with an output fails here until it has a recipe.
 */
import {
  FUNCTIONS,
  LIMITS,
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE,
  MV_STATUS_OKAY,
  newMvMqttConnectResponse,
  newMvMqttDisconnectResponse,
  newMvMqttPublishResponse,
  out,
  statusName,
  type MvFunctionName,
  type MvParamInfo,
  type MvStatus,
} from '@mvmqtt/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwritableStatus } from '@mvmqtt/sdk/runtime';
import { connectRequest, publishRequest, typeBox } from './support/args.js';
import { IO_GOOD_CALLS } from './no-effect-io.js';
import { makeRig, World, type Rig, type RuntimeName } from './support/rig.js';
import { CORE_GOOD_CALLS } from './support/good-calls-core.js';

/** Arguments of a call that succeeds on the rig as it is now; built fresh for each use. */
type GoodCall = (rig: Rig) => Promise<() => unknown[]>;

const LIVE_CHANNEL: GoodCall = async (r) => {
  const ch = r.channel();
  return () => [ch, typeBox()];
};

async function waitingResponse(r: Rig, request: (ch: ReturnType<Rig['channel']>) => MvStatus, type: number): Promise<ReturnType<Rig['channel']>> {
  const ch = await r.connected();
  expect(statusName(request(ch))).toBe('MV_STATUS_OKAY');
  await r.waitFor(ch, type as never);
  return ch;
}

const GOOD_CALLS: Partial<Record<MvFunctionName, GoodCall>> = {
  ...CORE_GOOD_CALLS,
  ...IO_GOOD_CALLS,
  mvSetupNotifications: async () => () => {
    const buffer = new Uint8Array(256);
    // The top of the IRQ range: the rig takes lines from the bottom.
    return [{ irq: LIMITS.NOTIFICATION_IRQ_RANGE.max, buffer, buffer_size: buffer.byteLength }, out(0)];
  },
  mvCloseNotifications: async (r) => {
    const centre = r.centre();
    return () => [out(centre)];
  },
  mvRequestNetwork: async (r) => {
    const centre = r.centre();
    return () => [{ version: 1, v1: { notification_handle: centre, notification_tag: 9 } }, out(0)];
  },
  mvReleaseNetwork: async (r) => {
    const network = r.network();
    return () => [out(network)];
  },
  mvGetNetworkStatus: async (r) => {
    const network = r.network();
    return () => [network, out(0)];
  },
  mvGetNetworkReasons: async () => () => [out(0), out(0)],
  mvOpenChannel: async (r) => {
    const params = r.openParams();
    return () => [params, out(0)];
  },
  mvCloseChannel: async (r) => {
    const ch = r.channel();
    return () => [out(ch)];
  },
  mvGetChannelClosureReason: async (r) => {
    const ch = r.channel();
    return () => [ch, out(0)];
  },
  mvMqttGetNextReadableDataType: LIVE_CHANNEL,
  mvMqttReadConnectResponse: async (r) => {
    const ch = r.channel();
    expect(statusName(r.sys.mvMqttRequestConnect(ch, connectRequest(r.broker, `no-effect-${r.name}-${Date.now()}`)))).toBe('MV_STATUS_OKAY');
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE);
    return () => [ch, newMvMqttConnectResponse()];
  },
  mvMqttReadPublishResponse: async (r) => {
    const ch = await waitingResponse(r, (c) => r.sys.mvMqttRequestPublish(c, publishRequest('no-effect', 'x')), MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE);
    return () => [ch, newMvMqttPublishResponse()];
  },
  mvMqttReadDisconnectResponse: async (r) => {
    const ch = await waitingResponse(r, (c) => r.sys.mvMqttRequestDisconnect(c), MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE);
    return () => [ch, newMvMqttDisconnectResponse()];
  },
};

/**
 * Pointers the kernel writes through directly (`out`/`inout` parameters), from the spec. Byte
 * buffers with a length argument are left out: JavaScript cannot make a typed array read-only
 * (Object.freeze refuses one with elements); their faults (NULL, too short) are error-table rows.
 */
const CASES = (Object.keys(FUNCTIONS) as MvFunctionName[]).flatMap((fn) =>
  (FUNCTIONS[fn].params as readonly MvParamInfo[]).flatMap((p, index) => ((p.direction === 'out' || p.direction === 'inout') && p.countedBy === undefined ? [{ fn, param: p.name, index }] : [])),
);

const RUNTIMES: readonly RuntimeName[] = ['device', 'mock'];
const world = new World();
beforeAll(() => world.start());
afterAll(() => world.stop());

describe('a call whose output cannot be written has no effect', () => {
  it('covers every output parameter of the spec', () => {
    expect(CASES.length).toBeGreaterThan(0);
    const missing = [...new Set(CASES.map((c) => c.fn))].filter((fn) => !GOOD_CALLS[fn]);
    expect(missing, 'functions with outputs and no good call in no-effect.test.ts').toEqual([]);
  });

  for (const runtime of RUNTIMES) {
    for (const c of CASES) {
      it(`${runtime}: ${c.fn} with ${c.param} read-only`, async () => {
        const rig = makeRig(runtime, world);
        try {
          const args = await GOOD_CALLS[c.fn]!(rig);
          await rig.settle();
          const before = rig.state();
          const bad = args();
          // A byte buffer cannot be made read-only in JavaScript: the unwritable form of one is NULL.
          if (ArrayBuffer.isView(bad[c.index])) bad[c.index] = null;
          else Object.freeze(bad[c.index]);
          const call = rig.sys[c.fn] as (...a: unknown[]) => MvStatus;
          expect(statusName(call.apply(rig.sys, bad))).toBe(statusName(unwritableStatus(c.fn)));
          await rig.settle();
          expect(rig.state()).toEqual(before);
          // The same call with a writable output goes ahead: the arguments were good.
          expect(statusName(call.apply(rig.sys, args()))).toBe(statusName(MV_STATUS_OKAY));
        } finally {
          await rig.dispose();
        }
      });
    }
  }
});
