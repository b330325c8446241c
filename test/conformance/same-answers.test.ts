/**
 * Same answers: scripted sessions, each run on the emulated device core (against a real broker)
 * and on the mock, call for call. Every status the application sees must be the same on both,
 * and so must what it reads back where the outcome does not depend on timing (readable-item
 * types, request states, reason-code counts, closure reasons).
 */
import {
  LIMITS,
  MV_CHANNELTYPE_MQTT,
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_MESSAGELOST,
  MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED,
  MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE,
  MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE,
  MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE,
  newMvMqttConnectResponse,
  newMvMqttDisconnectResponse,
  newMvMqttPublishResponse,
  out,
  statusName,
  type MvChannelHandle,
  type MvClosureReason,
  type MvFunctionName,
  type MvMqttReadableDataType,
  type MvNetworkHandle,
  type MvNetworkStatus,
  type MvNotificationHandle,
  type MvStatus,
  type MvSyscalls,
} from '@mvmqtt/sdk';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { propertySeed } from '../support/seed.js';
import { topicBytes } from '../support/topic-oracle.js';
import { connectRequest, lostInfo, messageBuffers, publishRequest, str, subscribeRequest, topicsResponse, typeBox, unsubscribeRequest } from './support/args.js';
import { makeRig, World, type Rig } from './support/rig.js';
import { IO_SESSIONS } from './same-answers-io.js';

/** What a session observed: one line per call (status and anything it read back that must agree). */
type Transcript = string[];

/** Wraps a runtime's syscalls so every call made through it lands in the transcript. */
function recording(sys: MvSyscalls, transcript: Transcript): MvSyscalls {
  return new Proxy(sys, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof key !== 'string' || !key.startsWith('mv') || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const status = (value as (...a: unknown[]) => MvStatus).apply(target, args);
        transcript.push(`${key as MvFunctionName} → ${statusName(status)}`);
        return status;
      };
    },
  });
}

interface Session {
  r: Rig;
  sys: MvSyscalls;
  note(what: string): void;
  /** A name of the same length on both runtimes (lengths end up in what the session reads back). */
  unique(prefix: string): string;
}

/** Reads the next item's type into the transcript (and returns it). */
function nextType(s: Session, ch: MvChannelHandle): MvMqttReadableDataType {
  const t = typeBox();
  s.sys.mvMqttGetNextReadableDataType(ch, t);
  s.note(`  next item ${t.value}`);
  return t.value;
}

