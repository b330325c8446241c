/**
 * Topic and filter bytes end to end, against aedes (MQTT 3.1.1) and mosquitto (MQTT 5): whatever
 * bytes the application passes, the device either refuses them with the spec's status and sends
 * nothing, or the broker gets exactly those bytes; either way the session stays usable. What
 * MQTT allows comes from test/support/topic-oracle.ts, not from the validator under test.
 */
import fc from 'fast-check';
import mqtt from 'mqtt';
import {
  LIMITS,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
  MV_STATUS_OKAY,
  MV_STATUS_PARAMETERFAULT,
} from '@mvmqtt/sdk';
import type { MvChannelHandle, MvSizedString } from '@mvmqtt/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAedes, startMosquitto } from '../../../test/support/brokers.js';
import { propertySeed } from '../../../test/support/seed.js';
import { bytesOf, mqttAllows, topicBytes } from '../../../test/support/topic-oracle.js';
import { describeWithTools } from '../../../test/support/tools.js';
import type { Device } from '../src/index.js';
import { bytes, connected, deviceFixture, expectOk, expectStatus, nextItem, str, subscription } from './helpers.js';

const { setup, id } = deviceFixture();
const SEED = propertySeed('device topics');
const TOO_LONG = LIMITS.MQTT_TOPIC_LENGTH_MAX.value + 1;

/** The status MQTT's rules call for: OKAY when allowed, the length limit's status past it, else PARAMETERFAULT. */
function expectedStatus(kind: 'name' | 'filter', b: Uint8Array): number {
  if (mqttAllows(kind, b)) return MV_STATUS_OKAY;
  return b.byteLength > LIMITS.MQTT_TOPIC_LENGTH_MAX.value ? LIMITS.MQTT_TOPIC_LENGTH_MAX.status : MV_STATUS_PARAMETERFAULT;
}

const publish = (device: Device, ch: MvChannelHandle, topic: MvSizedString, correlation_id: number) =>
  device.mvMqttRequestPublish(ch, { correlation_id, topic, payload: str(String(correlation_id)), desired_qos: 1, retain: 0 });

/** A valid publish still completes: the session survived whatever came before. */
async function expectUsable(device: Device, ch: MvChannelHandle, correlationId: number): Promise<void> {
  expectOk(publish(device, ch, str('still/usable'), correlationId), 'publish after the refusals');
  expect(await nextItem(device, ch)).toMatchObject({ type: 'publish', requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, correlationId });
}

interface BrokerUnderTest {
  url: string;
  host: string;
  port: number;
  v5: boolean;
}

