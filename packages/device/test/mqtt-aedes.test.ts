// MQTT channels against the embedded broker (aedes, MQTT 3.1.1), end to end through mqtt.js.
import mqtt from 'mqtt';
import {
  LIMITS,
  MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER,
  MV_CLOSUREREASON_CLOSEDBYAPPLICATION,
  MV_CLOSUREREASON_CONNECTIONTERMINATED,
  MV_CLOSUREREASON_NETWORKDISCONNECTED,
  MV_EVENTTYPE_CHANNELDATAREADABLE,
  MV_EVENTTYPE_CHANNELNOTCONNECTED,
  MV_MQTTLOSTMESSAGEREASON_DEVICERECEIVEBUFFERTOOSMALL,
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED,
  MV_MQTTREADABLEDATATYPE_NONE,
  MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE,
  MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE,
  MV_MQTTREQUESTSTATE_CONNECTIONCIRCUITBREAKER,
  MV_MQTTREQUESTSTATE_NOTCONNECTED,
  MV_MQTTREQUESTSTATE_NXDOMAIN,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
  MV_MQTTREQUESTSTATE_SOCKETERROR,
  MV_STATUS_CHANNELCLOSED,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_LATEFAULT,
  MV_STATUS_PARAMETERFAULT,
  MV_STATUS_RATELIMITED,
  MV_STATUS_REQUESTALREADYSENT,
  MV_STATUS_REQUIREDELEMENTMISSING,
  MV_STATUS_TOOMANYELEMENTS,
  MV_STATUS_WRONGDATAREQUESTED,
  newMvMqttConnectResponse,
  newMvMqttPublishResponse,
  out,
} from '@mvmqtt/sdk';
import type { MvChannelHandle, MvClosureReason } from '@mvmqtt/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startAedes, type AedesHarness } from '../../../test/support/brokers.js';
import {
  NONE,
  connectRequest,
  connected,
  expectOk,
  expectStatus,
  nextItem,
  openMqtt,
  peek,
  readItem,
  readableNotifications,
  sleep,
  str,
  subscribed,
  subscription,
  waitForItem,
  deviceFixture,
} from './helpers.js';

let broker: AedesHarness;
/** Topics whose subscription aedes refuses (SUBACK 0x80). */
const FORBIDDEN = 'forbidden/#';
/** Username whose CONNECT aedes refuses with return code 4 (bad user name or password). */
const BAD_USER = 'intruder';

beforeAll(async () => {
  broker = await startAedes({
    authenticate: (_client, username, _password, done) => {
      if (username === BAD_USER) done(Object.assign(new Error('bad user'), { returnCode: 4 }) as never, false);
      else done(null, true);
    },
    // A null subscription is aedes' way of refusing one topic (0x80) without dropping the client.
    authorizeSubscribe: (_client, sub, done) => done(null, (sub.topic === FORBIDDEN ? null : sub) as never),
  });
});
afterAll(async () => {
  await broker.close();
});

const { setup, id } = deviceFixture();

async function peer(clientId?: string) {
  return mqtt.connectAsync(broker.url, { reconnectPeriod: 0, clientId });
}

const at = () => ({ host: broker.host, port: broker.port });

