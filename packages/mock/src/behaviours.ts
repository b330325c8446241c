/**
 * What each syscall does in the mock once its arguments are well formed (the dispatcher has
 * already checked pointers, handles, versions, counts and field limits from the schemas). Every
 * method returns its function's own status type, so the compiler refuses a status the spec does
 * not list for it; call-level limits come from the spec through `LimitBook`. Where the vendor
 * is silent, the choices are the device core's, so a test sees the same answers on both.
 */
import {
  ENUM_NAMES,
  FUNCTIONS,
  MV_CLOSUREREASON_CONNECTIONTERMINATED,
  MV_MQTTAUTHENTICATIONMETHOD_USERNAMEPASSWORD,
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_NONE,
  MV_MQTTREQUESTSTATE_NOTCONNECTED,
  MV_NETWORKREASON_NEVERUSEDNETWORKAPI,
  MV_NETWORKREASON_NOTCONNECTING,
  MV_NETWORKREASON_USINGNETWORK,
  MV_NETWORKSTATUS_CONNECTED,
  MV_STATUS_BUFFERALREADYINUSE,
  MV_STATUS_INVALIDAUTHENTICATION,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_INVALIDINTERRUPT,
  MV_STATUS_LATEFAULT,
  MV_STATUS_NETWORKNOTCONNECTED,
  MV_STATUS_OKAY,
  MV_STATUS_PARAMETERFAULT,
  MV_STATUS_REQUIREDELEMENTMISSING,
  MV_STATUS_UNKNOWNCHANNELENDPOINT,
  MV_STATUS_UNKNOWNCHANNELTYPE,
  MV_STATUS_WRONGDATAREQUESTED,
  type MvChannelHandle,
  type MvClosureReason,
  type MvFunctionInfo,
  type MvFunctionName,
  type MvMqttConnectRequest,
  type MvMqttConnectResponse,
  type MvMqttDisconnectResponse,
  type MvMqttLostMessageInfo,
  type MvMqttMessage,
  type MvMqttPublishRequest,
  type MvMqttPublishResponse,
  type MvMqttReadableDataType,
  type MvMqttSubscribeRequest,
  type MvMqttSubscribeResponse,
  type MvMqttUnsubscribeRequest,
  type MvMqttUnsubscribeResponse,
  type MvNetworkHandle,
  type MvNetworkReason,
  type MvNetworkStatus,
  type MvNotificationHandle,
  type MvNotificationSetup,
  type MvOpenChannelParams,
  type MvOut,
  type MvRequestNetworkParams,
  type MvSizedString,
  type MvSizedStringBuffer,
  type MvSyscalls,
} from '@mvmqtt/sdk';
import { answerNow, autoAnswer } from './answers.js';
import type { MockCall } from './call.js';
import type { MockBehaviours } from './generated/syscalls.js';
import { CentreObject, Channel, NetworkRequest, producedBy, type Kernel, type LostMessageData, type MessageData, type PendingRequest, type ReadableItem, type TopicsResponseData } from './kernel.js';
import { NotificationCentre, overlaps, sizedTopicProblem } from '@mvmqtt/sdk/runtime';
import { utf8 } from './values.js';

/** The statuses function `F` can return. */
type StatusOf<F extends MvFunctionName> = ReturnType<MvSyscalls[F]>;

const CHANNEL_TYPES = new Set(Object.keys(ENUM_NAMES.MvChannelType).map(Number));

/** Enum fields whose unknown values get a status of their own (the validator leaves them to us). */
export const BEHAVIOUR_ENUMS: ReadonlySet<string> = new Set(['MvOpenChannelParams.v1.channel_type']);

/** The bytes of an `MvSizedString` the validator accepted (length 0: absent). */
function sizedBytes(s: MvSizedString): Uint8Array {
  if (s.length === 0 || s.data === null) return new Uint8Array(0);
  const bytes = typeof s.data === 'string' ? utf8(s.data) : s.data;
  return bytes.subarray(0, s.length);
}

