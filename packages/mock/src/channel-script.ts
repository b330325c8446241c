/**
 * Scripting one channel from a test: answers to the requests in flight, messages, lost-message
 * reports, a disconnect the broker starts, and the server closing the channel.
 */
import {
  MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER,
  MV_MQTTLOSTMESSAGEREASON_DEVICERECEIVEBUFFERTOOSMALL,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_MESSAGELOST,
  MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED,
  MV_MQTTREQUESTSTATE_NOTCONNECTED,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
  type MvClosureReason,
  type MvConfigFetchResult,
  type MvFunctionName,
  type MvMqttDisconnectResponse,
  type MvMqttLostMessageReason,
  type MvMqttRequestState,
} from '@mvmqtt/sdk';
import { answerFor, deliverAnswer, deliverUnsolicited } from './mqtt/answers.js';
import { MqttChannel, type PendingRequest, type ReadableData, type ReadableItem } from './mqtt/channel.js';
import type { Channel, Kernel } from './kernel.js';
import { utf8 } from './values.js';
import { answerConfig, answerHttp, configState, fillRaw, httpState, rawState, type ConfigKeySeen, type HttpAnswer, type HttpRequestSeen } from './io.js';

export interface IncomingMessage {
  topic: string | Uint8Array;
  payload?: string | Uint8Array;
  qos?: number;
  retain?: boolean | number;
}

export interface LostMessage {
  topic: string | Uint8Array;
  /** Topic plus payload bytes of the message that did not fit. */
  message_len: number;
  reason?: MvMqttLostMessageReason;
}

function bytes(x: string | Uint8Array | undefined): Uint8Array {
  return typeof x === 'string' ? utf8(x) : (x ?? new Uint8Array(0));
}

export class ChannelScript {
  constructor(
    private readonly k: Kernel,
    private readonly channel: Channel,
  ) {}

  get handle(): number {
    return this.channel.handle;
  }

  /** The server, the network or a late fault ended the channel. */
  get closed(): boolean {
    return this.channel.closed;
  }

  /** An MQTT channel whose connection is up (other channel types: false). */
  get connected(): boolean {
    return this.channel instanceof MqttChannel && this.channel.connected;
  }

  /** Unread MQTT items, oldest first (other channel types: none). */
  get readable(): readonly ReadableItem[] {
    return this.channel instanceof MqttChannel ? this.channel.readable : [];
  }

  /** MQTT requests accepted and not answered yet, oldest first (other channel types: none). */
  get pending(): readonly PendingRequest[] {
    return this.channel instanceof MqttChannel ? this.channel.pending : [];
  }

  /** The channel, for the MQTT scripting calls. */
  private get mqtt(): MqttChannel {
    if (!(this.channel instanceof MqttChannel)) throw new Error(`@mvmqtt/mock: channel ${this.handle} is not an MQTT channel`);
    return this.channel;
  }

  /**
   * Answers the oldest request waiting (of `fn`, if given). `overrides` replace fields of the
   * answer, e.g. `{ request_state: MV_MQTTREQUESTSTATE_NXDOMAIN }` or `{ reason_codes: [0x80] }`.
   */
  answer(overrides: Partial<ReadableData> = {}, fn?: MvFunctionName): this {
    const request = this.pending.find((p) => fn === undefined || p.fn === fn);
    if (!request) throw new Error(`@mvmqtt/mock: channel ${this.handle} has no request${fn ? ` of ${fn}` : ''} waiting for an answer`);
    const state = (overrides as { request_state?: MvMqttRequestState }).request_state ?? MV_MQTTREQUESTSTATE_REQUESTCOMPLETED;
    const { type, data } = answerFor(request, state, overrides);
    deliverAnswer(this.mqtt, request, type, data);
    return this;
  }

  /** Answers every request waiting, with success. */
  answerAll(): this {
    while (this.pending.length > 0) this.answer();
    return this;
  }

  /**
   * A message arrives from the broker (the application reads it with mvMqttReceiveMessage).
   * As on the device core, one that does not fit what is left of the channel's receive buffer
   * arrives as a lost-message report instead.
   */
  receive(message: IncomingMessage): this {
    const topic = bytes(message.topic);
    const payload = bytes(message.payload);
    const size = topic.byteLength + payload.byteLength;
    const channel = this.mqtt;
    if (channel.closed) return this;
    if (size > channel.receiveLength - channel.unreadMessageBytes) return this.lose({ topic, message_len: size });
    channel.unreadMessageBytes += size;
    deliverUnsolicited(channel, MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED, { topic, payload, qos: message.qos ?? 0, retain: Number(message.retain ?? 0) });
    return this;
  }

  /** A message arrived that did not fit the channel's receive buffer. */
  lose(lost: LostMessage): this {
    deliverUnsolicited(this.mqtt, MV_MQTTREADABLEDATATYPE_MESSAGELOST, {
      reason: lost.reason ?? MV_MQTTLOSTMESSAGEREASON_DEVICERECEIVEBUFFERTOOSMALL,
      topic: bytes(lost.topic),
      message_len: lost.message_len,
    });
    return this;
  }

  /** The broker ends the session: one disconnect response nobody asked for; requests still waiting are answered NOTCONNECTED. */
  brokerDisconnect(data: Partial<MvMqttDisconnectResponse> = {}): this {
    deliverUnsolicited(this.mqtt, MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE, { request_state: MV_MQTTREQUESTSTATE_NOTCONNECTED, disconnect_code: 0, ...data });
    return this;
  }

  /** The server closes the channel: CHANNELNOTCONNECTED, unread items are dropped, later calls get CHANNELCLOSED. */
  close(reason: MvClosureReason = MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER): this {
    this.k.failChannel(this.channel, reason);
    return this;
  }

  // --- raw (opaque-bytes) channels -----------------------------------------------------------

  /** Bytes from the far end of a raw channel: into the receive buffer as far as they fit, the rest as space frees up. */
  deliver(bytes: string | Uint8Array): this {
    if (this.channel.closed) return this;
    rawState(this.channel).backlog.push(Uint8Array.from(typeof bytes === 'string' ? utf8(bytes) : bytes));
    fillRaw(this.channel);
    return this;
  }

  /** Everything the application has sent on this raw channel and the kernel has drained, since the last call. */
  takeSent(): Uint8Array {
    const s = rawState(this.channel);
    const all = new Uint8Array(s.sent.reduce((n, b) => n + b.byteLength, 0));
    let at = 0;
    for (const b of s.sent.splice(0)) {
      all.set(b, at);
      at += b.byteLength;
    }
    return all;
  }

  // --- HTTP ----------------------------------------------------------------------------------

  /** The request the application sent on this HTTP channel, if any. */
  get httpRequest(): HttpRequestSeen | undefined {
    return httpState(this.channel).request;
  }

  /** Answers the channel's HTTP request (once; with `respond: 'auto'` call it before the next flush). */
  answerHttp(answer: HttpAnswer = {}): this {
    answerHttp(this.channel, answer);
    return this;
  }

  // --- config fetch --------------------------------------------------------------------------

  /** The keys the application asked for on this config channel, in order. */
  get configKeys(): readonly ConfigKeySeen[] | undefined {
    return configState(this.channel).keys;
  }

  /** Answers the channel's config fetch: one value per key (undefined: not found), or a whole-answer result. */
  answerConfig(values: readonly (string | Uint8Array | undefined)[], result?: MvConfigFetchResult): this {
    answerConfig(this.channel, values, result);
    return this;
  }
}