describe('connect', () => {
  it('reports success as one CONNECTRESPONSE item with one notification; a second connect is REQUESTALREADYSENT', async () => {
    const { device, center, network } = setup();
    const ch = openMqtt(device, center, network, 7);
    expectOk(device.mvMqttRequestConnect(ch, connectRequest(at())));
    expectStatus(device.mvMqttRequestConnect(ch, connectRequest(at())), MV_STATUS_REQUESTALREADYSENT);
    await waitForItem(device, ch, MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE);
    await device.idle();
    expect(readableNotifications(center, 7)).toBe(1);
    // Peeking does not consume; reading the wrong type is refused and consumes nothing.
    expect(peek(device, ch)).toBe(MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE);
    expectStatus(device.mvMqttReadPublishResponse(ch, newMvMqttPublishResponse()), MV_STATUS_WRONGDATAREQUESTED);
    expectStatus(device.mvMqttReadConnectResponse(ch, null), MV_STATUS_PARAMETERFAULT);
    const r = newMvMqttConnectResponse();
    expectOk(device.mvMqttReadConnectResponse(ch, r));
    expect(r).toEqual({ request_state: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, reason_code: 0 });
    expect(peek(device, ch)).toBe(MV_MQTTREADABLEDATATYPE_NONE);
    expectStatus(device.mvMqttReadConnectResponse(ch, r), MV_STATUS_WRONGDATAREQUESTED, 'nothing queued');
    expectStatus(device.mvMqttRequestConnect(ch, connectRequest(at())), MV_STATUS_REQUESTALREADYSENT, 'after success too');
  });

  it('an observer attached after the device was made sees the channel\'s readable items and packets, and none once it leaves', async () => {
    const { device, center, network } = setup();
    const seen: string[] = [];
    const stop = device.observe((e) => {
      if (e.kind === 'readable' || e.kind === 'mqtt-packet') seen.push(e.kind);
    });
    const ch = openMqtt(device, center, network, 9);
    expectOk(device.mvMqttRequestConnect(ch, connectRequest(at())));
    await waitForItem(device, ch, MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE);
    expect(seen).toContain('readable');
    expect(seen).toContain('mqtt-packet');
    stop();
    seen.length = 0;
    expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 1, topic: str('t'), payload: str('p'), desired_qos: 0, retain: 0 }));
    expect(peek(device, ch)).toBe(MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE);
    await device.idle();
    expect(seen).toEqual([]);
  });

  it('a refused CONNACK is REQUESTCOMPLETED with the broker’s code (raw by default, MQTT 5 codes on request)', async () => {
    for (const [mapping, code] of [
      ['raw', 4],
      ['v5', 0x86],
    ] as const) {
      const { device, center, network } = setup({ connackCodes: mapping });
      const ch = openMqtt(device, center, network);
      expectOk(device.mvMqttRequestConnect(ch, connectRequest({ ...at(), username: BAD_USER, password: 'x' })));
      expect(await nextItem(device, ch)).toEqual({ type: 'connect', requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, reasonCode: code });
      const reason = out(0 as MvClosureReason);
      expectOk(device.mvGetChannelClosureReason(ch, reason));
      expect(reason.value).toBe(MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER);
    }
  });

  it('transport failures arrive as a connect response: refused port → SOCKETERROR, unknown host → NXDOMAIN', async () => {
    const { device, center, network } = setup();
    const refused = openMqtt(device, center, network, 1);
    expectOk(device.mvMqttRequestConnect(refused, connectRequest({ host: '127.0.0.1', port: await freePort() })));
    expect(await nextItem(device, refused)).toEqual({ type: 'connect', requestState: MV_MQTTREQUESTSTATE_SOCKETERROR, reasonCode: 0 });
    const nx = openMqtt(device, center, network, 2);
    expectOk(device.mvMqttRequestConnect(nx, connectRequest({ host: 'nonexistent.invalid', port: 1883 })));
    expect(await nextItem(device, nx)).toEqual({ type: 'connect', requestState: MV_MQTTREQUESTSTATE_NXDOMAIN, reasonCode: 0 });
    await device.idle();
    expect(center.count(MV_EVENTTYPE_CHANNELNOTCONNECTED)).toBe(0); // reported once, as the response
  });

  it('checks the request: missing host/client ID/will parts, will QoS, bad nested pointers', async () => {
    const { device, center, network } = setup();
    const ch = openMqtt(device, center, network);
    const base = connectRequest(at());
    expectStatus(device.mvMqttRequestConnect(ch, null), MV_STATUS_PARAMETERFAULT);
    expectStatus(device.mvMqttRequestConnect(ch, { ...base, host: NONE }), MV_STATUS_REQUIREDELEMENTMISSING, 'no host');
    expectStatus(device.mvMqttRequestConnect(ch, { ...base, clientid: NONE }), MV_STATUS_REQUIREDELEMENTMISSING, 'no client id');
    expectStatus(device.mvMqttRequestConnect(ch, { ...base, will: { topic: str('w'), payload: NONE, qos: 0, retain: 0 } }), MV_STATUS_REQUIREDELEMENTMISSING, 'will without payload');
    expectStatus(
      device.mvMqttRequestConnect(ch, { ...base, will: { topic: str('w'), payload: str('p'), qos: LIMITS.MQTT_WILL_QOS.max + 1, retain: 0 } }),
      LIMITS.MQTT_WILL_QOS.status,
      'will QoS above the limit',
    );
    expectStatus(device.mvMqttRequestConnect(ch, { ...base, port: 70000 }), MV_STATUS_PARAMETERFAULT, 'port');
    // None of those were sent: the channel still takes its one connect. A bad nested pointer is found late.
    expectStatus(device.mvMqttRequestConnect(ch, { ...base, host: { data: 'abc', length: 10 } }), MV_STATUS_LATEFAULT, 'host length past its data');
    expectStatus(device.mvMqttRequestConnect(ch, base), MV_STATUS_CHANNELCLOSED, 'the channel is unusable after LATEFAULT');
    const reason = out(0 as MvClosureReason);
    expectOk(device.mvGetChannelClosureReason(ch, reason));
    expect(reason.value).toBe(MV_CLOSUREREASON_CONNECTIONTERMINATED);
  });
});