const decoder = new TextDecoder();

/** Copies bytes into an application `MvSizedStringBuffer` and writes their length. */
function fill(target: MvSizedStringBuffer, bytes: Uint8Array): void {
  if (bytes.byteLength > 0) target.data!.set(bytes);
  target.length!.value = bytes.byteLength;
}

export class Behaviours implements MockBehaviours {
  constructor(private readonly k: Kernel) {}

  private limit<F extends MvFunctionName>(call: MockCall<F>, measures: Omit<Parameters<Kernel['limits']['check']>[1], 'now'>): StatusOf<F> | undefined {
    return this.k.limits.check(call.fn, { ...measures, now: this.k.clock.milliseconds() }) as StatusOf<F> | undefined;
  }

  private channel(handle: MvChannelHandle): Channel {
    return this.k.channels.get(handle)!;
  }

  // --- notifications -------------------------------------------------------------------------

  mvSetupNotifications(call: MockCall<'mvSetupNotifications'>, setup: MvNotificationSetup, handle_out: MvOut<MvNotificationHandle>): StatusOf<'mvSetupNotifications'> {
    const ring = setup.buffer!.subarray(0, setup.buffer_size);
    const range = this.k.memory.range(ring, ring.byteLength);
    for (const { centre } of this.k.centres.values()) {
      if (centre.irq === setup.irq) return MV_STATUS_INVALIDINTERRUPT;
      if (overlaps(centre.range, range)) return MV_STATUS_BUFFERALREADYINUSE;
    }
    const limited = this.limit(call, { objects: this.k.centres.size });
    if (limited !== undefined) return limited;
    const centre = new NotificationCentre(setup.irq, ring, range, this.k.nvic, this.k.clock, { policy: 'overwrite', counters: this.k.notificationCounters });
    handle_out.value = this.k.centres.add(new CentreObject(centre)) as MvNotificationHandle;
    return MV_STATUS_OKAY;
  }

  mvCloseNotifications(_call: MockCall<'mvCloseNotifications'>, handle_in_out: MvOut<MvNotificationHandle>): StatusOf<'mvCloseNotifications'> {
    const object = this.k.centres.get(handle_in_out.value)!;
    // Sources that still name the centre keep working; their records are simply no longer written.
    object.centre.closed = true;
    this.k.centres.delete(handle_in_out.value);
    handle_in_out.value = 0 as MvNotificationHandle;
    return MV_STATUS_OKAY;
  }

  // --- network -------------------------------------------------------------------------------

  mvRequestNetwork(_call: MockCall<'mvRequestNetwork'>, params: MvRequestNetworkParams, handle: MvOut<MvNetworkHandle>): StatusOf<'mvRequestNetwork'> {
    const centre = this.k.centres.get(params.v1.notification_handle)!.centre;
    this.k.networkApiUsed = true;
    handle.value = this.k.networks.add(new NetworkRequest({ centre, tag: params.v1.notification_tag })) as MvNetworkHandle;
    return MV_STATUS_OKAY;
  }

  mvReleaseNetwork(_call: MockCall<'mvReleaseNetwork'>, handle: MvOut<MvNetworkHandle>): StatusOf<'mvReleaseNetwork'> {
    this.k.networks.delete(handle.value);
    handle.value = 0 as MvNetworkHandle;
    return MV_STATUS_OKAY;
  }

  mvGetNetworkStatus(_call: MockCall<'mvGetNetworkStatus'>, _handle: MvNetworkHandle, status: MvOut<MvNetworkStatus>): StatusOf<'mvGetNetworkStatus'> {
    status.value = this.k.networkStatus;
    return MV_STATUS_OKAY;
  }