const SESSIONS: Record<string, (s: Session) => Promise<void>> = {
  ...IO_SESSIONS,
  async 'the demo application: connect, subscribe, publish, receive, acknowledge, unsubscribe, disconnect'(s) {
    const { r, sys } = s;
    const ch = r.channel();
    sys.mvMqttRequestConnect(ch, connectRequest(r.broker, s.unique('client')));
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE);
    nextType(s, ch);
    const connected = newMvMqttConnectResponse();
    sys.mvMqttReadConnectResponse(ch, connected);
    s.note(`  connect ${connected.request_state}/${connected.reason_code}`);
    const topic = s.unique('same');
    sys.mvMqttRequestSubscribe(ch, subscribeRequest([topic], 1, 7));
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE);
    const sub = topicsResponse(4);
    sys.mvMqttReadSubscribeResponse(ch, sub.response);
    s.note(`  subscribe ${sub.state.value} corr ${sub.correlation.value} codes ${[...sub.codes.subarray(0, sub.length.value)]}`);
    sys.mvMqttRequestPublish(ch, publishRequest(`${topic}/out`, 'hello', 1, 8));
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE);
    const pub = newMvMqttPublishResponse();
    sys.mvMqttReadPublishResponse(ch, pub);
    s.note(`  publish ${pub.request_state} corr ${pub.correlation_id} code ${pub.reason_code}`);
    await r.publishFromOutside(ch, topic, new TextEncoder().encode('{"action":"switch_open"}'), 1);
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED);
    const m = messageBuffers();
    sys.mvMqttReceiveMessage(ch, m);
    s.note(`  message ${new TextDecoder().decode(m.payload.data!.subarray(0, m.payload.length!.value))} qos ${m.qos!.value}`);
    sys.mvMqttAcknowledgeMessage(ch, m.correlation_id!.value);
    sys.mvMqttAcknowledgeMessage(ch, m.correlation_id!.value); // a second ack of the same message is a no-op
    sys.mvMqttRequestUnsubscribe(ch, unsubscribeRequest([topic], 9));
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE);
    const unsub = topicsResponse(4);
    sys.mvMqttReadUnsubscribeResponse(ch, unsub.response);
    s.note(`  unsubscribe ${unsub.state.value} corr ${unsub.correlation.value} codes ${unsub.length.value}`);
    sys.mvMqttRequestDisconnect(ch);
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE);
    const bye = newMvMqttDisconnectResponse();
    sys.mvMqttReadDisconnectResponse(ch, bye);
    s.note(`  disconnect ${bye.request_state}/${bye.disconnect_code}`);
    const reason = out(0 as MvClosureReason);
    sys.mvGetChannelClosureReason(ch, reason);
    s.note(`  closure ${reason.value}`);
    sys.mvCloseChannel(out(ch));
  },

  async 'mistakes an application makes, and recovering from them'(s) {
    const { r, sys } = s;
    const ch = r.channel();
    sys.mvMqttReadConnectResponse(ch, newMvMqttConnectResponse()); // nothing queued yet
    sys.mvMqttRequestConnect(ch, null);
    const missingHost = connectRequest(r.broker, 'x');
    missingHost.host = str('');
    sys.mvMqttRequestConnect(ch, missingHost);
    sys.mvMqttRequestConnect(ch, connectRequest(r.broker, s.unique('client')));
    sys.mvMqttRequestConnect(ch, connectRequest(r.broker, 'again'));
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE);
    sys.mvMqttReadPublishResponse(ch, newMvMqttPublishResponse()); // wrong read: the head is the connect response
    sys.mvMqttReadConnectResponse(ch, newMvMqttConnectResponse());
    const topic = s.unique('same');
    sys.mvMqttRequestSubscribe(ch, subscribeRequest([topic], 2)); // QoS 2 is not allowed for subscriptions
    sys.mvMqttRequestSubscribe(ch, subscribeRequest(Array.from({ length: LIMITS.MQTT_TOPICS_PER_REQUEST_MAX.value + 1 }, (_, i) => `${topic}/${i}`)));
    sys.mvMqttRequestSubscribe(ch, subscribeRequest([topic, `${topic}/b`], 1));
    sys.mvMqttRequestSubscribe(ch, subscribeRequest([topic], 1)); // the first is still in flight
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE);
    sys.mvMqttReadSubscribeResponse(ch, topicsResponse(1).response); // too small for two codes
    const sub = topicsResponse(2);
    sys.mvMqttReadSubscribeResponse(ch, sub.response);
    s.note(`  subscribe codes ${sub.length.value}`);
    sys.mvMqttRequestSubscribe(ch, subscribeRequest([`${topic}/c`], 0));
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE);
    sys.mvMqttReadSubscribeResponse(ch, topicsResponse(1).response);
    const publish = publishRequest(`${topic}/x`, 'x', 3); // QoS above 2
    sys.mvMqttRequestPublish(ch, publish);
    await r.publishFromOutside(ch, topic, new TextEncoder().encode('a payload of some length'), 1);
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED);
    sys.mvMqttReceiveMessage(ch, messageBuffers(256, 4)); // payload buffer too small: stays queued
    sys.mvMqttReceiveMessage(ch, null);
    nextType(s, ch);
    sys.mvMqttReceiveMessage(ch, messageBuffers());
    sys.mvMqttAcknowledgeMessage(ch, 12345); // unknown: nothing to do
    sys.mvMqttRequestDisconnect(ch);
    sys.mvMqttRequestDisconnect(ch); // one disconnect at a time
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE);
    sys.mvMqttReadDisconnectResponse(ch, newMvMqttDisconnectResponse());
    sys.mvCloseChannel(out(ch));
    sys.mvCloseChannel(out(ch)); // closed already: the handle is gone
  },

  async 'requests before the connection is up, and a message too big for the receive buffer'(s) {
    const { r, sys } = s;
    const ch = r.channel({ rx: new Uint8Array(LIMITS.CHANNEL_BUFFER_SIZE_MIN.value) });
    sys.mvMqttRequestPublish(ch, publishRequest('early', 'x'));
    sys.mvMqttRequestSubscribe(ch, subscribeRequest(['early']));
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE);
    const pub = newMvMqttPublishResponse();
    sys.mvMqttReadPublishResponse(ch, pub);
    s.note(`  early publish state ${pub.request_state}`);
    nextType(s, ch);
    const sub = topicsResponse(1);
    sys.mvMqttReadSubscribeResponse(ch, sub.response);
    s.note(`  early subscribe state ${sub.state.value} codes ${sub.length.value}`);
    sys.mvMqttRequestConnect(ch, connectRequest(r.broker, s.unique('client')));
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE);
    sys.mvMqttReadConnectResponse(ch, newMvMqttConnectResponse());
    const topic = s.unique('same');
    await r.subscribe(ch, topic);
    await r.publishFromOutside(ch, topic, new Uint8Array(2 * LIMITS.CHANNEL_BUFFER_SIZE_MIN.value), 0);
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_MESSAGELOST);
    sys.mvMqttReceiveMessage(ch, messageBuffers());
    sys.mvMqttReceiveLostMessageInfo(ch, lostInfo(1));
    const info = lostInfo();
    sys.mvMqttReceiveLostMessageInfo(ch, info);
    s.note(`  lost reason ${info.reason!.value} length ${info.message_len!.value}`);
    sys.mvMqttReceiveLostMessageInfo(ch, lostInfo());
  },

  async 'topics and filters MQTT does not allow are refused, and the session goes on'(s) {
    const { r, sys } = s;
    const ch = r.channel();
    sys.mvMqttRequestConnect(ch, connectRequest(r.broker, s.unique('client')));
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE);
    sys.mvMqttReadConnectResponse(ch, newMvMqttConnectResponse());
    const topic = s.unique('same');
    const raw = (...b: number[]) => ({ data: new Uint8Array(b), length: b.length });
    const bad = [str(''), str('a\u0000b'), raw(0x61, 0xff), str('a/+'), str('a/#'), str('a\u0007'), str('\uD800'), str('t'.repeat(LIMITS.MQTT_TOPIC_LENGTH_MAX.value + 1))];
    for (const t of bad) sys.mvMqttRequestPublish(ch, { ...publishRequest('x', 'x', 1, 1), topic: t });
    for (const f of ['', 'a/#/b', 'a+', '$share//a', 'a\u0000']) {
      sys.mvMqttRequestSubscribe(ch, subscribeRequest([topic, f], 1, 2));
      sys.mvMqttRequestUnsubscribe(ch, unsubscribeRequest([topic, f], 3));
    }
    sys.mvMqttRequestSubscribe(ch, { ...subscribeRequest(['x'], 1, 4), subscriptions: [{ ...subscribeRequest(['x']).subscriptions![0], topic: raw(0xc3) }] });
    sys.mvMqttRequestSubscribe(ch, subscribeRequest([`${topic}/+`, `${topic}/#`], 1, 5));
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE);
    const sub = topicsResponse(2);
    sys.mvMqttReadSubscribeResponse(ch, sub.response);
    s.note(`  subscribe ${sub.state.value} corr ${sub.correlation.value} codes ${sub.length.value}`);
    sys.mvMqttRequestPublish(ch, publishRequest(`${topic}/ok`, 'x', 1, 6));
    await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE);
    const pub = newMvMqttPublishResponse();
    sys.mvMqttReadPublishResponse(ch, pub);
    s.note(`  publish ${pub.request_state} corr ${pub.correlation_id}`);
    sys.mvCloseChannel(out(ch));
  },

  async 'the network goes away and comes back'(s) {
    const { r, sys } = s;
    const net = r.network();
    const ch = r.channel();
    const open = r.openParams();
    r.loseNetwork();
    const status = out(0 as MvNetworkStatus);
    sys.mvGetNetworkStatus(net, status);
    s.note(`  network ${status.value}`);
    sys.mvMqttRequestConnect(ch, connectRequest(r.broker, 'x'));
    sys.mvMqttGetNextReadableDataType(ch, typeBox());
    sys.mvMqttRequestDisconnect(ch);
    sys.mvMqttAcknowledgeMessage(ch, 1);
    const reason = out(0 as MvClosureReason);
    sys.mvGetChannelClosureReason(ch, reason);
    s.note(`  closure ${reason.value}`);
    sys.mvOpenChannel(open, out(0 as MvChannelHandle));
    sys.mvCloseChannel(out(ch));
    sys.mvReleaseNetwork(out(net));
    sys.mvGetNetworkStatus(net, status); // released
  },

  async 'notification centres and channel limits'(s) {
    const { r, sys } = s;
    const ring = new Uint8Array(64);
    const c = out(0 as MvNotificationHandle);
    sys.mvSetupNotifications({ irq: 3, buffer: ring, buffer_size: 48 }, out(0 as MvNotificationHandle)); // a 48-byte ring is fine...
    sys.mvSetupNotifications({ irq: 4, buffer: ring.subarray(16), buffer_size: 32 }, c); // ...but this one overlaps it
    sys.mvSetupNotifications({ irq: 4, buffer: new Uint8Array(64).subarray(4), buffer_size: 32 }, c); // misaligned
    sys.mvSetupNotifications({ irq: LIMITS.NOTIFICATION_IRQ_RANGE.max + 1, buffer: new Uint8Array(64), buffer_size: 64 }, c);
    sys.mvSetupNotifications({ irq: 3, buffer: new Uint8Array(64), buffer_size: 64 }, c); // IRQ taken
    sys.mvSetupNotifications({ irq: 5, buffer: new Uint8Array(64), buffer_size: 16 }, c);
    sys.mvSetupNotifications({ irq: 5, buffer: new Uint8Array(64), buffer_size: 64 }, c);
    const net = out(0 as MvNetworkHandle);
    sys.mvRequestNetwork({ version: 1, v1: { notification_handle: c.value, notification_tag: 1 } }, net);
    sys.mvRequestNetwork({ version: 1, v1: { notification_handle: 0 as MvNotificationHandle, notification_tag: 1 } }, out(0 as MvNetworkHandle));
    const reasons = out(0);
    const refs = out(0);
    sys.mvGetNetworkReasons(reasons as never, refs);
    s.note(`  reasons ${reasons.value} refs ${refs.value}`);
    const params = (over: Record<string, unknown> = {}) => ({ ...r.openParams(), v1: { ...r.openParams().v1, notification_handle: c.value, network_handle: net.value, ...over } });
    sys.mvOpenChannel(params({ channel_type: 99 }), out(0 as MvChannelHandle));
    sys.mvOpenChannel(params({ send_buffer_len: 100 }), out(0 as MvChannelHandle));
    sys.mvOpenChannel(params({ endpoint: str('nowhere') }), out(0 as MvChannelHandle));
    sys.mvOpenChannel(params({ receive_buffer: new Uint8Array(1024).subarray(8, 520), receive_buffer_len: 512 }), out(0 as MvChannelHandle));
    sys.mvOpenChannel({ ...params(), version: 2 }, out(0 as MvChannelHandle));
    const handles: MvChannelHandle[] = [];
    for (let i = 0; i <= LIMITS.CHANNELS_OPEN_MAX.value; i++) {
      const h = out(0 as MvChannelHandle);
      sys.mvOpenChannel(params(), h);
      handles.push(h.value);
    }
    sys.mvCloseChannel(out(handles[0]));
    for (let i = 0; i < LIMITS.CHANNEL_OPEN_RATE.value; i++) {
      const h = out(0 as MvChannelHandle);
      sys.mvOpenChannel(params(), h);
      sys.mvCloseChannel(h);
    }
    sys.mvCloseNotifications(c);
    sys.mvCloseNotifications(c); // zeroed by the first close
    s.note(`  channel type of the last: ${MV_CHANNELTYPE_MQTT}`);
  },
};

