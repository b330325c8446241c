// MQTT channels against mosquitto (a child process on a free loopback port): MQTT 5 features and 3.1.1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import {
  MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER,
  MV_MQTTREADABLEDATATYPE_NONE,
  MV_MQTTREQUESTSTATE_NOTCONNECTED,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
  out,
} from '@mvmqtt/sdk';
import type { MvChannelHandle, MvClosureReason } from '@mvmqtt/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type MosquittoHarness } from '../../../test/support/brokers.js';
import { describeWithTools } from '../../../test/support/tools.js';
import { connectRequest, connected, expectOk, nextItem, openMqtt, peek, sleep, str, subscribed, subscription, deviceFixture } from './helpers.js';

const { setup, id } = deviceFixture();

/** MQTT reason codes (MQTT 5 spec, section 2.4) used below. */
const RC = { noMatchingSubscribers: 0x10, noSubscriptionExisted: 0x11, notAuthorized: 0x87, badUserOrPassword: 0x86, packetTooLarge: 0x95 };

describeWithTools(['mosquitto'], 'mosquitto, MQTT 5', () => {
  let broker: MosquittoHarness;
  let aclDir: string;
  const at = () => ({ host: broker.host, port: broker.port, v5: true });

  beforeAll(async () => {
    // Anonymous clients may publish only where the ACL allows; big packets are refused.
    aclDir = mkdtempSync(join(tmpdir(), 'mvmqtt-acl-'));
    const acl = join(aclDir, 'acl');
    writeFileSync(acl, 'topic readwrite open/#\ntopic readwrite t/#\ntopic readwrite orders/#\ntopic readwrite r/#\ntopic readwrite nl/#\n');
    broker = await startMosquitto({ extraConfig: [`acl_file ${acl}`, 'max_packet_size 2000'] });
  });
  afterAll(async () => {
    await broker?.close();
    rmSync(aclDir, { recursive: true, force: true });
  });

  async function peer() {
    return mqtt.connectAsync(broker.url, { reconnectPeriod: 0, protocolVersion: 5 });
  }

  it('per-topic SUBACK codes (granted QoS) and UNSUBACK codes', async () => {
    // (mosquitto 2.0 grants subscriptions its ACL denies, so no refusal code here; aedes covers 0x80.)
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    expect(await subscribed(device, ch, [subscription('open/a', 1), subscription('open/b', 0)])).toEqual([1, 0]);
    expectOk(device.mvMqttRequestUnsubscribe(ch, { correlation_id: 2, topics: [str('open/a'), str('open/never')], num_topics: 2 }));
    expect(await nextItem(device, ch)).toEqual({ type: 'unsubscribe', requestState: 0, correlationId: 2, reasonCodes: [0, RC.noSubscriptionExisted] });
  });

  it('PUBACK reason codes reach the publish response (no matching subscribers, not authorized)', async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 1, topic: str('open/nobody'), payload: str('x'), desired_qos: 1, retain: 0 }));
    expect(await nextItem(device, ch)).toEqual({ type: 'publish', requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, correlationId: 1, reasonCode: RC.noMatchingSubscribers });
    expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 2, topic: str('secret/x'), payload: str('x'), desired_qos: 2, retain: 0 }));
    expect(await nextItem(device, ch)).toEqual({ type: 'publish', requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, correlationId: 2, reasonCode: RC.notAuthorized });
  });

  it('subscription options: no-local, retain-as-published, retain handling', async () => {
    const { device, center, network } = setup();
    const other = await peer();
    await other.publishAsync('r/kept', 'old', { qos: 1, retain: true });
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    // nl=1: our own publications are not sent back; nl=0 they are.
    await subscribed(device, ch, [subscription('nl/quiet', 0, { nl: 1 }), subscription('nl/echo', 0, { nl: 0 })]);
    for (const t of ['nl/quiet', 'nl/echo']) expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 9, topic: str(t), payload: str(t), desired_qos: 0, retain: 0 }));
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const item = await nextItem(device, ch);
      if (item.type === 'message') seen.push(item.topic);
    }
    expect(seen).toEqual(['nl/echo']);
    // rh=2: no retained message on subscribe; rh=0: the retained message is sent.
    await subscribed(device, ch, [subscription('r/kept', 0, { rh: 2 })], 20);
    await sleep(100);
    expect(peek(device, ch)).toBe(MV_MQTTREADABLEDATATYPE_NONE);
    await subscribed(device, ch, [subscription('r/kept', 0, { rh: 0 })], 21);
    expect(await nextItem(device, ch)).toMatchObject({ type: 'message', topic: 'r/kept', payload: 'old', retain: 1 });
    // rap=1 keeps the retain flag on live messages; rap=0 clears it.
    await subscribed(device, ch, [subscription('r/live1', 0, { rap: 1, rh: 2 }), subscription('r/live0', 0, { rap: 0, rh: 2 })], 22);
    await other.publishAsync('r/live1', 'a', { qos: 1, retain: true });
    expect(await nextItem(device, ch)).toMatchObject({ type: 'message', topic: 'r/live1', retain: 1 });
    await other.publishAsync('r/live0', 'b', { qos: 1, retain: true });
    expect(await nextItem(device, ch)).toMatchObject({ type: 'message', topic: 'r/live0', retain: 0 });
    await other.endAsync();
  });

  it('manual acknowledgement with a session expiry: unacknowledged messages are redelivered on resume, offline ones queued', async () => {
    const { device, center, network } = setup();
    const session = { ...at(), clientId: id(), clean: false };
    let ch: MvChannelHandle = await connected(device, center, network, session, 1);
    await subscribed(device, ch, [subscription('orders/#', 1)]);
    const other = await peer();
    await other.publishAsync('orders/q1', 'one', { qos: 1 });
    await other.publishAsync('orders/q2', 'two', { qos: 2 });
    await other.publishAsync('orders/acked', 'three', { qos: 1 });
    const got = [await nextItem(device, ch), await nextItem(device, ch), await nextItem(device, ch)];
    // Subscriptions are limited to QoS 1: the QoS 2 publication arrives at QoS 1.
    expect(got.map((m) => m.type === 'message' && [m.topic, m.qos])).toEqual([
      ['orders/q1', 1],
      ['orders/q2', 1],
      ['orders/acked', 1],
    ]);
    const acked = got[2];
    if (acked.type !== 'message') throw new Error('unreachable');
    expectOk(device.mvMqttAcknowledgeMessage(ch, acked.correlationId));
    await sleep(50);
    expectOk(device.mvCloseChannel(out(ch)));
    // Published while the device is away: queued by the broker for the session.
    await other.publishAsync('orders/offline', 'four', { qos: 1 });
    ch = await connected(device, center, network, session, 2);
    const again: string[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await nextItem(device, ch);
      if (m.type === 'message') {
        again.push(m.payload);
        expectOk(device.mvMqttAcknowledgeMessage(ch, m.correlationId));
      }
    }
    expect(again.sort()).toEqual(['four', 'one', 'two']);
    await sleep(50);
    expectOk(device.mvCloseChannel(out(ch)));
    ch = await connected(device, center, network, session, 3);
    await sleep(150);
    expect(peek(device, ch)).toBe(MV_MQTTREADABLEDATATYPE_NONE);
    await other.endAsync();
  });

  it('a message is redelivered on every resume until it is acknowledged', async () => {
    const { device, center, network } = setup();
    const session = { ...at(), clientId: id(), clean: false };
    let ch: MvChannelHandle = await connected(device, center, network, session, 1);
    await subscribed(device, ch, [subscription('t/again', 1)]);
    const other = await peer();
    await other.publishAsync('t/again', 'x', { qos: 2 });
    for (let round = 2; round <= 3; round++) {
      expect(await nextItem(device, ch)).toMatchObject({ type: 'message', payload: 'x', qos: 1 });
      expectOk(device.mvCloseChannel(out(ch)));
      ch = await connected(device, center, network, session, round);
    }
    const m = await nextItem(device, ch);
    if (m.type !== 'message') throw new Error(`expected the message again, got ${m.type}`);
    expectOk(device.mvMqttAcknowledgeMessage(ch, m.correlationId));
    await sleep(50);
    expectOk(device.mvCloseChannel(out(ch)));
    ch = await connected(device, center, network, session, 4);
    await sleep(150);
    expect(peek(device, ch)).toBe(MV_MQTTREADABLEDATATYPE_NONE);
    await other.endAsync();
  });

  it('a clean start does not resume the session', async () => {
    const { device, center, network } = setup();
    const clientId = id();
    let ch: MvChannelHandle = await connected(device, center, network, { ...at(), clientId, clean: true }, 1);
    await subscribed(device, ch, [subscription('t/clean', 1)]);
    expectOk(device.mvCloseChannel(out(ch)));
    const other = await peer();
    await other.publishAsync('t/clean', 'lost', { qos: 1 });
    ch = await connected(device, center, network, { ...at(), clientId, clean: true }, 2);
    await sleep(150);
    expect(peek(device, ch)).toBe(MV_MQTTREADABLEDATATYPE_NONE);
    await other.endAsync();
  });

  it('a broker DISCONNECT gives one unsolicited DISCONNECTRESPONSE carrying the broker’s reason code', async () => {
    const { device, center, network } = setup();
    const ch = await connected(device, center, network, { ...at(), clientId: id() });
    expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 1, topic: str('open/big'), payload: str('x'.repeat(3000)), desired_qos: 0, retain: 0 }));
    expect(await nextItem(device, ch)).toMatchObject({ type: 'publish', requestState: 0 });
    expect(await nextItem(device, ch)).toEqual({ type: 'disconnect', requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, disconnectCode: RC.packetTooLarge });
    await sleep(50);
    expect(peek(device, ch)).toBe(MV_MQTTREADABLEDATATYPE_NONE);
    const reason = out(0 as MvClosureReason);
    expectOk(device.mvGetChannelClosureReason(ch, reason));
    expect(reason.value).toBe(MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER);
  });
});

