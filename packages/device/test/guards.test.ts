// Every system call answers malformed arguments with a status from its own error table, never an exception.
import fc from 'fast-check';
import { FUNCTIONS, MV_STATUS_OKAY, MV_STATUS_PARAMETERFAULT, statusName } from '@mvmqtt/sdk';
import { unwritableStatus } from '@mvmqtt/sdk/runtime';
import type { MvFunctionName } from '@mvmqtt/sdk';
import { describe, expect, it } from 'vitest';
import { Device } from '../src/index.js';
import { Center, connectRequest, openMqtt, requestNetwork } from './helpers.js';
import { propertySeed } from '../../../test/support/seed.js';

const NAMES = Object.keys(FUNCTIONS) as MvFunctionName[];
const allowed = (fn: MvFunctionName) => new Set<number>([MV_STATUS_OKAY, ...FUNCTIONS[fn].errors.map((e) => e.status)]);

/** A device with one live object of each kind, so that handle-shaped garbage sometimes hits something real. */
function world() {
  const device = new Device();
  const center = new Center(device, 1);
  const network = requestNetwork(device, center);
  const channel = openMqtt(device, center, network);
  return { device, handles: [center.handle, network, channel] as number[] };
}

const garbage = (handles: number[]) =>
  fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.constantFrom(...handles),
    fc.integer(),
    fc.double(),
    fc.string(),
    fc.uint8Array({ maxLength: 64 }),
    fc.constant(new Uint32Array(2)),
    fc.constant({ value: 0 }),
    fc.constant(Object.freeze({ value: 0 })),
    fc.anything({ maxDepth: 3 }),
    fc.record({ data: fc.oneof(fc.string(), fc.uint8Array(), fc.constant(null)), length: fc.integer({ min: -2, max: 80 }) }),
  );

describe('system-call guards', () => {
  it('the device implements every function of the spec', () => {
    const device = new Device();
    for (const fn of NAMES) expect(typeof (device as unknown as Record<string, unknown>)[fn], fn).toBe('function');
  });

  // Functions that take only values (mvNoOp, the fast-interrupt switches, ...) have no pointer to pass NULL for.
  it.each(NAMES.filter((fn) => FUNCTIONS[fn].params.some((p) => p.direction !== 'value')))('%s with NULL for every pointer returns a listed status', (fn) => {
    const { device } = world();
    const args = FUNCTIONS[fn].params.map((p) => (p.direction === 'value' ? 0 : null));
    const status = (device as unknown as Record<string, (...a: unknown[]) => number>)[fn](...args);
    expect(allowed(fn).has(status), `${fn} returned ${statusName(status)}`).toBe(true);
    expect(status).not.toBe(MV_STATUS_OKAY);
    // Calls with a pointer parameter report the NULL as a fault unless the handle is checked first.
    if (FUNCTIONS[fn].params.every((p) => p.direction !== 'value')) expect(statusName(status)).toBe(statusName(unwritableStatus(fn)));
  });

  it('random arguments never throw and only produce statuses from the error tables', () => {
    const { device, handles } = world();
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), fc.array(garbage(handles), { minLength: 0, maxLength: 3 }), (fn, args) => {
        const status = (device as unknown as Record<string, (...a: unknown[]) => number>)[fn](...args);
        return allowed(fn).has(status);
      }),
      { numRuns: 3000, seed: propertySeed('device guards') },
    );
    expect(device.diagnostics.statusViolations).toBe(0);
  });

  it('a connect request whose port or clean_start does not fit its C field is a PARAMETERFAULT', () => {
    const { device, handles } = world();
    const channel = handles[2] as Parameters<Device['mvMqttRequestConnect']>[0];
    // uint16_t port and uint8_t clean_start in the vendor header.
    expect(statusName(device.mvMqttRequestConnect(channel, { ...connectRequest({ host: '127.0.0.1', port: 1883 }), port: 0x1_0000 }))).toBe(statusName(MV_STATUS_PARAMETERFAULT));
    expect(statusName(device.mvMqttRequestConnect(channel, { ...connectRequest({ host: '127.0.0.1', port: 1883 }), clean_start: 0x100 }))).toBe(statusName(MV_STATUS_PARAMETERFAULT));
  });
});
