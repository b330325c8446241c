/**
 * The MQTT area (the mvMqtt* calls): argument checks in the kernel's order, then the channel does the work.
 * Requests: a fault in the request struct itself is PARAMETERFAULT (nothing sent); a fault in
 * a pointer read while the request is being sent is LATEFAULT, and the channel is unusable.
 * Reads: PARAMETERFAULT and INVALIDBUFFERSIZE leave the item queued; once it has been taken
 * off the queue, a failed write through the app's pointers is LATEFAULT.
 */
import {
  FUNCTIONS,
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
  MV_STATUS_CHANNELCLOSED,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_INVALIDHANDLE,
  MV_STATUS_LATEFAULT,
  MV_STATUS_OKAY,
  MV_STATUS_PARAMETERFAULT,
  MV_STATUS_RATELIMITED,
  MV_STATUS_REQUESTALREADYSENT,
  MV_STATUS_TOOMANYELEMENTS,
  MV_STATUS_WRONGDATAREQUESTED,
} from '@mvmqtt/sdk';
import type {
  MvChannelHandle,
  MvFunctionName,
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
  MvParamInfo,
  MvSizedString,
} from '@mvmqtt/sdk';
import { sizedTopicProblem } from '@mvmqtt/sdk/runtime';
import { Fault, Refusal, fault, isBox, isStruct, isU32, requireStruct, sizedBytes, sizedCopy, sizedText } from '../kernel/args.js';
import type { MqttBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';
import { MqttChannel, type Subscription } from '../mqtt/channel.js';
import { decodeConnectRequest } from '../mqtt/connect-request.js';
import type { ConnectResponseItem, DisconnectResponseItem, PublishResponseItem, ReadableItem } from '../mqtt/items.js';
import type { ReasonCodesSizeUnit } from '../mqtt/options.js';
import type { PublishTopic, TopicCache } from '../mqtt/topic-cache.js';
import { BrokerOutage } from '../mqtt/outage.js';

type NoChannel = typeof MV_STATUS_INVALIDHANDLE | typeof MV_STATUS_CHANNELCLOSED;
type Lookup = MqttChannel | NoChannel;

/** The channel kind a function's handle parameter names (read from the spec once per function, not per call). */
function handleKind(fn: MvFunctionName): MvParamInfo['objectKind'] {
  return (FUNCTIONS[fn].params[0] as MvParamInfo | undefined)?.objectKind;
}

/** The channel behind `handle` if it is of `kind` (the function's handle kind: MQTT), and not closed. */
export function mqttChannel(k: Kernel, kind: MvParamInfo['objectKind'], handle: unknown): Lookup {
  const ch = k.channels.get(handle);
  if (!(ch instanceof MqttChannel) || ch.type !== kind) return MV_STATUS_INVALIDHANDLE;
  if (ch.closed) return MV_STATUS_CHANNELCLOSED;
  return ch;
}

const TOPICS_MAX = LIMITS.MQTT_TOPICS_PER_REQUEST_MAX.value;
const SUBSCRIBE_QOS_MAX = LIMITS.MQTT_SUBSCRIBE_QOS.max;
const PUBLISH_QOS_MAX = LIMITS.MQTT_PUBLISH_QOS.max;
const inRange = (v: number, l: { min: number; max: number }) => v >= l.min && v <= l.max;

// ---------------------------------------------------------------------- requests

export function requestConnect(k: Kernel, ch: MqttChannel, request: unknown): MvMqttRequestConnectStatus {
  if (!isStruct(request)) return MV_STATUS_PARAMETERFAULT;
  if (ch.connectRequested) return MV_STATUS_REQUESTALREADYSENT;
  try {
    const plan = decodeConnectRequest(request, { rsaKeysOnly: k.options.rsaKeysOnly, alwaysTls: k.options.alwaysTls });
    ch.requestConnect(plan);
    return MV_STATUS_OKAY;
  } catch (err) {
    if (err instanceof Refusal) return err.status as MvMqttRequestConnectStatus;
    if (err instanceof Fault && err.late) {
      // The attempt has started: it counts as this channel's one connect, and the channel is unusable.
      ch.connectRequested = true;
      ch.terminate();
      return MV_STATUS_LATEFAULT;
    }
    throw err;
  }
}

/** A pointer that faulted once part of the request had gone out: the channel is unusable. Anything else is not ours. */
function endLate(ch: MqttChannel, err: unknown): typeof MV_STATUS_LATEFAULT {
  if (!(err instanceof Fault && err.late)) throw err;
  ch.terminate();
  return MV_STATUS_LATEFAULT;
}

/** The status for the first filter MQTT does not allow; checked once every topic has been read, before anything goes out. */
function filterRefusal(topics: readonly MvSizedString[]): MvMqttRequestSubscribeStatus & MvMqttRequestUnsubscribeStatus | undefined {
  for (const topic of topics) {
    const problem = sizedTopicProblem('filter', topic);
    if (problem) return problem.status as MvMqttRequestSubscribeStatus & MvMqttRequestUnsubscribeStatus;
  }
  return undefined;
}

export function requestSubscribe(ch: MqttChannel, request: unknown): MvMqttRequestSubscribeStatus {
  if (!isStruct(request)) return MV_STATUS_PARAMETERFAULT;
  const { correlation_id: correlationId, num_subscriptions: n, subscriptions } = request;
  if (!isU32(correlationId) || !isU32(n)) return MV_STATUS_PARAMETERFAULT;
  if (n > TOPICS_MAX) return LIMITS.MQTT_TOPICS_PER_REQUEST_MAX.status;
  if (n === 0 || !Array.isArray(subscriptions) || subscriptions.length < n) return MV_STATUS_PARAMETERFAULT;
  for (let i = 0; i < n; i++) {
    const s = subscriptions[i];
    if (!isStruct(s) || !isU32(s.desired_qos) || !isU32(s.nl) || !isU32(s.rap) || !isU32(s.rh)) return MV_STATUS_PARAMETERFAULT;
    if (s.desired_qos > SUBSCRIBE_QOS_MAX) return LIMITS.MQTT_SUBSCRIBE_QOS.status;
    if (!inRange(s.nl, LIMITS.MQTT_SUBSCRIPTION_NO_LOCAL) || !inRange(s.rap, LIMITS.MQTT_SUBSCRIPTION_RETAIN_AS_PUBLISHED) || !inRange(s.rh, LIMITS.MQTT_SUBSCRIPTION_RETAIN_HANDLING))
      return LIMITS.MQTT_SUBSCRIPTION_RETAIN_HANDLING.status;
  }
  if (!ch.canSubscribe()) return LIMITS.MQTT_SUBSCRIBES_IN_FLIGHT_MAX.status;
  const subs: Subscription[] = [];
  const topics: MvSizedString[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = subscriptions[i] as Record<string, number>;
      // Topics are streamed to the server one after another: a bad first topic is caught
      // before anything went out, a bad later one only after part of the request was sent.
      const topic = sizedText(s.topic, `request->subscriptions[${i}].topic`, i > 0);
      subs.push({ topic, qos: s.desired_qos as 0 | 1, nl: s.nl === 1, rap: s.rap === 1, rh: s.rh as 0 | 1 | 2 });
      topics.push(s.topic as unknown as MvSizedString);
    }
  } catch (err) {
    return endLate(ch, err);
  }
  const refused = filterRefusal(topics);
  if (refused !== undefined) return refused;
  ch.requestSubscribe(correlationId, subs);
  return MV_STATUS_OKAY;
}

