/** The MQTT area in the mock: the mvMqtt* calls, answered as the device core answers them. */
import {
  FUNCTIONS,
  MV_CHANNELTYPE_MQTT,
  MV_CLOSUREREASON_CONNECTIONTERMINATED,
  MV_MQTTAUTHENTICATIONMETHOD_USERNAMEPASSWORD,
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_NONE,
  MV_MQTTREQUESTSTATE_NOTCONNECTED,
  MV_STATUS_INVALIDAUTHENTICATION,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_LATEFAULT,
  MV_STATUS_OKAY,
  MV_STATUS_PARAMETERFAULT,
  MV_STATUS_REQUIREDELEMENTMISSING,
  MV_STATUS_WRONGDATAREQUESTED,
  type MvChannelHandle,
  type MvFunctionInfo,
  type MvMqttConnectResponse,
  type MvMqttDisconnectResponse,
  type MvMqttPublishResponse,
  type MvMqttSubscribeResponse,
  type MvMqttUnsubscribeResponse,
  type MvSizedString,
  type MvSizedStringBuffer,
} from '@mvmqtt/sdk';
import { answerNow, autoAnswer } from '../mqtt/answers.js';
import type { MockCall } from '../call.js';
import { sizedTopicProblem } from '@mvmqtt/sdk/runtime';
import { FUNCTION_SCHEMAS, STRUCT_SCHEMAS, type MqttBehaviours } from '../generated/index.js';
import type { ParamSchema, StructSchema } from '../schema.js';
import { limit, type Kernel, type StatusOf } from '../kernel.js';
import { MqttChannel, mqttChannelOf, producedBy, type LostMessageData, type MessageData, type PendingRequest, type ReadableItem, type TopicsResponseData } from '../mqtt/channel.js';

/** Copies bytes into an application `MvSizedStringBuffer` and writes their length. */
function fill(target: MvSizedStringBuffer, bytes: Uint8Array): void {
  if (bytes.byteLength > 0) target.data!.set(bytes);
  target.length!.value = bytes.byteLength;
}