describeWithTools(['mosquitto'], 'mosquitto restart (persistence)', () => {
  // Its own broker: no ACL (mosquitto 2.0.11 does not deliver to sessions restored from disk when an ACL file is in use).
  let broker: MosquittoHarness;
  const at = () => ({ host: broker.host, port: broker.port, v5: true });
  beforeAll(async () => {
    broker = await startMosquitto({ persistence: true });
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('broker restart: unsolicited DISCONNECTRESPONSE, then the persistent session resumes on a new channel', async () => {
    const { device, center, network } = setup();
    const session = { ...at(), clientId: id(), clean: false };
    let ch: MvChannelHandle = await connected(device, center, network, session, 1);
    await subscribed(device, ch, [subscription('orders/restart', 1)]);
    await sleep(1100); // let mosquitto autosave the session (autosave_interval 1)
    await broker.restart();
    expect(await nextItem(device, ch)).toEqual({ type: 'disconnect', requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, disconnectCode: 0 });
    expectOk(device.mvCloseChannel(out(ch)));
    const other = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, protocolVersion: 5 });
    await other.publishAsync('orders/restart', 'after', { qos: 1 });
    ch = await connected(device, center, network, session, 2);
    expect(await nextItem(device, ch)).toMatchObject({ type: 'message', topic: 'orders/restart', payload: 'after' });
    await other.endAsync();
  });
});

