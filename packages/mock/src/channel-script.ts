/**
 * Scripting one channel from a test: what arrives on it (answers, messages, lost-message
 * reports, a disconnect the broker starts) and what happens to it (the server closes it).
 */
import {
  MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER,
  MV_MQTTLOSTMESSAGEREASON_DEVICERECEIVEBUFFERTOOSMALL,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_MESSAGELOST,
  MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
  type MvClosureReason,
  type MvFunctionName,
  type MvMqttDisconnectResponse,
  type MvMqttLostMessageReason,
  type MvMqttReadableDataType,
} from '@mvmqtt/sdk';
import { answerFor, arrive } from './answers.js';
import { producedBy, type Channel, type Kernel, type PendingRequest, type ReadableData, type ReadableItem } from './kernel.js';
import { utf8 } from './values.js';

export interface IncomingMessage {
  topic: string | Uint8Array;
  payload?: string | Uint8Array;
  qos?: number;
  retain?: boolean | number;
  /** Default: a fresh id per message on this channel. */
  correlation_id?: number;
}

export interface LostMessage {
  topic: string | Uint8Array;
  /** Length of the message that did not fit. */
  message_len: number;
  reason?: MvMqttLostMessageReason;
}

function bytes(x: string | Uint8Array | undefined): Uint8Array {
  return typeof x === 'string' ? utf8(x) : (x ?? new Uint8Array(0));
}

export class ChannelScript {
  private nextCorrelation = 1;

  constructor(
    private readonly k: Kernel,
    private readonly channel: Channel,
  ) {}

  get handle(): number {
    return this.channel.handle;
  }

  get closed(): boolean {
    return this.channel.closed;
  }

  /** Unread items, oldest first. */
  get readable(): readonly ReadableItem[] {
    return this.channel.readable;
  }

  /** Requests accepted and not answered yet, oldest first. */
  get pending(): readonly PendingRequest[] {
    return this.channel.pending;
  }

  /** Queues any readable item (raw), as if it had just arrived. */
  queue(type: MvMqttReadableDataType, data: ReadableData): this {
    arrive(this.k, this.channel, type, data);
    return this;
  }

  /**
   * Answers the oldest request in flight (of `fn`, if given) as a broker that accepts it would;
   * `overrides` replace fields of the answer (a `request_state`, `reason_codes`, ...).
   */
  answer(overrides: Partial<ReadableData> = {}, fn?: MvFunctionName): this {
    const request = this.channel.pending.find((p) => (fn === undefined || p.fn === fn) && answerable(p));
    if (!request) throw new Error(`@mvmqtt/mock: channel ${this.handle} has no request${fn ? ` of ${fn}` : ''} waiting for an answer`);
    const { type, data } = answerFor(request, this.channel, overrides);
    arrive(this.k, this.channel, type, data);
    return this;
  }

  /** Answers every request in flight with success. */
  answerAll(): this {
    while (this.channel.pending.some(answerable)) this.answer();
    return this;
  }

  /** A message arrives from the broker. */
  receive(message: IncomingMessage): this {
    return this.queue(MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED, {
      correlation_id: message.correlation_id ?? this.nextCorrelation++,
      topic: bytes(message.topic),
      payload: bytes(message.payload),
      qos: message.qos ?? 0,
      retain: Number(message.retain ?? 0),
    });
  }

  /** A message arrived that did not fit the channel's receive buffer. */
  lose(lost: LostMessage): this {
    return this.queue(MV_MQTTREADABLEDATATYPE_MESSAGELOST, {
      reason: lost.reason ?? MV_MQTTLOSTMESSAGEREASON_DEVICERECEIVEBUFFERTOOSMALL,
      topic: bytes(lost.topic),
      message_len: lost.message_len,
    });
  }

  /** The broker ends the connection: a disconnect response nobody asked for. */
  brokerDisconnect(data: Partial<MvMqttDisconnectResponse> = {}): this {
    return this.queue(MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE, { request_state: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, disconnect_code: 0, ...data });
  }

  /** The server closes the channel: later calls on it return CHANNELCLOSED until the application closes it. */
  close(reason: MvClosureReason = MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER): this {
    this.k.closeChannel(this.channel, reason);
    return this;
  }
}

/** Requests whose outcome arrives as a readable item (acknowledgements complete on their own). */
function answerable(p: PendingRequest): boolean {
  return producedBy(p.fn) !== undefined;
}