export function createMqttBehaviours(k: Kernel): MqttBehaviours {
  k.channelTypes.register(MV_CHANNELTYPE_MQTT, (...args) => new MqttChannel(...args));
  return {
    mvMqttGetNextReadableDataType(_call, handle, data_type) {
      data_type.value = mqttChannelOf(k, handle).readable[0]?.type ?? MV_MQTTREADABLEDATATYPE_NONE;
      return MV_STATUS_OKAY;
    },

    mvMqttRequestConnect(call, handle, request) {
      const channel = mqttChannelOf(k, handle);
      const limited = limit(k, call, { issued: channel.issued.get(call.fn) ?? 0 });
      if (limited !== undefined) return limited;
      if (call.lateFault !== undefined) return failLate(call, channel);
      const tls = request.tls_credentials;
      const clientKey = tls ? tls.clientcert.key.length : 0;
      const clientChain = tls ? tls.clientcert.chain.num_certs : 0;
      // A client certificate needs its key, and a key needs its certificate.
      if (call.missing !== undefined || (clientChain > 0) !== (clientKey > 0)) return MV_STATUS_REQUIREDELEMENTMISSING;
      if (request.authentication.method === MV_MQTTAUTHENTICATIONMETHOD_USERNAMEPASSWORD && clientKey > 0) return MV_STATUS_INVALIDAUTHENTICATION;
      channel.phase = 'connecting';
      return issue(k, call, channel, { fn: call.fn });
    },

    mvMqttRequestSubscribe(call, handle, request) {
      const channel = mqttChannelOf(k, handle);
      if (request.num_subscriptions === 0) return MV_STATUS_PARAMETERFAULT;
      // Like the device core: the array and each subscription's settings are read before anything
      // is sent; topics are streamed one after another, so only a bad topic after the first is late.
      const late = call.lateFault;
      if (late !== undefined && !isTopicPath(late.path)) return MV_STATUS_PARAMETERFAULT;
      const subscriptions = request.subscriptions!.slice(0, request.num_subscriptions);
      const limited = limit(k, call, { inFlight: channel.inFlight(call.fn) });
      if (limited !== undefined) return limited;
      if (late !== undefined) return isFirstElementPath(late.path) ? MV_STATUS_PARAMETERFAULT : failLate(call, channel);
      // Like the device core: once every topic has been read, one MQTT does not allow is refused.
      const refused = firstTopicProblem('filter', subscriptions.map((s) => s.topic));
      if (refused !== undefined) return refused;
      return issue(k, call, channel, { fn: call.fn, correlation_id: request.correlation_id, topics: subscriptions.map((s) => s.desired_qos) });
    },

    mvMqttRequestUnsubscribe(call, handle, request) {
      const channel = mqttChannelOf(k, handle);
      if (request.num_topics === 0) return MV_STATUS_PARAMETERFAULT;
      const limited = limit(k, call, { inFlight: channel.inFlight(call.fn) });
      if (limited !== undefined) return limited;
      if (call.lateFault !== undefined) return failLate(call, channel);
      const refused = firstTopicProblem('filter', request.topics!.slice(0, request.num_topics));
      if (refused !== undefined) return refused;
      return issue(k, call, channel, { fn: call.fn, correlation_id: request.correlation_id, topics: new Array<number>(request.num_topics).fill(0) });
    },

    mvMqttRequestPublish(call, handle, request) {
      const channel = mqttChannelOf(k, handle);
      const limited = limit(k, call, { inFlight: channel.inFlight(call.fn) });
      if (limited !== undefined) return limited;
      if (call.lateFault !== undefined) return failLate(call, channel);
      const refused = firstTopicProblem('name', [request.topic]);
      if (refused !== undefined) return refused;
      return issue(k, call, channel, { fn: call.fn, correlation_id: request.correlation_id });
    },

    mvMqttAcknowledgeMessage(call, handle, correlation_id) {
      const channel = mqttChannelOf(k, handle);
      const limited = limit(k, call, { inFlight: channel.inFlight(call.fn) });
      if (limited !== undefined) return limited;
      // QoS 0, unknown or already acknowledged: nothing to send.
      if (!channel.awaitingAck.delete(correlation_id)) return MV_STATUS_OKAY;
      channel.take(call.fn);
      // The acknowledgement is on its way until the kernel's next step.
      k.defer(() => channel.free(call.fn));
      return MV_STATUS_OKAY;
    },

    mvMqttRequestDisconnect(call, handle) {
      const channel = mqttChannelOf(k, handle);
      const limited = limit(k, call, { inFlight: channel.inFlight(call.fn) });
      if (limited !== undefined) return limited;
      if (channel.connected && !channel.disconnectRequested) {
        // Whatever the broker has not answered yet never will be.
        channel.disconnectRequested = true;
        for (const request of [...channel.pending]) answerNow(channel, request, MV_MQTTREQUESTSTATE_NOTCONNECTED);
      }
      return issue(k, call, channel, { fn: call.fn });
    },

    mvMqttReadConnectResponse: (call, handle, response_data) => readResponse(k, call, handle, response_data),
    mvMqttReadPublishResponse: (call, handle, response_data) => readResponse(k, call, handle, response_data),
    mvMqttReadDisconnectResponse: (call, handle, response_data) => readResponse(k, call, handle, response_data),

    mvMqttReadSubscribeResponse(call, handle, response_data) {
      return readTopicsResponse(k, call, handle, response_data);
    },

    mvMqttReadUnsubscribeResponse(call, handle, response_data) {
      return readTopicsResponse(k, call, handle, response_data);
    },

    mvMqttReceiveMessage(call, handle, message) {
      const channel = mqttChannelOf(k, handle);
      const item = head(call, channel);
      if (!item) return MV_STATUS_WRONGDATAREQUESTED;
      const data = item.data as MessageData;
      if (data.topic.byteLength > message.topic.size || data.payload.byteLength > message.payload.size) return MV_STATUS_INVALIDBUFFERSIZE;
      const correlation_id = channel.correlationFor(data);
      channel.unreadMessageBytes -= data.topic.byteLength + data.payload.byteLength;
      return consume(call, channel, () => {
        fill(message.topic, data.topic);
        fill(message.payload, data.payload);
        message.correlation_id!.value = correlation_id;
        message.qos!.value = data.qos;
        message.retain!.value = data.retain;
      });
    },

    mvMqttReceiveLostMessageInfo(call, handle, info) {
      const channel = mqttChannelOf(k, handle);
      const item = head(call, channel);
      if (!item) return MV_STATUS_WRONGDATAREQUESTED;
      const data = item.data as LostMessageData;
      if (data.topic.byteLength > info.topic.size) return MV_STATUS_INVALIDBUFFERSIZE;
      return consume(call, channel, () => {
        info.reason!.value = data.reason;
        fill(info.topic, data.topic);
        info.message_len!.value = data.message_len;
      });
    },
  };
}

/**
 * The request goes ahead: counted, and in flight until its answer has been read. Unless the
 * channel is connected (or this is the connect itself) the answer is NOTCONNECTED, at once;
 * otherwise it waits (answered on the next flush, unless answering is manual).
 */
function issue(k: Kernel, call: MockCall, channel: MqttChannel, request: PendingRequest): typeof MV_STATUS_OKAY {
  channel.issued.set(call.fn, (channel.issued.get(call.fn) ?? 0) + 1);
  channel.take(call.fn);
  channel.pending.push(request);
  const waits = channel.phase === 'connecting' ? producedBy(call.fn) === MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE : channel.connected;
  const disconnectTwice = producedBy(call.fn) === MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE && channel.issued.get(call.fn)! > 1;
  if (!waits || disconnectTwice) answerNow(channel, request, MV_MQTTREQUESTSTATE_NOTCONNECTED);
  else if (k.respond === 'auto') k.defer(() => autoAnswer(channel, request));
  return MV_STATUS_OKAY;
}