export function requestUnsubscribe(ch: MqttChannel, request: unknown): MvMqttRequestUnsubscribeStatus {
  if (!isStruct(request)) return MV_STATUS_PARAMETERFAULT;
  const { correlation_id: correlationId, num_topics: n, topics } = request;
  if (!isU32(correlationId) || !isU32(n) || n === 0) return MV_STATUS_PARAMETERFAULT;
  if (n > TOPICS_MAX) return MV_STATUS_TOOMANYELEMENTS;
  if (!ch.canUnsubscribe()) return LIMITS.MQTT_UNSUBSCRIBES_IN_FLIGHT_MAX.status;
  const list: string[] = [];
  try {
    if (!Array.isArray(topics) || topics.length < n) fault('request->topics does not hold num_topics entries', true);
    for (let i = 0; i < n; i++) list.push(sizedText(topics[i], `request->topics[${i}]`, true));
  } catch (err) {
    return endLate(ch, err);
  }
  const refused = filterRefusal((topics as MvSizedString[]).slice(0, n));
  if (refused !== undefined) return refused;
  ch.requestUnsubscribe(correlationId, list);
  return MV_STATUS_OKAY;
}

export function requestPublish(ch: MqttChannel, request: unknown): MvMqttRequestPublishStatus {
  if (!isStruct(request)) return MV_STATUS_PARAMETERFAULT;
  const { correlation_id: correlationId, desired_qos: qos, retain } = request;
  if (!isU32(correlationId) || !isU32(qos) || !isU32(retain)) return MV_STATUS_PARAMETERFAULT;
  if (qos > PUBLISH_QOS_MAX) return LIMITS.MQTT_PUBLISH_QOS.status;
  if (!ch.canPublish()) return LIMITS.MQTT_PUBLISHES_IN_FLIGHT_MAX.status;
  let topic: PublishTopic;
  let payload: Buffer;
  try {
    topic = publishTopic(ch.publishTopics, request.topic as MvSizedString);
    payload = sizedCopy(request.payload, 'request->payload', true);
  } catch (err) {
    return endLate(ch, err);
  }
  if (topic.problem) return topic.problem.status as MvMqttRequestPublishStatus;
  ch.requestPublish(correlationId, topic.text, payload, qos as 0 | 1 | 2, retain !== 0);
  return MV_STATUS_OKAY;
}

