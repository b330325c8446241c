/**
 * The MQTT area (the mvMqtt* calls): argument checks in the kernel's order, then the channel does the work.
 * Requests: a fault in the request struct itself is PARAMETERFAULT (nothing sent); a fault in
 * a pointer read while the request is being sent is LATEFAULT, and the channel is unusable.
 * Reads: PARAMETERFAULT and INVALIDBUFFERSIZE leave the item queued; once it has been taken
 * off the queue, a failed write through the app's pointers is LATEFAULT.
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
  MV_MQTTLOSTMESSAGEREASON_DEVICERECEIVEBUFFERTOOSMALL,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_LATEFAULT,
  MV_STATUS_OKAY,
  MV_STATUS_PARAMETERFAULT,
  MV_STATUS_RATELIMITED,
  MV_STATUS_REQUESTALREADYSENT,
  MV_STATUS_REQUIREDELEMENTMISSING,
  MV_STATUS_WRONGDATAREQUESTED,
} from '@mvmqtt/sdk';
import type {
  MvMqttConnectRequest,
  MvMqttConnectResponse,
  MvMqttDisconnectResponse,
  MvMqttLostMessageInfo,
  MvMqttMessage,
  MvMqttPublishRequest,
  MvMqttPublishResponse,
  MvMqttReadableDataType,
  MvMqttSubscribeRequest,
  MvMqttSubscribeResponse,
  MvMqttUnsubscribeRequest,
  MvMqttAcknowledgeMessageStatus,
  MvMqttGetNextReadableDataTypeStatus,
  MvMqttReadConnectResponseStatus,
  MvMqttReadDisconnectResponseStatus,
  MvMqttReadPublishResponseStatus,
  MvMqttReadSubscribeResponseStatus,
  MvMqttReceiveLostMessageInfoStatus,
  MvMqttReceiveMessageStatus,
  MvMqttRequestConnectStatus,
  MvMqttRequestDisconnectStatus,
  MvMqttRequestPublishStatus,
  MvMqttRequestSubscribeStatus,
  MvMqttRequestUnsubscribeStatus,
  MvOut,
  MvSizedString,
} from '@mvmqtt/sdk';
import { fault, sizedTopicProblem } from '@mvmqtt/sdk/runtime';
import { Refusal, checkedBytes, checkedCopy, checkedText, isU32 } from '../kernel/args.js';
import type { MqttBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';
import { MqttChannel, type Subscription } from '../mqtt/channel.js';
import { decodeConnectRequest } from '../mqtt/connect-request.js';
import type { ConnectResponseItem, DisconnectResponseItem, PublishResponseItem, ReadableItem } from '../mqtt/items.js';
import { resolveMqttOptions, type MqttChannelOptions, type MqttOptions, type ReasonCodesSizeUnit, type ResolvedMqttOptions } from '../mqtt/options.js';
import type { PublishTopic, TopicCache } from '../mqtt/topic-cache.js';
import { BrokerOutage } from '../mqtt/outage.js';

/**
 * The MQTT channel the call's handle named: the generated argument check found it live, of the
 * MQTT kind and open, and left it in `k.args.target` (no second look-up per call).
 */
function checkedChannel(k: Kernel): MqttChannel {
  return k.args.target as MqttChannel;
}

/** A pointer inside the request that faulted once part of it had gone out (found by the argument check): the channel is unusable. */
function failLate(ch: MqttChannel): typeof MV_STATUS_LATEFAULT {
  ch.terminate();
  return MV_STATUS_LATEFAULT;
}

// ---------------------------------------------------------------------- requests

export function requestConnect(k: Kernel, ch: MqttChannel, request: MvMqttConnectRequest, options: ResolvedMqttOptions): MvMqttRequestConnectStatus {
  if (ch.connectRequested) return MV_STATUS_REQUESTALREADYSENT;
  if (k.args.lateFault !== undefined) {
    // The attempt has started: it counts as this channel's one connect, and the channel is unusable.
    ch.connectRequested = true;
    return failLate(ch);
  }
  if (k.args.missing !== undefined) return MV_STATUS_REQUIREDELEMENTMISSING;
  try {
    ch.requestConnect(decodeConnectRequest(request, { rsaKeysOnly: options.rsaKeysOnly, alwaysTls: options.alwaysTls }));
    return MV_STATUS_OKAY;
  } catch (err) {
    if (err instanceof Refusal) return err.status as MvMqttRequestConnectStatus;
    throw err;
  }
}