describe('requests and responses', () => {
  it('subscribe passes 3.1.1 SUBACK codes through; unsubscribe reports 0 per topic; publish QoS 0/1/2 completes with 0', async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    expect(await subscribed(device, ch, [subscription('a/+', 1), subscription(FORBIDDEN, 0), subscription('b', 0)], 11)).toEqual([1, 0x80, 0]);
    expectOk(device.mvMqttRequestUnsubscribe(ch, { correlation_id: 12, topics: [str('a/+'), str('b')], num_topics: 2 }));
    expect(await nextItem(device, ch)).toEqual({ type: 'unsubscribe', requestState: 0, correlationId: 12, reasonCodes: [0, 0] });
    for (const qos of [0, 1, 2]) {
      expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 20 + qos, topic: str('t/x'), payload: str('p'), desired_qos: qos, retain: 0 }));
      expect(await nextItem(device, ch)).toEqual({ type: 'publish', requestState: 0, correlationId: 20 + qos, reasonCode: 0 });
    }
  });

  it('delivers messages with topic, payload, QoS and retain; buffers too small leave the message queued', async () => {
    const { device, center, network } = setup();
    const other = await peer();
    await other.publishAsync('retained/t', 'kept', { qos: 1, retain: true });
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    await subscribed(device, ch, [subscription('retained/t', 1), subscription('live/#', 1)]);
    const retained = await nextItem(device, ch);
    expect(retained).toMatchObject({ type: 'message', topic: 'retained/t', payload: 'kept', qos: 1, retain: 1 });
    await other.publishAsync('live/1', 'x'.repeat(100), { qos: 0 });
    await waitForItem(device, ch, MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED);
    const small = { data: new Uint8Array(4), size: 4, length: out(0) };
    const big = { data: new Uint8Array(200), size: 200, length: out(0) };
    const boxes = { correlation_id: out(0), qos: out(0), retain: out(0) };
    expectStatus(device.mvMqttReceiveMessage(ch, { ...boxes, topic: small, payload: big }), MV_STATUS_INVALIDBUFFERSIZE, 'topic buffer');
    expectStatus(device.mvMqttReceiveMessage(ch, { ...boxes, topic: big, payload: small }), MV_STATUS_INVALIDBUFFERSIZE, 'payload buffer');
    expectOk(device.mvMqttReceiveMessage(ch, { ...boxes, topic: big, payload: { data: new Uint8Array(200), size: 200, length: out(0) } }));
    expect(big.length.value).toBe('live/1'.length);
    expect(boxes.qos.value).toBe(0);
    expect(boxes.retain.value).toBe(0);
    await other.endAsync();
  });

  it('a message bigger than the free receive buffer becomes MESSAGELOST with topic and length', async () => {
    const { device, center, network } = setup();
    const rxSize = LIMITS.CHANNEL_BUFFER_SIZE_MIN.value;
    const ch = await connected(device, center, network, { ...at(), clientId: id() }, 101, { rx: new Uint8Array(rxSize) });
    await subscribed(device, ch, [subscription('big/#', 1)]);
    const other = await peer();
    await other.publishAsync('big/1', Buffer.alloc(rxSize), { qos: 1 });
    expect(await nextItem(device, ch)).toEqual({ type: 'lost', topic: 'big/1', messageLength: rxSize + 5, reason: MV_MQTTLOSTMESSAGEREASON_DEVICERECEIVEBUFFERTOOSMALL });
    // Unread messages occupy the buffer: two that fit alone do not fit together.
    const half = rxSize / 2;
    await other.publishAsync('big/2', Buffer.alloc(half), { qos: 0 });
    await other.publishAsync('big/3', Buffer.alloc(half), { qos: 0 });
    await device.waitFor(() => readableNotifications(center, 101) >= 5, 5000, 'two more items');
    expect(await nextItem(device, ch)).toMatchObject({ type: 'message', topic: 'big/2' });
    expect(await nextItem(device, ch)).toEqual({ type: 'lost', topic: 'big/3', messageLength: half + 5, reason: 0 });
    // Once read, the space is free again.
    await other.publishAsync('big/4', Buffer.alloc(half), { qos: 0 });
    expect(await nextItem(device, ch)).toMatchObject({ type: 'message', topic: 'big/4' });
    await other.endAsync();
  });

  it('an app that reads each item in its IRQ handler keeps up with a burst (interrupts interleave with packet parsing)', async () => {
    const { device, center, network } = setup();
    const rxSize = LIMITS.CHANNEL_BUFFER_SIZE_MIN.value;
    const ch = await connected(device, center, network, { ...at(), clientId: id() }, 101, { rx: new Uint8Array(rxSize) });
    await subscribed(device, ch, [subscription('burst')]);
    const seen: string[] = [];
    // Replace the test centre's handler with one that drains the channel like firmware would.
    device.nvic.setHandler(center.irq, () => {
      const item = readItem(device, ch);
      if (item) seen.push(item.type);
    });
    const other = await peer();
    const count = 300; // 300 x ~106 bytes: far more than the 512-byte receive buffer holds at once
    for (let i = 0; i < count; i++) other.publish('burst', Buffer.alloc(100));
    await device.waitFor(() => seen.length === count, 10_000, 'every message');
    expect(seen.every((t) => t === 'message')).toBe(true);
    await other.endAsync();
  });

  it('requests before the connect response are accepted and answered NOTCONNECTED', async () => {
    const { device, center, network } = setup();
    const ch = openMqtt(device, center, network);
    expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 1, topic: str('t'), payload: str('p'), desired_qos: 1, retain: 0 }));
    expectOk(device.mvMqttRequestConnect(ch, connectRequest(at())));
    expectOk(device.mvMqttRequestSubscribe(ch, { correlation_id: 2, subscriptions: [subscription('t')], num_subscriptions: 1 }));
    expect(await nextItem(device, ch)).toEqual({ type: 'publish', requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, correlationId: 1, reasonCode: 0 });
    expect(await nextItem(device, ch)).toEqual({ type: 'subscribe', requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, correlationId: 2, reasonCodes: [] });
    expect(await nextItem(device, ch)).toMatchObject({ type: 'connect', requestState: 0 });
  });

  it('an invalid topic is refused at once (PARAMETERFAULT), nothing sent, the session goes on', async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    expectStatus(device.mvMqttRequestPublish(ch, { correlation_id: 5, topic: str('a/+'), payload: str('p'), desired_qos: 0, retain: 0 }), MV_STATUS_PARAMETERFAULT);
    expectStatus(device.mvMqttRequestSubscribe(ch, { correlation_id: 6, subscriptions: [subscription('a/#/b')], num_subscriptions: 1 }), MV_STATUS_PARAMETERFAULT);
    expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 7, topic: str('a/b'), payload: str('p'), desired_qos: 1, retain: 0 }));
    expect(await nextItem(device, ch)).toEqual({ type: 'publish', requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, correlationId: 7, reasonCode: 0 });
  });

  it('reason_codes_size: too small is INVALIDBUFFERSIZE (response kept); bytes and entries readings', async () => {
    for (const unit of ['lenient', 'bytes', 'entries'] as const) {
      const { device, center, network } = setup({ reasonCodesSizeUnit: unit });
      const ch = await connected(device, center, network, { ...at(), clientId: id() });
      expectOk(device.mvMqttRequestSubscribe(ch, { correlation_id: 1, subscriptions: [subscription('x'), subscription('y')], num_subscriptions: 2 }));
      await waitForItem(device, ch, MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE);
      const codes = new Uint32Array(2);
      const resp = (size: number) => ({ request_state: out(9), correlation_id: out(0), reason_codes: codes, reason_codes_size: size, reason_codes_len: out(0) });
      expectStatus(device.mvMqttReadSubscribeResponse(ch, resp(1) as never), MV_STATUS_INVALIDBUFFERSIZE, `${unit}: size 1`);
      // The demo's usage (2 entries) is accepted except under the strict header reading (bytes).
      const demo = resp(2);
      const s = device.mvMqttReadSubscribeResponse(ch, demo as never);
      if (unit === 'bytes') {
        expectStatus(s, MV_STATUS_INVALIDBUFFERSIZE, 'bytes: 2 bytes');
        expectOk(device.mvMqttReadSubscribeResponse(ch, resp(8) as never), 'bytes: 8 bytes');
      } else {
        expectOk(s, `${unit}: 2 entries`);
        expect(demo.reason_codes_len.value).toBe(2);
      }
    }
  });

  it('a read into a read-only struct is refused and consumes nothing; a bad pointer inside the struct is LATEFAULT and consumes the item', async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 1, topic: str('t'), payload: str('p'), desired_qos: 0, retain: 0 }));
    await waitForItem(device, ch, MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE);
    expectStatus(device.mvMqttReadPublishResponse(ch, Object.freeze(newMvMqttPublishResponse())), MV_STATUS_PARAMETERFAULT);
    expect(peek(device, ch)).toBe(MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE);
    expectOk(device.mvMqttReadPublishResponse(ch, newMvMqttPublishResponse()));
    expect(peek(device, ch)).toBe(MV_MQTTREADABLEDATATYPE_NONE);
    // A subscribe response with a NULL pointer inside.
    expectOk(device.mvMqttRequestSubscribe(ch, { correlation_id: 2, subscriptions: [subscription('t')], num_subscriptions: 1 }));
    await waitForItem(device, ch, MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE);
    expectStatus(
      device.mvMqttReadSubscribeResponse(ch, { request_state: out(0), correlation_id: null, reason_codes: new Uint32Array(1), reason_codes_size: 4, reason_codes_len: out(0) } as never),
      MV_STATUS_LATEFAULT,
    );
    expect(peek(device, ch)).toBe(MV_MQTTREADABLEDATATYPE_NONE);
  });

  it('LATEFAULT on a request: a bad pointer found while sending leaves the channel closed', async () => {
    const { device, center, network } = setup();
    const a = await connected(device, center, network, { ...at(), clientId: id() }, 1);
    // The first topic is checked before anything is sent (PARAMETERFAULT); a later one only after.
    const bad = { topic: { data: null, length: 3 }, desired_qos: 0, nl: 0, rap: 0, rh: 0 };
    expectStatus(device.mvMqttRequestSubscribe(a, { correlation_id: 1, subscriptions: [bad], num_subscriptions: 1 }), MV_STATUS_PARAMETERFAULT);
    expectStatus(device.mvMqttRequestSubscribe(a, { correlation_id: 1, subscriptions: [subscription('ok'), bad], num_subscriptions: 2 }), MV_STATUS_LATEFAULT);
    expectStatus(device.mvMqttRequestPublish(a, { correlation_id: 2, topic: str('t'), payload: str('p'), desired_qos: 0, retain: 0 }), MV_STATUS_CHANNELCLOSED);
    const b = await connected(device, center, network, { ...at(), clientId: id() }, 2);
    expectStatus(device.mvMqttRequestPublish(b, { correlation_id: 3, topic: str('t'), payload: { data: new Uint8Array(2), length: 3 }, desired_qos: 0, retain: 0 }), MV_STATUS_LATEFAULT);
    const c = await connected(device, center, network, { ...at(), clientId: id() }, 3);
    expectStatus(device.mvMqttRequestUnsubscribe(c, { correlation_id: 4, topics: null, num_topics: 1 }), MV_STATUS_LATEFAULT);
    for (const ch of [a, b, c]) {
      const reason = out(0 as MvClosureReason);
      expectOk(device.mvGetChannelClosureReason(ch, reason));
      expect(reason.value).toBe(MV_CLOSUREREASON_CONNECTIONTERMINATED);
    }
  });

  it('limits: topics per request, subscription QoS, publish QoS', async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    const many = Array.from({ length: LIMITS.MQTT_TOPICS_PER_REQUEST_MAX.value + 1 }, (_, i) => subscription(`t/${i}`));
    expectStatus(device.mvMqttRequestSubscribe(ch, { correlation_id: 1, subscriptions: many, num_subscriptions: many.length }), MV_STATUS_TOOMANYELEMENTS);
    const topics = many.map((s) => s.topic);
    expectStatus(device.mvMqttRequestUnsubscribe(ch, { correlation_id: 1, topics, num_topics: topics.length }), MV_STATUS_TOOMANYELEMENTS);
    expectStatus(
      device.mvMqttRequestSubscribe(ch, { correlation_id: 1, subscriptions: [subscription('t', LIMITS.MQTT_SUBSCRIBE_QOS.max + 1)], num_subscriptions: 1 }),
      LIMITS.MQTT_SUBSCRIBE_QOS.status,
    );
    expectStatus(
      device.mvMqttRequestPublish(ch, { correlation_id: 1, topic: str('t'), payload: str('p'), desired_qos: LIMITS.MQTT_PUBLISH_QOS.max + 1, retain: 0 }),
      LIMITS.MQTT_PUBLISH_QOS.status,
    );
    expectStatus(device.mvMqttRequestSubscribe(ch, { correlation_id: 1, subscriptions: [subscription('t')], num_subscriptions: 2 }), MV_STATUS_PARAMETERFAULT, 'count past the array');
    expectStatus(device.mvMqttRequestSubscribe(ch, { correlation_id: 1, subscriptions: many, num_subscriptions: LIMITS.MQTT_TOPICS_PER_REQUEST_MAX.value }), 0, 'exactly the limit');
  });
});