  mvGetNetworkReasons(_call: MockCall<'mvGetNetworkReasons'>, reasons: MvOut<MvNetworkReason>, request_ref_count: MvOut<number>): StatusOf<'mvGetNetworkReasons'> {
    let bits: number = MV_NETWORKREASON_NOTCONNECTING;
    if (this.k.networks.size > 0) bits |= MV_NETWORKREASON_USINGNETWORK;
    if (!this.k.networkApiUsed) bits |= MV_NETWORKREASON_NEVERUSEDNETWORKAPI;
    reasons.value = bits as MvNetworkReason;
    request_ref_count.value = this.k.networks.size;
    return MV_STATUS_OKAY;
  }

  // --- channels ------------------------------------------------------------------------------

  mvOpenChannel(call: MockCall<'mvOpenChannel'>, params: MvOpenChannelParams, handle: MvOut<MvChannelHandle>): StatusOf<'mvOpenChannel'> {
    const v1 = params.v1;
    if (!CHANNEL_TYPES.has(v1.channel_type)) return MV_STATUS_UNKNOWNCHANNELTYPE;
    if (!this.k.knownEndpoints.has(decoder.decode(sizedBytes(v1.endpoint)))) return MV_STATUS_UNKNOWNCHANNELENDPOINT;
    if (this.k.networkStatus !== MV_NETWORKSTATUS_CONNECTED) return MV_STATUS_NETWORKNOTCONNECTED;
    const limited = this.limit(call, { objects: this.k.channels.size, recentCalls: this.k.recentCalls(call.fn) });
    if (limited !== undefined) return limited;
    this.k.noteCall(call.fn);
    const centre = this.k.centres.get(v1.notification_handle)!.centre;
    const buffers = [this.k.memory.range(v1.receive_buffer!, v1.receive_buffer_len), this.k.memory.range(v1.send_buffer!, v1.send_buffer_len)];
    const channel = new Channel(v1.channel_type, { centre, tag: v1.notification_tag }, v1.receive_buffer_len, buffers);
    channel.handle = this.k.channels.add(channel);
    handle.value = channel.handle as MvChannelHandle;
    return MV_STATUS_OKAY;
  }

  mvCloseChannel(_call: MockCall<'mvCloseChannel'>, handle: MvOut<MvChannelHandle>): StatusOf<'mvCloseChannel'> {
    const channel = this.channel(handle.value);
    // After the application closes a channel nothing more is reported for it.
    channel.end(channel.closure);
    this.k.channels.delete(handle.value);
    handle.value = 0 as MvChannelHandle;
    return MV_STATUS_OKAY;
  }

  mvGetChannelClosureReason(_call: MockCall<'mvGetChannelClosureReason'>, handle: MvChannelHandle, reason_out: MvOut<MvClosureReason>): StatusOf<'mvGetChannelClosureReason'> {
    reason_out.value = this.channel(handle).closure;
    return MV_STATUS_OKAY;
  }

  // --- MQTT: requests ------------------------------------------------------------------------

  mvMqttGetNextReadableDataType(_call: MockCall<'mvMqttGetNextReadableDataType'>, handle: MvChannelHandle, data_type: MvOut<MvMqttReadableDataType>): StatusOf<'mvMqttGetNextReadableDataType'> {
    data_type.value = this.channel(handle).readable[0]?.type ?? MV_MQTTREADABLEDATATYPE_NONE;
    return MV_STATUS_OKAY;
  }

  mvMqttRequestConnect(call: MockCall<'mvMqttRequestConnect'>, handle: MvChannelHandle, request: MvMqttConnectRequest): StatusOf<'mvMqttRequestConnect'> {
    const channel = this.channel(handle);
    const limited = this.limit(call, { issued: channel.issued.get(call.fn) ?? 0 });
    if (limited !== undefined) return limited;
    if (call.lateFault !== undefined) return this.failLate(call, channel);
    const tls = request.tls_credentials;
    const clientKey = tls ? tls.clientcert.key.length : 0;
    const clientChain = tls ? tls.clientcert.chain.num_certs : 0;
    // A client certificate needs its key, and a key needs its certificate.
    if (call.missing !== undefined || (clientChain > 0) !== (clientKey > 0)) return MV_STATUS_REQUIREDELEMENTMISSING;
    if (request.authentication.method === MV_MQTTAUTHENTICATIONMETHOD_USERNAMEPASSWORD && clientKey > 0) return MV_STATUS_INVALIDAUTHENTICATION;
    channel.phase = 'connecting';
    return this.issue(call, channel, { fn: call.fn });
  }