/** The status for the first filter MQTT does not allow; checked once every topic has been read, before anything goes out. */
function filterRefusal(topics: readonly MvSizedString[]): MvMqttRequestSubscribeStatus & MvMqttRequestUnsubscribeStatus | undefined {
  for (const topic of topics) {
    const problem = sizedTopicProblem('filter', topic);
    if (problem) return problem.status as MvMqttRequestSubscribeStatus & MvMqttRequestUnsubscribeStatus;
  }
  return undefined;
}

/** A late fault in a subscription's topic (`request.subscriptions[i].topic…`): topics are streamed one after another. */
const TOPIC_PATH = /\[(\d+)\]\.topic(\.|$)/;

export function requestSubscribe(k: Kernel, ch: MqttChannel, request: MvMqttSubscribeRequest): MvMqttRequestSubscribeStatus {
  const n = request.num_subscriptions;
  if (n === 0) return MV_STATUS_PARAMETERFAULT;
  // The array and each subscription's settings are read before anything is sent; topics are
  // streamed one after another, so a bad first topic is caught before anything went out, a bad
  // later one only after part of the request was sent.
  const late = k.args.lateFault;
  const topicFault = late === undefined ? undefined : TOPIC_PATH.exec(late.path);
  if (late !== undefined && topicFault === null) return MV_STATUS_PARAMETERFAULT;
  if (!ch.canSubscribe()) return LIMITS.MQTT_SUBSCRIBES_IN_FLIGHT_MAX.status;
  if (topicFault) return topicFault[1] === '0' ? MV_STATUS_PARAMETERFAULT : failLate(ch);
  const subscriptions = request.subscriptions!;
  const topics: MvSizedString[] = [];
  for (let i = 0; i < n; i++) topics.push(subscriptions[i].topic);
  const refused = filterRefusal(topics);
  if (refused !== undefined) return refused;
  const subs: Subscription[] = [];
  for (let i = 0; i < n; i++) {
    const s = subscriptions[i];
    subs.push({ topic: checkedText(s.topic), qos: s.desired_qos as 0 | 1, nl: s.nl === 1, rap: s.rap === 1, rh: s.rh as 0 | 1 | 2 });
  }
  ch.requestSubscribe(request.correlation_id, subs);
  return MV_STATUS_OKAY;
}

export function requestUnsubscribe(k: Kernel, ch: MqttChannel, request: MvMqttUnsubscribeRequest): MvMqttRequestUnsubscribeStatus {
  const n = request.num_topics;
  if (n === 0) return MV_STATUS_PARAMETERFAULT;
  if (!ch.canUnsubscribe()) return LIMITS.MQTT_UNSUBSCRIBES_IN_FLIGHT_MAX.status;
  if (k.args.lateFault !== undefined) return failLate(ch);
  const topics = request.topics!.slice(0, n);
  const refused = filterRefusal(topics);
  if (refused !== undefined) return refused;
  ch.requestUnsubscribe(request.correlation_id, topics.map((t) => checkedText(t)));
  return MV_STATUS_OKAY;
}

export function requestPublish(k: Kernel, ch: MqttChannel, request: MvMqttPublishRequest): MvMqttRequestPublishStatus {
  if (!ch.canPublish()) return LIMITS.MQTT_PUBLISHES_IN_FLIGHT_MAX.status;
  // The topic and payload are read while the request is being sent: a bad pointer there is late.
  if (k.args.lateFault !== undefined) return failLate(ch);
  const topic = publishTopic(ch.publishTopics, request.topic);
  if (topic.problem) return topic.problem.status as MvMqttRequestPublishStatus;
  ch.requestPublish(request.correlation_id, topic.text, checkedCopy(request.payload), request.desired_qos as 0 | 1 | 2, request.retain !== 0);
  return MV_STATUS_OKAY;
}

const decoder = new TextDecoder();

/**
 * The topic of a publish request as text, and what MQTT finds wrong with it. A device
 * publishes to a few topics over and over: bytes equal to the last ones are not decoded and
 * judged again (comparing them costs less than either).
 */
function publishTopic(cache: TopicCache, s: MvSizedString): PublishTopic {
  if (s.data instanceof Uint8Array && s.length > 0) {
    const bytes = checkedBytes(s);
    const hit = cache.find(bytes);
    if (hit) return hit;
    return cache.remember(bytes, { text: decoder.decode(bytes), problem: sizedTopicProblem('name', s) });
  }
  return { text: checkedText(s), problem: sizedTopicProblem('name', s) };
}