describeWithTools(['mosquitto'], 'mosquitto, MQTT 3.1.1 and passwords', () => {
  let broker: MosquittoHarness;
  beforeAll(async () => {
    broker = await startMosquitto({ users: { device: 's3cret', other: 'pw' } });
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('3.1.1: connect with a password, subscribe, publish, receive, disconnect', async () => {
    const { device, center, network } = setup();
    const o = { host: broker.host, port: broker.port, username: 'device', password: 's3cret' };
    const ch = await connected(device, center, network, { ...o, clientId: id() });
    expect(await subscribed(device, ch, [subscription('x/#', 1)])).toEqual([1]);
    const other = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, username: 'other', password: 'pw' });
    await other.publishAsync('x/1', 'hello', { qos: 1 });
    expect(await nextItem(device, ch)).toMatchObject({ type: 'message', topic: 'x/1', payload: 'hello', qos: 1 });
    expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 4, topic: str('x/2'), payload: str('p'), desired_qos: 1, retain: 0 }));
    expect(await nextItem(device, ch)).toMatchObject({ type: 'message', topic: 'x/2' }); // our own, 3.1.1 has no no-local
    expect(await nextItem(device, ch)).toEqual({ type: 'publish', requestState: 0, correlationId: 4, reasonCode: 0 });
    expectOk(device.mvMqttRequestDisconnect(ch));
    expect(await nextItem(device, ch)).toEqual({ type: 'disconnect', requestState: 0, disconnectCode: 0 });
    await other.endAsync();
  });

  it('a wrong password is refused at CONNACK: 3.1.1 return code, MQTT 5 reason code', async () => {
    const { device, center, network } = setup();
    for (const v5 of [false, true]) {
      const ch = openMqtt(device, center, network, v5 ? 2 : 1);
      expectOk(device.mvMqttRequestConnect(ch, connectRequest({ host: broker.host, port: broker.port, username: 'device', password: 'wrong', v5 })));
      const item = await nextItem(device, ch);
      expect(item.type).toBe('connect');
      if (item.type !== 'connect') return;
      expect(item.requestState).toBe(MV_MQTTREQUESTSTATE_REQUESTCOMPLETED);
      // mosquitto answers "not authorized" (3.1.1: 5, MQTT 5: 0x87) or "bad user name or password" (4 / 0x86).
      expect(v5 ? [RC.badUserOrPassword, RC.notAuthorized] : [4, 5]).toContain(item.reasonCode);
    }
  });
});