const decoder = new TextDecoder();

/**
 * The topic of a publish request as text, and what MQTT finds wrong with it. A device
 * publishes to a few topics over and over: bytes equal to the last ones are not decoded and
 * judged again (comparing them costs less than either).
 */
function publishTopic(cache: TopicCache, s: MvSizedString): PublishTopic {
  const bytes = isStruct(s) && s.data instanceof Uint8Array ? sizedBytes(s, 'request->topic', true) : undefined;
  if (bytes) {
    const hit = cache.find(bytes);
    if (hit) return hit;
    return cache.remember(bytes, { text: decoder.decode(bytes), problem: sizedTopicProblem('name', s) });
  }
  return { text: sizedText(s, 'request->topic', true), problem: sizedTopicProblem('name', s) };
}

export function acknowledgeMessage(ch: MqttChannel, correlationId: unknown): MvMqttAcknowledgeMessageStatus {
  if (!ch.canAcknowledge()) return LIMITS.MQTT_ACKNOWLEDGEMENTS_IN_FLIGHT_MAX.status;
  if (isU32(correlationId)) ch.acknowledge(correlationId);
  return MV_STATUS_OKAY;
}

export function requestDisconnect(ch: MqttChannel): MvMqttRequestDisconnectStatus {
  if (!ch.canDisconnect()) return MV_STATUS_RATELIMITED;
  ch.requestDisconnect();
  return MV_STATUS_OKAY;
}

// ---------------------------------------------------------------------- reads

export function getNextReadableDataType(ch: MqttChannel, out: unknown): MvMqttGetNextReadableDataTypeStatus {
  if (!isBox(out)) return MV_STATUS_PARAMETERFAULT;
  out.value = ch.peekType();
  return MV_STATUS_OKAY;
}

/** Runs the writes of a read after the item was consumed: any fault now is LATEFAULT. */
function writeLate(write: () => void): typeof MV_STATUS_OKAY | typeof MV_STATUS_LATEFAULT {
  try {
    write();
    return MV_STATUS_OKAY;
  } catch {
    return MV_STATUS_LATEFAULT;
  }
}