export function acknowledgeMessage(ch: MqttChannel, correlationId: number): MvMqttAcknowledgeMessageStatus {
  if (!ch.canAcknowledge()) return LIMITS.MQTT_ACKNOWLEDGEMENTS_IN_FLIGHT_MAX.status;
  // A value by register: any bit pattern may come, and only a 32-bit one can name a message.
  if (isU32(correlationId)) ch.acknowledge(correlationId);
  return MV_STATUS_OKAY;
}

export function requestDisconnect(ch: MqttChannel): MvMqttRequestDisconnectStatus {
  if (!ch.canDisconnect()) return MV_STATUS_RATELIMITED;
  ch.requestDisconnect();
  return MV_STATUS_OKAY;
}

// ---------------------------------------------------------------------- reads

export function getNextReadableDataType(ch: MqttChannel, out: MvOut<MvMqttReadableDataType>): MvMqttGetNextReadableDataTypeStatus {
  out.value = ch.peekType();
  return MV_STATUS_OKAY;
}

/**
 * Writes a read's result once its item was taken off the queue: a pointer the argument check
 * found bad inside the result struct, or a write that faults now, is LATEFAULT (the item is gone).
 */
function writeLate<T>(k: Kernel, out: T, write: (out: T) => void): typeof MV_STATUS_OKAY | typeof MV_STATUS_LATEFAULT {
  if (k.args.lateFault !== undefined) return MV_STATUS_LATEFAULT;
  try {
    write(out);
    return MV_STATUS_OKAY;
  } catch {
    return MV_STATUS_LATEFAULT;
  }
}

/** Takes the head item if it is a `type` answer and writes it into `out` (connect, publish and disconnect responses). */
function readResponse<T extends ReadableItem['type'], O>(
  k: Kernel,
  ch: MqttChannel,
  out: O,
  type: T,
  write: (out: O, item: Extract<ReadableItem, { type: T }>) => void,
): MvMqttReadConnectResponseStatus & MvMqttReadPublishResponseStatus & MvMqttReadDisconnectResponseStatus {
  const item = ch.head(type);
  if (!item) return MV_STATUS_WRONGDATAREQUESTED;
  ch.consumeHead();
  // writeLate inlined: a publish response is read once per QoS 1 message, and a closure per call is garbage per message.
  if (k.args.lateFault !== undefined) return MV_STATUS_LATEFAULT;
  try {
    write(out, item);
    return MV_STATUS_OKAY;
  } catch {
    return MV_STATUS_LATEFAULT; // the item is gone: a fault now is late
  }
}

function writeConnectResponse(out: MvMqttConnectResponse, item: ConnectResponseItem): void {
  out.request_state = item.requestState;
  out.reason_code = item.reasonCode;
}

function writePublishResponse(out: MvMqttPublishResponse, item: PublishResponseItem): void {
  out.request_state = item.requestState;
  out.correlation_id = item.correlationId;
  out.reason_code = item.reasonCode;
}

function writeDisconnectResponse(out: MvMqttDisconnectResponse, item: DisconnectResponseItem): void {
  out.request_state = item.requestState;
  out.disconnect_code = item.disconnectCode;
}

/** How many codes a reason-code buffer of `size` holds (the header says bytes; the demos pass entries). */
function reasonCodeCapacity(size: number, unit: ReasonCodesSizeUnit): number {
  if (unit === 'bytes') return Math.floor(size / 4);
  return size; // 'entries', and 'lenient': size >= n holds under both readings
}

export function readReasonCodes(
  k: Kernel,
  ch: MqttChannel,
  out: MvMqttSubscribeResponse,
  type: typeof MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE | typeof MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE,
  unit: ReasonCodesSizeUnit,
): MvMqttReadSubscribeResponseStatus {
  const item = ch.head(type);
  if (!item) return MV_STATUS_WRONGDATAREQUESTED;
  const codes = item.reasonCodes;
  if (codes.length > reasonCodeCapacity(out.reason_codes_size, unit)) return MV_STATUS_INVALIDBUFFERSIZE;
  ch.consumeHead();
  return writeLate(k, out, (o) => {
    o.request_state!.value = item.requestState;
    o.correlation_id!.value = item.correlationId;
    if (codes.length > 0) {
      // The check held reason_codes against reason_codes_size; the unit reading above may allow more codes than it holds.
      const array = o.reason_codes;
      if (!(array instanceof Uint32Array) || array.length < codes.length) fault('reason_codes cannot hold the codes', true);
      for (let i = 0; i < codes.length; i++) array[i] = codes[i];
    }
    o.reason_codes_len!.value = codes.length;
  });
}

const encoder = new TextEncoder();