describe('in-flight limits (RATELIMITED)', () => {
  it(`subscribe and unsubscribe: ${LIMITS.MQTT_SUBSCRIBES_IN_FLIGHT_MAX.value} until the response has been read`, async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    const sub = (n: number) => device.mvMqttRequestSubscribe(ch, { correlation_id: n, subscriptions: [subscription(`s/${n}`)], num_subscriptions: 1 });
    const unsub = (n: number) => device.mvMqttRequestUnsubscribe(ch, { correlation_id: n, topics: [str(`s/${n}`)], num_topics: 1 });
    for (let i = 0; i < LIMITS.MQTT_SUBSCRIBES_IN_FLIGHT_MAX.value; i++) expectOk(sub(i));
    expectStatus(sub(99), MV_STATUS_RATELIMITED);
    for (let i = 0; i < LIMITS.MQTT_UNSUBSCRIBES_IN_FLIGHT_MAX.value; i++) expectOk(unsub(i));
    expectStatus(unsub(99), MV_STATUS_RATELIMITED);
    await device.waitFor(() => readableNotifications(center, 101) >= 3, 5000, 'responses');
    expectStatus(sub(99), MV_STATUS_RATELIMITED, 'answered but not read yet');
    // Responses come in the order the broker answered; read until the subscribe response is out.
    while ((await nextItem(device, ch)).type !== 'subscribe');
    expectOk(sub(100));
  });

  it('publish: a configurable number in flight (spec default from LIMITS)', async () => {
    expect(LIMITS.MQTT_PUBLISHES_IN_FLIGHT_MAX.configurable).toBe(true);
    const { device, center, network } = setup({ limits: { MQTT_PUBLISHES_IN_FLIGHT_MAX: 3 } });
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    const pub = (n: number) => device.mvMqttRequestPublish(ch, { correlation_id: n, topic: str('p'), payload: str('x'), desired_qos: 1, retain: 0 });
    for (let i = 0; i < 3; i++) expectOk(pub(i));
    expectStatus(pub(3), MV_STATUS_RATELIMITED);
    await nextItem(device, ch);
    expectOk(pub(4));
    const d2 = setup();
    const ch2 = await connected(d2.device, d2.center, d2.network, { ...at(), clientId: id() });
    let accepted = 0;
    while (d2.device.mvMqttRequestPublish(ch2, { correlation_id: accepted, topic: str('p'), payload: str('x'), desired_qos: 0, retain: 0 }) === 0) accepted++;
    expect(accepted).toBe(LIMITS.MQTT_PUBLISHES_IN_FLIGHT_MAX.value);
  });

  it('acknowledge and disconnect limits', async () => {
    const { device, center, network } = setup({ limits: { MQTT_ACKNOWLEDGEMENTS_IN_FLIGHT_MAX: 0 } });
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    expectStatus(device.mvMqttAcknowledgeMessage(ch, 1), MV_STATUS_RATELIMITED);
    for (let i = 0; i < LIMITS.MQTT_DISCONNECTS_IN_FLIGHT_MAX.value; i++) expectOk(device.mvMqttRequestDisconnect(ch));
    expectStatus(device.mvMqttRequestDisconnect(ch), MV_STATUS_RATELIMITED);
  });

  it('an acknowledgement written into a backed-up socket holds its slot until the socket drains', async () => {
    const { device, center, network } = setup({ limits: { MQTT_ACKNOWLEDGEMENTS_IN_FLIGHT_MAX: 2 } });
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    await subscribed(device, ch, [subscription('acks/#', 1)]);
    const other = await peer();
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      await other.publishAsync(`acks/${i}`, 'm', { qos: 1 });
      const m = await nextItem(device, ch);
      if (m.type !== 'message') throw new Error(`expected a message, got ${m.type}`);
      ids.push(m.correlationId);
    }
    expectOk(device.mvMqttAcknowledgeMessage(ch, ids[0]!), 'ack with an idle socket (leaves at once, holds no slot)');
    // A large QoS 0 publish fills the socket's buffer; the acks behind it wait for the drain.
    const bulk = new Uint8Array(8 * 1024 * 1024);
    expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 9, topic: str('bulk'), payload: { data: bulk, length: bulk.byteLength }, desired_qos: 0, retain: 0 }));
    expectOk(device.mvMqttAcknowledgeMessage(ch, ids[1]!));
    expectOk(device.mvMqttAcknowledgeMessage(ch, ids[2]!));
    expectStatus(device.mvMqttAcknowledgeMessage(ch, ids[2]!), MV_STATUS_RATELIMITED, 'both slots held while backed up');
    // The publish response is queued at the same 'drain' that frees the acknowledgement slots.
    expect(await nextItem(device, ch)).toMatchObject({ type: 'publish', correlationId: 9 });
    expectOk(device.mvMqttAcknowledgeMessage(ch, ids[2]!), 'slots free after the drain');
    await other.endAsync();
  });
});

