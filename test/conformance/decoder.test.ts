/**
 * The argument checks both runtimes run (the SDK's generated decoder), seen through real calls on
 * each: widths the spec states for a field or a parameter, a limit's status, a length running past its data, and
 * no side effect from a refused call. Neither runtime checks these by hand any more, so each case
 * fails on both if its generated check is removed.
 */
import { LIMITS, MV_STATUS_LATEFAULT, MV_STATUS_OKAY, MV_STATUS_PARAMETERFAULT, MV_STATUS_PERIPHERALACCESSFAULT, out, statusName, type MvExternalFlashHandle, type MvStatus } from '@mvmqtt/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRequest, publishRequest, str } from './support/args.js';
import { makeRig, World, type RuntimeName } from './support/rig.js';

const world = new World();
beforeAll(() => world.start());
afterAll(() => world.stop());

const name = (s: MvStatus) => statusName(s);

describe.each<RuntimeName>(['device', 'mock'])('%s', (runtime) => {
  it('MvMqttConnectRequest.port is uint16_t and clean_start uint8_t: wider, negative or fractional values are PARAMETERFAULT, with no effect', async () => {
    const r = makeRig(runtime, world);
    try {
      const ch = r.channel();
      const request = (over: Record<string, unknown>) => ({ ...connectRequest(world.broker, `decoder-${runtime}`), ...over });
      for (const port of [0x10000, -1, 80.5]) expect(name(r.sys.mvMqttRequestConnect(ch, request({ port }))), `port ${port}`).toBe(name(MV_STATUS_PARAMETERFAULT));
      for (const clean_start of [0x100, -1]) expect(name(r.sys.mvMqttRequestConnect(ch, request({ clean_start }))), `clean_start ${clean_start}`).toBe(name(MV_STATUS_PARAMETERFAULT));
      // None of them counted as the channel's one connect.
      expect(name(r.sys.mvMqttRequestConnect(ch, request({})))).toBe(name(MV_STATUS_OKAY));
    } finally {
      await r.dispose();
    }
  });

  it('MvMqttPublishRequest.desired_qos is held against MQTT_PUBLISH_QOS before anything else about the channel', async () => {
    const r = makeRig(runtime, world);
    try {
      const ch = await r.connected();
      for (const qos of [3, 0x1_0000_0000]) expect(name(r.sys.mvMqttRequestPublish(ch, publishRequest('t/decoder', 'x', qos))), `qos ${qos}`).toBe(name(LIMITS.MQTT_PUBLISH_QOS.status));
      // A topic whose length runs past its data is read while the request goes out: late, and the channel ends.
      const bad = { ...publishRequest('t/decoder', 'x', 1), topic: { data: new Uint8Array(3), length: 9 } };
      expect(name(r.sys.mvMqttRequestPublish(ch, bad))).toBe(name(MV_STATUS_LATEFAULT));
      expect(name(r.sys.mvMqttRequestPublish(ch, { ...publishRequest('t/decoder', 'x', 1), topic: str('t/decoder') }))).not.toBe(name(MV_STATUS_OKAY));
    } finally {
      await r.dispose();
    }
  });

  it('external flash address and length are uint32_t parameters: a value outside is PARAMETERFAULT, and nothing is read or written', async () => {
    const r = makeRig(runtime, world);
    try {
      const h = out(0 as MvExternalFlashHandle);
      expect(name(r.sys.mvExternalFlashOpen(h))).toBe(name(MV_STATUS_OKAY));
      const written = new Uint8Array([1, 2, 3, 4]);
      expect(name(r.sys.mvExternalFlashWriteBlocking(h.value, 0, 4, written))).toBe(name(MV_STATUS_OKAY));
      const buf = new Uint8Array(4).fill(0xaa);
      for (const address of [1.5, -1, 0x1_0000_0000, '0']) expect(name(r.sys.mvExternalFlashReadBlocking(h.value, address as number, 4, buf)), `address ${address}`).toBe(name(MV_STATUS_PARAMETERFAULT));
      for (const length of [2.5, -4, 0x1_0000_0004]) expect(name(r.sys.mvExternalFlashReadBlocking(h.value, 0, length, buf)), `length ${length}`).toBe(name(MV_STATUS_PARAMETERFAULT));
      expect([...buf]).toEqual([0xaa, 0xaa, 0xaa, 0xaa]);
      for (const length of [-4, 0x1_0000_0004]) expect(name(r.sys.mvExternalFlashWriteBlocking(h.value, 0, length, new Uint8Array(4))), `write length ${length}`).toBe(name(MV_STATUS_PARAMETERFAULT));
      expect(name(r.sys.mvExternalFlashReadBlocking(h.value, 0, 4, buf))).toBe(name(MV_STATUS_OKAY));
      expect([...buf]).toEqual([1, 2, 3, 4]);
    } finally {
      await r.dispose();
    }
  });

  it("mvPeriphPoke32's mask is a uint32_t; the call lists one status, so a mask outside is PERIPHERALACCESSFAULT, and the register keeps its value", async () => {
    const r = makeRig(runtime, world);
    try {
      const RCC_CR = 0x46020c00;
      const peek = () => {
        const v = out(0);
        expect(name(r.sys.mvPeriphPeek32(RCC_CR, v))).toBe(name(MV_STATUS_OKAY));
        return v.value;
      };
      const before = peek();
      for (const mask of [0x1_0000_0000, -1, 0.5, 'x']) expect(name(r.sys.mvPeriphPoke32(RCC_CR, mask as number, 1)), `mask ${mask}`).toBe(name(MV_STATUS_PERIPHERALACCESSFAULT));
      expect(peek()).toBe(before);
    } finally {
      await r.dispose();
    }
  });
});