/**
 * A bad pointer inside the request, found once it had gone ahead: the channel, which may have
 * sent part of it, can no longer be used (it closes without a notification, as on the device core).
 */
function failLate(call: MockCall, channel: MqttChannel): typeof MV_STATUS_LATEFAULT {
  channel.issued.set(call.fn, (channel.issued.get(call.fn) ?? 0) + 1);
  channel.end(MV_CLOSUREREASON_CONNECTIONTERMINATED);
  return MV_STATUS_LATEFAULT;
}

/** The head item when it is what `fn` consumes; WRONGDATAREQUESTED leaves the queue as it is. */
function head(call: MockCall, channel: MqttChannel): ReadableItem | undefined {
  const item = channel.readable[0];
  return item !== undefined && item.type === (FUNCTIONS[call.fn] as MvFunctionInfo).consumes ? item : undefined;
}

/** Takes the head item off the queue (freeing its request's slot), then writes the result; a write that faults is a LATEFAULT. */
function consume(call: MockCall, channel: MqttChannel, write: () => void): typeof MV_STATUS_OKAY | typeof MV_STATUS_LATEFAULT {
  const item = channel.readable.shift()!;
  if (item.answers !== undefined) channel.free(item.answers);
  if (call.lateFault !== undefined) return MV_STATUS_LATEFAULT;
  try {
    write();
    return MV_STATUS_OKAY;
  } catch {
    return MV_STATUS_LATEFAULT;
  }
}

const RESPONSE_FIELDS = new Map<MockCall['fn'], readonly string[]>();

/** The fields of the struct a read call fills in (its second parameter), as the spec lists them. */
function responseFields(fn: MockCall['fn']): readonly string[] {
  let fields = RESPONSE_FIELDS.get(fn);
  if (fields === undefined) {
    const shape = (FUNCTION_SCHEMAS[fn].params as readonly ParamSchema[])[1].shape;
    if (shape.kind !== 'ref') throw new Error(`${fn} does not fill in a struct`);
    fields = (STRUCT_SCHEMAS as Readonly<Record<string, StructSchema>>)[shape.struct].fields.map((f) => f.path);
    RESPONSE_FIELDS.set(fn, fields);
  }
  return fields;
}

/** Connect, publish and disconnect responses: the item holds the struct's own fields, copied one by one. */
function readResponse(k: Kernel, call: MockCall, handle: MvChannelHandle, response: MvMqttConnectResponse | MvMqttPublishResponse | MvMqttDisconnectResponse) {
  const channel = mqttChannelOf(k, handle);
  const item = head(call, channel);
  if (!item) return MV_STATUS_WRONGDATAREQUESTED;
  const data = item.data as unknown as Readonly<Record<string, unknown>>;
  const out = response as unknown as Record<string, unknown>;
  return consume(call, channel, () => {
    for (const field of responseFields(call.fn)) out[field] = data[field];
  });
}

/** Subscribe and unsubscribe responses share their layout: pointers the kernel writes through. */
function readTopicsResponse(k: Kernel, call: MockCall, handle: MvChannelHandle, response: MvMqttSubscribeResponse | MvMqttUnsubscribeResponse) {
  const channel = mqttChannelOf(k, handle);
  const item = head(call, channel);
  if (!item) return MV_STATUS_WRONGDATAREQUESTED;
  const data = item.data as TopicsResponseData;
  const codes = data.reason_codes.length;
  if (!reasonCodesFit(response.reason_codes_size, codes)) return MV_STATUS_INVALIDBUFFERSIZE;
  return consume(call, channel, () => {
    response.request_state!.value = data.request_state;
    response.correlation_id!.value = data.correlation_id;
    if (codes > 0) {
      if (!(response.reason_codes instanceof Uint32Array) || response.reason_codes.length < codes) throw new RangeError('reason_codes cannot hold the codes');
      response.reason_codes.set(data.reason_codes);
    }
    response.reason_codes_len!.value = codes;
  });
}

/** The status for the first topic MQTT does not allow (the spec lists it for each request that carries topics). */
function firstTopicProblem(kind: 'name' | 'filter', topics: readonly MvSizedString[]): (StatusOf<'mvMqttRequestPublish'> & StatusOf<'mvMqttRequestSubscribe'> & StatusOf<'mvMqttRequestUnsubscribe'>) | undefined {
  for (const topic of topics) {
    const problem = sizedTopicProblem(kind, topic);
    if (problem) return problem.status as never;
  }
  return undefined;
}

/** A nested fault inside a subscription's topic (`request.subscriptions[1].topic.data`). */
function isTopicPath(path: string): boolean {
  return /\[\d+\]\.topic(\.|$)/.test(path);
}

function isFirstElementPath(path: string): boolean {
  return /\[0\]\./.test(path);
}

/**
 * `reason_codes_size` is in bytes by the header, yet the vendor's demo passes an entry count; like
 * the device core's default ('lenient'), a size that covers the codes either way is accepted.
 */
function reasonCodesFit(size: number, codes: number): boolean {
  return size >= codes;
}