  mvMqttRequestSubscribe(call: MockCall<'mvMqttRequestSubscribe'>, handle: MvChannelHandle, request: MvMqttSubscribeRequest): StatusOf<'mvMqttRequestSubscribe'> {
    const channel = this.channel(handle);
    if (request.num_subscriptions === 0) return MV_STATUS_PARAMETERFAULT;
    // Like the device core: the array and each subscription's settings are read before anything
    // is sent; topics are streamed one after another, so only a bad topic after the first is late.
    const late = call.lateFault;
    if (late !== undefined && !isTopicPath(late.path)) return MV_STATUS_PARAMETERFAULT;
    const subscriptions = request.subscriptions!.slice(0, request.num_subscriptions);
    const limited = this.limit(call, { inFlight: channel.inFlight(call.fn) });
    if (limited !== undefined) return limited;
    if (late !== undefined) return isFirstElementPath(late.path) ? MV_STATUS_PARAMETERFAULT : this.failLate(call, channel);
    // Like the device core: once every topic has been read, one MQTT does not allow is refused.
    const refused = firstTopicProblem('filter', subscriptions.map((s) => s.topic));
    if (refused !== undefined) return refused;
    return this.issue(call, channel, { fn: call.fn, correlation_id: request.correlation_id, topics: subscriptions.map((s) => s.desired_qos) });
  }

  mvMqttRequestUnsubscribe(call: MockCall<'mvMqttRequestUnsubscribe'>, handle: MvChannelHandle, request: MvMqttUnsubscribeRequest): StatusOf<'mvMqttRequestUnsubscribe'> {
    const channel = this.channel(handle);
    if (request.num_topics === 0) return MV_STATUS_PARAMETERFAULT;
    const limited = this.limit(call, { inFlight: channel.inFlight(call.fn) });
    if (limited !== undefined) return limited;
    if (call.lateFault !== undefined) return this.failLate(call, channel);
    const refused = firstTopicProblem('filter', request.topics!.slice(0, request.num_topics));
    if (refused !== undefined) return refused;
    return this.issue(call, channel, { fn: call.fn, correlation_id: request.correlation_id, topics: new Array<number>(request.num_topics).fill(0) });
  }

  mvMqttRequestPublish(call: MockCall<'mvMqttRequestPublish'>, handle: MvChannelHandle, request: MvMqttPublishRequest): StatusOf<'mvMqttRequestPublish'> {
    const channel = this.channel(handle);
    const limited = this.limit(call, { inFlight: channel.inFlight(call.fn) });
    if (limited !== undefined) return limited;
    if (call.lateFault !== undefined) return this.failLate(call, channel);
    const refused = firstTopicProblem('name', [request.topic]);
    if (refused !== undefined) return refused;
    return this.issue(call, channel, { fn: call.fn, correlation_id: request.correlation_id });
  }

  mvMqttAcknowledgeMessage(call: MockCall<'mvMqttAcknowledgeMessage'>, handle: MvChannelHandle, correlation_id: number): StatusOf<'mvMqttAcknowledgeMessage'> {
    const channel = this.channel(handle);
    const limited = this.limit(call, { inFlight: channel.inFlight(call.fn) });
    if (limited !== undefined) return limited;
    // QoS 0, unknown or already acknowledged: nothing to send.
    if (!channel.awaitingAck.delete(correlation_id)) return MV_STATUS_OKAY;
    channel.take(call.fn);
    // The acknowledgement is on its way until the kernel's next step.
    this.k.defer(() => channel.free(call.fn));
    return MV_STATUS_OKAY;
  }