/** Takes the head item if it is a `type` answer and writes it into `out` (connect, publish and disconnect responses). */
function readResponse<T extends ReadableItem['type']>(
  ch: MqttChannel,
  out: unknown,
  type: T,
  write: (out: Record<string, unknown>, item: Extract<ReadableItem, { type: T }>) => void,
): MvMqttReadConnectResponseStatus & MvMqttReadPublishResponseStatus & MvMqttReadDisconnectResponseStatus {
  if (!isStruct(out)) return MV_STATUS_PARAMETERFAULT;
  const item = ch.head(type);
  if (!item) return MV_STATUS_WRONGDATAREQUESTED;
  ch.consumeHead();
  try {
    write(out, item);
    return MV_STATUS_OKAY;
  } catch {
    return MV_STATUS_LATEFAULT; // the item is gone: a fault now is late
  }
}

function writeConnectResponse(out: Record<string, unknown>, item: ConnectResponseItem): void {
  out.request_state = item.requestState;
  out.reason_code = item.reasonCode;
}

function writePublishResponse(out: Record<string, unknown>, item: PublishResponseItem): void {
  out.request_state = item.requestState;
  out.correlation_id = item.correlationId;
  out.reason_code = item.reasonCode;
}

function writeDisconnectResponse(out: Record<string, unknown>, item: DisconnectResponseItem): void {
  out.request_state = item.requestState;
  out.disconnect_code = item.disconnectCode;
}

/** How many codes a reason-code buffer of `size` holds (the header says bytes; the demos pass entries). */
function reasonCodeCapacity(size: number, unit: ReasonCodesSizeUnit): number {
  if (unit === 'bytes') return Math.floor(size / 4);
  return size; // 'entries', and 'lenient': size >= n holds under both readings
}

export function readReasonCodes(
  ch: MqttChannel,
  out: unknown,
  type: typeof MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE | typeof MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE,
  unit: ReasonCodesSizeUnit,
): MvMqttReadSubscribeResponseStatus {
  if (!isStruct(out) || !isU32(out.reason_codes_size)) return MV_STATUS_PARAMETERFAULT;
  const item = ch.head(type);
  if (!item) return MV_STATUS_WRONGDATAREQUESTED;
  const codes = item.reasonCodes;
  if (codes.length > reasonCodeCapacity(out.reason_codes_size, unit)) return MV_STATUS_INVALIDBUFFERSIZE;
  ch.consumeHead();
  return writeLate(() => {
    (out.request_state as MvOut<number>).value = item.requestState;
    (out.correlation_id as MvOut<number>).value = item.correlationId;
    if (codes.length > 0) {
      const array = out.reason_codes;
      if (!(array instanceof Uint32Array) || array.length < codes.length) fault('reason_codes cannot hold the codes', true);
      for (let i = 0; i < codes.length; i++) array[i] = codes[i];
    }
    (out.reason_codes_len as MvOut<number>).value = codes.length;
  });
}

/** The writable bytes of an `MvSizedStringBuffer` (`size` bytes at `data`), or a late fault. */
function bufferBytes(b: Record<string, unknown>, what: string): Uint8Array {
  const { data, size } = b;
  if (!(data instanceof Uint8Array) || (size as number) > data.byteLength) fault(`${what}.data cannot hold ${what}.size bytes`, true);
  return data;
}

const encoder = new TextEncoder();

export function receiveMessage(ch: MqttChannel, msg: unknown): MvMqttReceiveMessageStatus {
  if (!isStruct(msg)) return MV_STATUS_PARAMETERFAULT;
  const item = ch.head(MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED);
  if (!item) return MV_STATUS_WRONGDATAREQUESTED;
  const { topic, payload } = msg;
  if (!isStruct(topic) || !isStruct(payload) || !isU32(topic.size) || !isU32(payload.size)) return MV_STATUS_PARAMETERFAULT;
  if (item.topicLength > topic.size || item.payload.byteLength > payload.size) return MV_STATUS_INVALIDBUFFERSIZE;
  ch.consumeHead();
  const correlationId = ch.issueCorrelation(item);
  // writeLate inlined: this runs once per received message, and a closure per call is garbage per message.
  try {
    encoder.encodeInto(item.topic, bufferBytes(topic, 'message_data->topic'));
    (topic.length as MvOut<number>).value = item.topicLength;
    bufferBytes(payload, 'message_data->payload').set(item.payload);
    (payload.length as MvOut<number>).value = item.payload.byteLength;
    (msg.correlation_id as MvOut<number>).value = correlationId;
    (msg.qos as MvOut<number>).value = item.qos;
    (msg.retain as MvOut<number>).value = item.retain ? 1 : 0;
    return MV_STATUS_OKAY;
  } catch {
    return MV_STATUS_LATEFAULT;
  }
}