function topicSuite(broker: () => BrokerUnderTest): void {
  const at = () => ({ host: broker().host, port: broker().port, v5: broker().v5 });

  it('publish: arbitrary topic bytes are refused with the documented status, or reach the broker unchanged', async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    // A second client sees what the broker got.
    const peer = await mqtt.connectAsync(broker().url, { reconnectPeriod: 0, protocolVersion: broker().v5 ? 5 : 4 });
    const seen = new Map<string, Buffer>(); // payload (the correlation id) → topic bytes
    peer.on('message', (topic, payload) => seen.set(payload.toString(), Buffer.from(topic, 'utf8')));
    await peer.subscribeAsync('#', { qos: 1 });
    try {
      const samples = [
        // Topics starting with $ are legal MQTT but reserved by brokers, which may drop the
        // connection over a publish to them (aedes does for $SYS): the pure property test covers them.
        ...fc.sample(topicBytes(), { numRuns: 120, seed: SEED }).filter((b) => b[0] !== 0x24),
        bytesOf('a', [0], 'b'),
        bytesOf('a/', [0xff]),
        new Uint8Array(0),
        new Uint8Array(TOO_LONG).fill(0x61),
      ];
      let correlation = 1;
      for (const b of samples) {
        const c = correlation++;
        const status = publish(device, ch, bytes(b), c);
        const what = `publish to ${Buffer.from(b.subarray(0, 40)).toString('hex')} (${b.byteLength} bytes)`;
        expectStatus(status, expectedStatus('name', b), what);
        if (status !== MV_STATUS_OKAY) continue;
        expect(await nextItem(device, ch), what).toMatchObject({ type: 'publish', requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, correlationId: c });
        await device.waitFor(() => seen.has(String(c)), 10_000, `the peer to get ${what}`);
        expect(seen.get(String(c))!.equals(b), what).toBe(true);
      }
      await expectUsable(device, ch, correlation);
    } finally {
      await peer.endAsync();
    }
  });

  it('subscribe and unsubscribe: arbitrary filter bytes are refused with the documented status, or answered by the broker', async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    const samples = [...fc.sample(topicBytes(), { numRuns: 60, seed: SEED + 1 }), new Uint8Array(0), bytesOf('a/#/b'), bytesOf([0xc3]), new Uint8Array(TOO_LONG).fill(0x2b)];
    let correlation = 1;
    for (const b of samples) {
      const what = `filter ${Buffer.from(b.subarray(0, 40)).toString('hex')} (${b.byteLength} bytes)`;
      const wanted = expectedStatus('filter', b);
      const sub = { ...subscription('x'), topic: bytes(b) };
      // One good filter first: a refusal must take back the whole request.
      const subStatus = device.mvMqttRequestSubscribe(ch, { correlation_id: correlation++, subscriptions: [subscription('ok/first'), sub], num_subscriptions: 2 });
      expectStatus(subStatus, wanted, `subscribe to ${what}`);
      if (subStatus === MV_STATUS_OKAY) expect(await nextItem(device, ch), what).toMatchObject({ type: 'subscribe', requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED });
      const unsubStatus = device.mvMqttRequestUnsubscribe(ch, { correlation_id: correlation++, topics: [str('ok/first'), bytes(b)], num_topics: 2 });
      expectStatus(unsubStatus, wanted, `unsubscribe from ${what}`);
      if (unsubStatus === MV_STATUS_OKAY) expect(await nextItem(device, ch), what).toMatchObject({ type: 'unsubscribe', requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED });
    }
    await expectUsable(device, ch, correlation);
  });

  it('a JavaScript string with an unpaired surrogate is not UTF-8: refused, not replaced', async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    const topic = 'a/\uD800';
    expectStatus(publish(device, ch, { data: topic, length: Buffer.byteLength(topic) }, 1), MV_STATUS_PARAMETERFAULT);
    expectStatus(device.mvMqttRequestSubscribe(ch, { correlation_id: 2, subscriptions: [subscription(topic)], num_subscriptions: 1 }), MV_STATUS_PARAMETERFAULT);
    await expectUsable(device, ch, 3);
  });

  it('one topic buffer rewritten between publishes: each publish is judged and sent by the bytes it holds at the call', async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    const peer = await mqtt.connectAsync(broker().url, { reconnectPeriod: 0, protocolVersion: broker().v5 ? 5 : 4 });
    const seen = new Map<string, string>(); // payload (the correlation id) → topic
    peer.on('message', (topic, payload) => seen.set(payload.toString(), topic));
    await peer.subscribeAsync('reuse/#', { qos: 1 });
    try {
      const buffer = Buffer.from('reuse/a');
      const steps: [text: string, length: number, status: number, sent?: string][] = [
        ['reuse/a', 7, MV_STATUS_OKAY, 'reuse/a'],
        ['reuse/+', 7, MV_STATUS_PARAMETERFAULT],
        ['reuse/b', 7, MV_STATUS_OKAY, 'reuse/b'],
        ['reuse/b', 6, MV_STATUS_OKAY, 'reuse/'],
        ['reuse/#', 7, MV_STATUS_PARAMETERFAULT],
        ['reuse/b', 7, MV_STATUS_OKAY, 'reuse/b'],
      ];
      let correlation = 1;
      for (const [text, length, status, sent] of steps) {
        const c = correlation++;
        buffer.write(text); // in place: the same memory every time, as firmware reuses a static buffer
        const what = `publish to "${text.slice(0, length)}" (step ${c})`;
        expectStatus(publish(device, ch, { data: buffer, length }, c), status, what);
        if (sent === undefined) continue;
        expect(await nextItem(device, ch), what).toMatchObject({ type: 'publish', requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, correlationId: c });
        await device.waitFor(() => seen.has(String(c)), 10_000, `the peer to get ${what}`);
        expect(seen.get(String(c)), what).toBe(sent);
      }
    } finally {
      await peer.endAsync();
    }
  });

  it('a topic past the MQTT length leaves the channel working and powerOff() clean', async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    expectStatus(publish(device, ch, str('t'.repeat(TOO_LONG)), 1), LIMITS.MQTT_TOPIC_LENGTH_MAX.status);
    await expectUsable(device, ch, 2);
    await expect(device.powerOff()).resolves.toBeUndefined();
  });
}

describe('topic bytes against aedes (MQTT 3.1.1)', () => {
  let aedes: Awaited<ReturnType<typeof startAedes>>;
  beforeAll(async () => {
    aedes = await startAedes();
  });
  afterAll(async () => {
    await aedes?.close();
  });
  topicSuite(() => ({ url: aedes.url, host: aedes.host, port: aedes.port, v5: false }));
});

describeWithTools(['mosquitto'], 'topic bytes against mosquitto (MQTT 5)', () => {
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.close();
  });
  topicSuite(() => ({ url: broker.url, host: broker.host, port: broker.port, v5: true }));
});