describe('session end', () => {
  it('requested disconnect: one solicited DISCONNECTRESPONSE; later requests are NOTCONNECTED; the will is not sent', async () => {
    const { device, center, network } = setup();
    const watcher = await peer();
    await watcher.subscribeAsync('will/#');
    const wills: string[] = [];
    watcher.on('message', (t) => wills.push(t));
    const ch = await connected(device, center, network, { ...at(), clientId: id(), will: { topic: 'will/a', payload: 'gone', qos: 0, retain: 0 } });
    expectOk(device.mvMqttRequestDisconnect(ch));
    expect(await nextItem(device, ch)).toEqual({ type: 'disconnect', requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, disconnectCode: 0 });
    expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 3, topic: str('t'), payload: str('p'), desired_qos: 0, retain: 0 }));
    expect(await nextItem(device, ch)).toMatchObject({ type: 'publish', requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED });
    const reason = out(0 as MvClosureReason);
    expectOk(device.mvGetChannelClosureReason(ch, reason));
    expect(reason.value).toBe(MV_CLOSUREREASON_CLOSEDBYAPPLICATION);
    await sleep(100);
    expect(wills).toEqual([]);
    await watcher.endAsync();
  });

  it('QoS 1 publishes unanswered at a requested disconnect are answered NOTCONNECTED in request order, and so is one made while it ends', async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    // One full round first, so the request objects the channel reuses have been used once.
    expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 1, topic: str('t/q1'), payload: str('p'), desired_qos: 1, retain: 0 }));
    expect(await nextItem(device, ch)).toMatchObject({ type: 'publish', requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, correlationId: 1 });
    for (const id of [10, 11, 12]) expectOk(device.mvMqttRequestPublish(ch, { correlation_id: id, topic: str('t/q1'), payload: str('p'), desired_qos: 1, retain: 0 }));
    expectOk(device.mvMqttRequestDisconnect(ch)); // in the same turn: no PUBACK can have arrived
    expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 13, topic: str('t/q1'), payload: str('p'), desired_qos: 1, retain: 0 }));
    const items = [await nextItem(device, ch), await nextItem(device, ch), await nextItem(device, ch), await nextItem(device, ch), await nextItem(device, ch)];
    expect(items).toEqual([
      { type: 'publish', requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, correlationId: 10, reasonCode: 0 },
      { type: 'publish', requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, correlationId: 11, reasonCode: 0 },
      { type: 'publish', requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, correlationId: 12, reasonCode: 0 },
      { type: 'publish', requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, correlationId: 13, reasonCode: 0 },
      { type: 'disconnect', requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, disconnectCode: 0 },
    ]);
    await sleep(50);
    expect(peek(device, ch)).toBe(MV_MQTTREADABLEDATATYPE_NONE); // nothing answered twice
  });

  it('broker-initiated disconnect: exactly one unsolicited DISCONNECTRESPONSE, no CHANNELNOTCONNECTED', async () => {
    const { device, center, network } = setup();
    const clientId = id();
    const ch = await connected(device, center, network, { ...at(), clientId }, 55);
    expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 8, topic: str('t'), payload: str('p'), desired_qos: 0, retain: 0 }));
    expect(await nextItem(device, ch)).toMatchObject({ type: 'publish' });
    broker.dropClient(clientId);
    expect(await nextItem(device, ch)).toEqual({ type: 'disconnect', requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, disconnectCode: 0 });
    await sleep(100);
    await device.idle();
    expect(readableNotifications(center, 55)).toBe(3); // connect, publish, disconnect
    expect(center.count(MV_EVENTTYPE_CHANNELNOTCONNECTED, 55)).toBe(0);
    expect(peek(device, ch)).toBe(MV_MQTTREADABLEDATATYPE_NONE);
    const reason = out(0 as MvClosureReason);
    expectOk(device.mvGetChannelClosureReason(ch, reason));
    expect(reason.value).toBe(MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER);
  });

  it('network loss: CHANNELNOTCONNECTED, CHANNELCLOSED, and the broker publishes the will', async () => {
    const { device, center, network } = setup();
    const watcher = await peer();
    await watcher.subscribeAsync('will/#');
    const wills: string[] = [];
    watcher.on('message', (t, p) => wills.push(`${t}=${p}`));
    const ch = await connected(device, center, network, { ...at(), clientId: id(), will: { topic: 'will/b', payload: 'lost', qos: 1, retain: 0 } }, 66);
    device.simulateNetworkLoss();
    await device.idle();
    expect(center.count(MV_EVENTTYPE_CHANNELNOTCONNECTED, 66)).toBe(1);
    expectStatus(device.mvMqttGetNextReadableDataType(ch, out(0 as never)), MV_STATUS_CHANNELCLOSED);
    const reason = out(0 as MvClosureReason);
    expectOk(device.mvGetChannelClosureReason(ch, reason));
    expect(reason.value).toBe(MV_CLOSUREREASON_NETWORKDISCONNECTED);
    await device.waitFor(() => wills.length > 0, 5000, 'the will');
    expect(wills).toEqual(['will/b=lost']);
    device.restoreNetwork();
    await watcher.endAsync();
  });

  it('nothing is emitted for a channel after mvCloseChannel', async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() }, 77);
    await subscribed(device, ch, [subscription('quiet/#', 1)]);
    expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 9, topic: str('quiet/self'), payload: str('p'), desired_qos: 1, retain: 0 }));
    const before = readableNotifications(center, 77);
    expectOk(device.mvCloseChannel(out(ch)));
    const other = await peer();
    await other.publishAsync('quiet/x', 'late', { qos: 1 });
    await sleep(150);
    await device.idle();
    expect(readableNotifications(center, 77)).toBe(before);
    expect(center.count(MV_EVENTTYPE_CHANNELNOTCONNECTED, 77)).toBe(0);
    await other.endAsync();
  });

  it('broker restart: the session ends with one unsolicited DISCONNECTRESPONSE; a new channel connects again', async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() }, 88);
    await broker.restart();
    expect(await nextItem(device, ch)).toEqual({ type: 'disconnect', requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, disconnectCode: 0 });
    expectOk(device.mvCloseChannel(out(ch)));
    const again = await connected(device, center, network, { ...at(), clientId: id() }, 89);
    await subscribed(device, again, [subscription('after/restart')]);
  });

  it('circuit breaker (opt-in): a flood of inbound messages ends the session with CONNECTIONCIRCUITBREAKER', async () => {
    const { device, center, network } = setup({ circuitBreaker: { maxMessages: 5, windowMs: 10_000 } });
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    await subscribed(device, ch, [subscription('flood')]);
    const other = await peer();
    for (let i = 0; i < 10; i++) other.publish('flood', String(i));
    const items = [];
    for (;;) {
      const item = await nextItem(device, ch);
      items.push(item);
      if (item.type === 'disconnect') break;
    }
    expect(items.filter((i) => i.type === 'message')).toHaveLength(5);
    expect(items.at(-1)).toEqual({ type: 'disconnect', requestState: MV_MQTTREQUESTSTATE_CONNECTIONCIRCUITBREAKER, disconnectCode: 0 });
    await other.endAsync();
  });
});