const world = new World();
beforeAll(() => world.start());
afterAll(() => world.stop());

let runs = 0;

async function transcriptOf(runtime: 'device' | 'mock', session: (s: Session) => Promise<void>): Promise<Transcript> {
  const transcript: Transcript = [];
  const r = makeRig(runtime, world);
  const run = String(++runs).padStart(4, '0');
  let names = 0;
  try {
    await session({ r, sys: recording(r.sys, transcript), note: (what) => transcript.push(what), unique: (prefix) => `${prefix}/${process.pid}/${run}/${names++}` });
  } finally {
    await r.dispose();
  }
  return transcript;
}

/** Arbitrary topic bytes, the same on both runtimes: a new sample per run, replayable with FUZZ_SEED. */
const TOPIC_SAMPLES = fc.sample(topicBytes(), { numRuns: 60, seed: propertySeed('same answers, topic bytes') });

SESSIONS['arbitrary topic bytes in publish, subscribe and unsubscribe'] = async (s) => {
  const { r, sys } = s;
  const ch = r.channel(); // not connected: accepted requests are answered NOTCONNECTED on both
  let correlation = 1;
  for (const b of TOPIC_SAMPLES) {
    const topic = { data: b, length: b.byteLength };
    s.note(`  topic ${Buffer.from(b).toString('hex')}`);
    if (sys.mvMqttRequestPublish(ch, { ...publishRequest('x', 'x', 1, correlation++), topic }) === 0) {
      await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE);
      sys.mvMqttReadPublishResponse(ch, newMvMqttPublishResponse());
    }
    const sub = subscribeRequest(['ok', 'x'], 1, correlation++);
    sub.subscriptions![1].topic = topic;
    if (sys.mvMqttRequestSubscribe(ch, sub) === 0) {
      await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE);
      sys.mvMqttReadSubscribeResponse(ch, topicsResponse(2).response);
    }
    if (sys.mvMqttRequestUnsubscribe(ch, { ...unsubscribeRequest(['ok'], correlation++), topics: [str('ok'), topic], num_topics: 2 }) === 0) {
      await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE);
      sys.mvMqttReadUnsubscribeResponse(ch, topicsResponse(2).response);
    }
  }
  sys.mvCloseChannel(out(ch));
};

describe('the mock and the device core give the same answers', () => {
  for (const [name, session] of Object.entries(SESSIONS)) {
    it(name, async () => {
      const device = await transcriptOf('device', session);
      const mock = await transcriptOf('mock', session);
      expect(device.length).toBeGreaterThan(5);
      expect(mock).toEqual(device);
      if (process.env.SAME_ANSWERS_PRINT) console.log(`${name}:\n${device.join("\n")}`);
    });
  }
});
