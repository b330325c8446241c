/**
 * Decisions recorded as errata that change what a call returns, checked on both runtimes.
 * Erratum "Zero-byte client ID with MQTT 3.1.1": the vendor page allows an empty client ID with
 * a clean session on 3.1.1; the header lists a missing client ID as REQUIREDELEMENTMISSING, and
 * the spec follows the header, so the device core and the mock both refuse it and send nothing.
 */
import { MV_MQTTPROTOCOLVERSION_V3_1_1, MV_MQTTPROTOCOLVERSION_V5, MV_STATUS_REQUIREDELEMENTMISSING, statusName } from '@mvmqtt/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRequest, str } from './support/args.js';
import { makeRig, World, type Rig, type RuntimeName } from './support/rig.js';

const world = new World();
beforeAll(() => world.start());
afterAll(() => world.stop());

describe.each<RuntimeName>(['device', 'mock'])('an empty client ID on the %s', (name) => {
  let rig: Rig;
  beforeAll(() => {
    rig = makeRig(name, world);
  });
  afterAll(() => rig.dispose());

  for (const [version, protocol] of [
    ['3.1.1', MV_MQTTPROTOCOLVERSION_V3_1_1],
    ['5', MV_MQTTPROTOCOLVERSION_V5],
  ] as const)
    it(`is refused as a missing element with MQTT ${version} and a clean session`, async () => {
      const req = connectRequest(rig.broker, '');
      req.protocol_version = protocol;
      req.clean_start = 1;
      req.clientid = str('');
      const channel = rig.channel();
      expect(statusName(rig.sys.mvMqttRequestConnect(channel, req))).toBe(statusName(MV_STATUS_REQUIREDELEMENTMISSING));
      // Nothing was sent: the same channel still takes its one connect.
      expect(statusName(rig.sys.mvMqttRequestConnect(channel, connectRequest(rig.broker, `errata-${name}-${process.pid}`)))).toBe('MV_STATUS_OKAY');
    });
});