export function receiveLostMessageInfo(ch: MqttChannel, info: unknown): MvMqttReceiveLostMessageInfoStatus {
  if (!isStruct(info)) return MV_STATUS_PARAMETERFAULT;
  const item = ch.head(MV_MQTTREADABLEDATATYPE_MESSAGELOST);
  if (!item) return MV_STATUS_WRONGDATAREQUESTED;
  const topic = info.topic;
  if (!isStruct(topic) || !isU32(topic.size)) return MV_STATUS_PARAMETERFAULT;
  if (item.topicLength > topic.size) return MV_STATUS_INVALIDBUFFERSIZE;
  ch.consumeHead();
  return writeLate(() => {
    (info.reason as MvOut<number>).value = MV_MQTTLOSTMESSAGEREASON_DEVICERECEIVEBUFFERTOOSMALL;
    encoder.encodeInto(item.topic, bufferBytes(requireStruct(topic, 'lost_message_info->topic', true), 'lost_message_info->topic'));
    (topic.length as MvOut<number>).value = item.topicLength;
    (info.message_len as MvOut<number>).value = item.messageLength;
  });
}

export function createMqttBehaviours(k: Kernel): MqttBehaviours {
  const outage = k.state(BrokerOutage);
  k.channelTypes.register(MV_CHANNELTYPE_MQTT, (type, target, buffers, handle) => new MqttChannel(type, target, buffers, k.options, handle, () => outage.active));
  const unit = k.options.reasonCodesSizeUnit;
  /** `body` on the open MQTT channel `handle` names, or the status that says why there is none (one wrapper per function, made once). */
  const on = <A, S>(fn: MvFunctionName, body: (ch: MqttChannel, arg: A) => S) => {
    const kind = handleKind(fn);
    return (handle: MvChannelHandle, arg: A): S | NoChannel => {
      const ch = mqttChannel(k, kind, handle);
      return typeof ch === 'number' ? ch : body(ch, arg);
    };
  };
  const disconnect = on('mvMqttRequestDisconnect', requestDisconnect);
  return {
    mvMqttGetNextReadableDataType: on('mvMqttGetNextReadableDataType', getNextReadableDataType),
    mvMqttRequestConnect: on('mvMqttRequestConnect', (ch, request) => requestConnect(k, ch, request)),
    mvMqttReadConnectResponse: on('mvMqttReadConnectResponse', (ch, out) => readResponse(ch, out, MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE, writeConnectResponse)),
    mvMqttRequestSubscribe: on('mvMqttRequestSubscribe', requestSubscribe),
    mvMqttReadSubscribeResponse: on('mvMqttReadSubscribeResponse', (ch, out) => readReasonCodes(ch, out, MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE, unit)),
    mvMqttRequestUnsubscribe: on('mvMqttRequestUnsubscribe', requestUnsubscribe),
    mvMqttReadUnsubscribeResponse: on('mvMqttReadUnsubscribeResponse', (ch, out) => readReasonCodes(ch, out, MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE, unit)),
    mvMqttRequestPublish: on('mvMqttRequestPublish', requestPublish),
    mvMqttReadPublishResponse: on('mvMqttReadPublishResponse', (ch, out) => readResponse(ch, out, MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE, writePublishResponse)),
    mvMqttReceiveMessage: on('mvMqttReceiveMessage', receiveMessage),
    mvMqttReceiveLostMessageInfo: on('mvMqttReceiveLostMessageInfo', receiveLostMessageInfo),
    mvMqttAcknowledgeMessage: on('mvMqttAcknowledgeMessage', acknowledgeMessage),
    mvMqttRequestDisconnect: (handle) => disconnect(handle, undefined),
    mvMqttReadDisconnectResponse: on('mvMqttReadDisconnectResponse', (ch, out) => readResponse(ch, out, MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE, writeDisconnectResponse)),
  };
}