  mvMqttRequestDisconnect(call: MockCall<'mvMqttRequestDisconnect'>, handle: MvChannelHandle): StatusOf<'mvMqttRequestDisconnect'> {
    const channel = this.channel(handle);
    const limited = this.limit(call, { inFlight: channel.inFlight(call.fn) });
    if (limited !== undefined) return limited;
    if (channel.connected && !channel.disconnectRequested) {
      // Whatever the broker has not answered yet never will be.
      channel.disconnectRequested = true;
      for (const request of [...channel.pending]) answerNow(this.k, channel, request, MV_MQTTREQUESTSTATE_NOTCONNECTED);
    }
    return this.issue(call, channel, { fn: call.fn });
  }

  /**
   * The request goes ahead: counted, and in flight until its answer has been read. Unless the
   * channel is connected (or this is the connect itself) the answer is NOTCONNECTED, at once;
   * otherwise it waits (answered on the next flush, unless answering is manual).
   */
  private issue(call: MockCall, channel: Channel, request: PendingRequest): typeof MV_STATUS_OKAY {
    channel.issued.set(call.fn, (channel.issued.get(call.fn) ?? 0) + 1);
    channel.take(call.fn);
    channel.pending.push(request);
    const waits = channel.phase === 'connecting' ? producedBy(call.fn) === MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE : channel.connected;
    const disconnectTwice = producedBy(call.fn) === MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE && channel.issued.get(call.fn)! > 1;
    if (!waits || disconnectTwice) answerNow(this.k, channel, request, MV_MQTTREQUESTSTATE_NOTCONNECTED);
    else if (this.k.respond === 'auto') this.k.defer(() => autoAnswer(this.k, channel, request));
    return MV_STATUS_OKAY;
  }

  /**
   * A bad pointer inside the request, found once it had gone ahead: the channel, which may have
   * sent part of it, can no longer be used (it closes without a notification, as on the device core).
   */
  private failLate(call: MockCall, channel: Channel): typeof MV_STATUS_LATEFAULT {
    channel.issued.set(call.fn, (channel.issued.get(call.fn) ?? 0) + 1);
    channel.end(MV_CLOSUREREASON_CONNECTIONTERMINATED);
    return MV_STATUS_LATEFAULT;
  }

  // --- MQTT: reading what arrived ------------------------------------------------------------

  /** The head item when it is what `fn` consumes; WRONGDATAREQUESTED leaves the queue as it is. */
  private head(call: MockCall, channel: Channel): ReadableItem | undefined {
    const item = channel.readable[0];
    return item !== undefined && item.type === (FUNCTIONS[call.fn] as MvFunctionInfo).consumes ? item : undefined;
  }