describe('acknowledgements (MQTT 3.1.1 persistent session)', () => {
  it('an unacknowledged QoS 1 message is redelivered when the session resumes; an acknowledged one is not', async () => {
    const { device, center, network } = setup();
    const clientId = id();
    const session = { ...at(), clientId, clean: false };
    let ch: MvChannelHandle = await connected(device, center, network, session, 1);
    await subscribed(device, ch, [subscription('orders/#', 1)]);
    const other = await peer();
    await other.publishAsync('orders/1', 'first', { qos: 1 });
    await other.publishAsync('orders/2', 'second', { qos: 1 });
    const m1 = await nextItem(device, ch);
    const m2 = await nextItem(device, ch);
    expect([m1, m2].map((m) => m.type === 'message' && m.payload)).toEqual(['first', 'second']);
    if (m2.type !== 'message') throw new Error('unreachable');
    expectOk(device.mvMqttAcknowledgeMessage(ch, m2.correlationId)); // only the second
    expectOk(device.mvMqttAcknowledgeMessage(ch, m2.correlationId), 'acknowledging twice is harmless');
    await sleep(50);
    expectOk(device.mvCloseChannel(out(ch)));
    ch = await connected(device, center, network, session, 2);
    const again = await nextItem(device, ch);
    expect(again).toMatchObject({ type: 'message', topic: 'orders/1', payload: 'first', qos: 1 });
    if (again.type !== 'message') throw new Error('unreachable');
    expectOk(device.mvMqttAcknowledgeMessage(ch, again.correlationId));
    await sleep(50);
    expectOk(device.mvCloseChannel(out(ch)));
    ch = await connected(device, center, network, session, 3);
    await sleep(150);
    expect(peek(device, ch)).toBe(MV_MQTTREADABLEDATATYPE_NONE);
    await other.endAsync();
  });

  it('QoS 0 messages need no acknowledgement (acknowledging is a no-op)', async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    await subscribed(device, ch, [subscription('q0')]);
    const other = await peer();
    await other.publishAsync('q0', 'x', { qos: 0 });
    const m = await nextItem(device, ch);
    expect(m).toMatchObject({ type: 'message', qos: 0 });
    if (m.type === 'message') expectOk(device.mvMqttAcknowledgeMessage(ch, m.correlationId));
    expectOk(device.mvMqttAcknowledgeMessage(ch, 0xdeadbeef), 'unknown correlation id');
    await other.endAsync();
    expect(MV_EVENTTYPE_CHANNELDATAREADABLE).toBe(2);
  });
});