export function receiveMessage(k: Kernel, ch: MqttChannel, msg: MvMqttMessage): MvMqttReceiveMessageStatus {
  const item = ch.head(MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED);
  if (!item) return MV_STATUS_WRONGDATAREQUESTED;
  const { topic, payload } = msg;
  // Byte counts by `length`: V8 11 inlines it for Buffers, not `byteLength` (once per message).
  const payloadLength = item.payload.length;
  if (item.topicLength > topic.size || payloadLength > payload.size) return MV_STATUS_INVALIDBUFFERSIZE;
  ch.consumeHead();
  const correlationId = ch.issueCorrelation(item);
  // The item is gone: a bad pointer inside the result is late.
  if (k.args.lateFault !== undefined) return MV_STATUS_LATEFAULT;
  // writeLate inlined: this runs once per received message, and a closure per call is garbage per message.
  try {
    encoder.encodeInto(item.topic, topic.data!);
    topic.length!.value = item.topicLength;
    payload.data!.set(item.payload);
    payload.length!.value = payloadLength;
    msg.correlation_id!.value = correlationId;
    msg.qos!.value = item.qos;
    msg.retain!.value = item.retain ? 1 : 0;
    return MV_STATUS_OKAY;
  } catch {
    return MV_STATUS_LATEFAULT;
  }
}

export function receiveLostMessageInfo(k: Kernel, ch: MqttChannel, info: MvMqttLostMessageInfo): MvMqttReceiveLostMessageInfoStatus {
  const item = ch.head(MV_MQTTREADABLEDATATYPE_MESSAGELOST);
  if (!item) return MV_STATUS_WRONGDATAREQUESTED;
  const topic = info.topic;
  if (item.topicLength > topic.size) return MV_STATUS_INVALIDBUFFERSIZE;
  ch.consumeHead();
  return writeLate(k, info, (o) => {
    o.reason!.value = MV_MQTTLOSTMESSAGEREASON_DEVICERECEIVEBUFFERTOOSMALL;
    encoder.encodeInto(item.topic, topic.data!);
    topic.length!.value = item.topicLength;
    o.message_len!.value = item.messageLength;
  });
}

export function createMqttBehaviours(k: Kernel, options: MqttOptions): MqttBehaviours {
  const outage = k.state(BrokerOutage);
  const mqtt = resolveMqttOptions(options);
  const channelOptions: MqttChannelOptions = {
    ...mqtt,
    limits: k.options.limits,
    // Read on each use: observers (the inspector) replace the kernel's trace after the area is made.
    get trace() {
      return k.options.trace;
    },
  };
  k.channelTypes.register(MV_CHANNELTYPE_MQTT, (type, target, buffers, handle) => new MqttChannel(type, target, buffers, channelOptions, handle, () => outage.active));
  const unit = mqtt.reasonCodesSizeUnit;
  return {
    mvMqttGetNextReadableDataType: (_handle, out) => getNextReadableDataType(checkedChannel(k), out),
    mvMqttRequestConnect: (_handle, request) => requestConnect(k, checkedChannel(k), request, mqtt),
    mvMqttReadConnectResponse: (_handle, out) => readResponse(k, checkedChannel(k), out, MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE, writeConnectResponse),
    mvMqttRequestSubscribe: (_handle, request) => requestSubscribe(k, checkedChannel(k), request),
    mvMqttReadSubscribeResponse: (_handle, out) => readReasonCodes(k, checkedChannel(k), out, MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE, unit),
    mvMqttRequestUnsubscribe: (_handle, request) => requestUnsubscribe(k, checkedChannel(k), request),
    mvMqttReadUnsubscribeResponse: (_handle, out) => readReasonCodes(k, checkedChannel(k), out, MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE, unit),
    mvMqttRequestPublish: (_handle, request) => requestPublish(k, checkedChannel(k), request),
    mvMqttReadPublishResponse: (_handle, out) => readResponse(k, checkedChannel(k), out, MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE, writePublishResponse),
    mvMqttReceiveMessage: (_handle, msg) => receiveMessage(k, checkedChannel(k), msg),
    mvMqttReceiveLostMessageInfo: (_handle, info) => receiveLostMessageInfo(k, checkedChannel(k), info),
    mvMqttAcknowledgeMessage: (_handle, correlationId) => acknowledgeMessage(checkedChannel(k), correlationId),
    mvMqttRequestDisconnect: () => requestDisconnect(checkedChannel(k)),
    mvMqttReadDisconnectResponse: (_handle, out) => readResponse(k, checkedChannel(k), out, MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE, writeDisconnectResponse),
  };
}