  /** Takes the head item off the queue (freeing its request's slot), then writes the result; a write that faults is a LATEFAULT. */
  private consume(call: MockCall, channel: Channel, write: () => void): typeof MV_STATUS_OKAY | typeof MV_STATUS_LATEFAULT {
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

  mvMqttReadConnectResponse(call: MockCall<'mvMqttReadConnectResponse'>, handle: MvChannelHandle, response_data: MvMqttConnectResponse): StatusOf<'mvMqttReadConnectResponse'> {
    const channel = this.channel(handle);
    const item = this.head(call, channel);
    if (!item) return MV_STATUS_WRONGDATAREQUESTED;
    const data = item.data as MvMqttConnectResponse;
    return this.consume(call, channel, () => {
      response_data.request_state = data.request_state;
      response_data.reason_code = data.reason_code;
    });
  }

  mvMqttReadPublishResponse(call: MockCall<'mvMqttReadPublishResponse'>, handle: MvChannelHandle, response_data: MvMqttPublishResponse): StatusOf<'mvMqttReadPublishResponse'> {
    const channel = this.channel(handle);
    const item = this.head(call, channel);
    if (!item) return MV_STATUS_WRONGDATAREQUESTED;
    const data = item.data as MvMqttPublishResponse;
    return this.consume(call, channel, () => {
      response_data.request_state = data.request_state;
      response_data.correlation_id = data.correlation_id;
      response_data.reason_code = data.reason_code;
    });
  }

  mvMqttReadDisconnectResponse(call: MockCall<'mvMqttReadDisconnectResponse'>, handle: MvChannelHandle, response_data: MvMqttDisconnectResponse): StatusOf<'mvMqttReadDisconnectResponse'> {
    const channel = this.channel(handle);
    const item = this.head(call, channel);
    if (!item) return MV_STATUS_WRONGDATAREQUESTED;
    const data = item.data as MvMqttDisconnectResponse;
    return this.consume(call, channel, () => {
      response_data.request_state = data.request_state;
      response_data.disconnect_code = data.disconnect_code;
    });
  }

  mvMqttReadSubscribeResponse(call: MockCall<'mvMqttReadSubscribeResponse'>, handle: MvChannelHandle, response_data: MvMqttSubscribeResponse): StatusOf<'mvMqttReadSubscribeResponse'> {
    return this.readTopicsResponse(call, handle, response_data);
  }

  mvMqttReadUnsubscribeResponse(call: MockCall<'mvMqttReadUnsubscribeResponse'>, handle: MvChannelHandle, response_data: MvMqttUnsubscribeResponse): StatusOf<'mvMqttReadUnsubscribeResponse'> {
    return this.readTopicsResponse(call, handle, response_data);
  }

  /** Subscribe and unsubscribe responses share their layout: pointers the kernel writes through. */
  private readTopicsResponse(call: MockCall, handle: MvChannelHandle, response: MvMqttSubscribeResponse | MvMqttUnsubscribeResponse) {
    const channel = this.channel(handle);
    const item = this.head(call, channel);
    if (!item) return MV_STATUS_WRONGDATAREQUESTED;
    const data = item.data as TopicsResponseData;
    const codes = data.reason_codes.length;
    if (!reasonCodesFit(response.reason_codes_size, codes)) return MV_STATUS_INVALIDBUFFERSIZE;
    return this.consume(call, channel, () => {
      response.request_state!.value = data.request_state;
      response.correlation_id!.value = data.correlation_id;
      if (codes > 0) {
        if (!(response.reason_codes instanceof Uint32Array) || response.reason_codes.length < codes) throw new RangeError('reason_codes cannot hold the codes');
        response.reason_codes.set(data.reason_codes);
      }
      response.reason_codes_len!.value = codes;
    });
  }

  mvMqttReceiveMessage(call: MockCall<'mvMqttReceiveMessage'>, handle: MvChannelHandle, message: MvMqttMessage): StatusOf<'mvMqttReceiveMessage'> {
    const channel = this.channel(handle);
    const item = this.head(call, channel);
    if (!item) return MV_STATUS_WRONGDATAREQUESTED;
    const data = item.data as MessageData;
    if (data.topic.byteLength > message.topic.size || data.payload.byteLength > message.payload.size) return MV_STATUS_INVALIDBUFFERSIZE;
    const correlation_id = channel.correlationFor(data);
    channel.unreadMessageBytes -= data.topic.byteLength + data.payload.byteLength;
    return this.consume(call, channel, () => {
      fill(message.topic, data.topic);
      fill(message.payload, data.payload);
      message.correlation_id!.value = correlation_id;
      message.qos!.value = data.qos;
      message.retain!.value = data.retain;
    });
  }

  mvMqttReceiveLostMessageInfo(call: MockCall<'mvMqttReceiveLostMessageInfo'>, handle: MvChannelHandle, info: MvMqttLostMessageInfo): StatusOf<'mvMqttReceiveLostMessageInfo'> {
    const channel = this.channel(handle);
    const item = this.head(call, channel);
    if (!item) return MV_STATUS_WRONGDATAREQUESTED;
    const data = item.data as LostMessageData;
    if (data.topic.byteLength > info.topic.size) return MV_STATUS_INVALIDBUFFERSIZE;
    return this.consume(call, channel, () => {
      info.reason!.value = data.reason;
      fill(info.topic, data.topic);
      info.message_len!.value = data.message_len;
    });
  }
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
