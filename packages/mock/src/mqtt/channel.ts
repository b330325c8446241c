/**
 * An MQTT channel in the mock: its one connection's phase, the readable items the application has
 * not read, the requests waiting for an answer, their in-flight slots and the messages awaiting an
 * acknowledgement. The MQTT area registers it as the channel type `MV_CHANNELTYPE_MQTT` builds.
 */
import {
  FUNCTIONS,
  MV_EVENTTYPE_CHANNELDATAREADABLE,
  type MvClosureReason,
  type MvFunctionName,
  type MvMqttConnectResponse,
  type MvMqttDisconnectResponse,
  type MvMqttLostMessageReason,
  type MvMqttPublishResponse,
  type MvMqttReadableDataType,
  type MvMqttRequestState,
} from '@mvmqtt/sdk';
import { Channel, channelOf, type Kernel } from '../kernel.js';

/** What a subscribe or unsubscribe response carries. */
export interface TopicsResponseData {
  request_state: MvMqttRequestState;
  correlation_id: number;
  /** One MQTT reason code per topic of the request. */
  reason_codes: readonly number[];
}

/** A message from the broker; its correlation ID is given out when the application reads it. */
export interface MessageData {
  topic: Uint8Array;
  payload: Uint8Array;
  qos: number;
  retain: number;
}

export interface LostMessageData {
  reason: MvMqttLostMessageReason;
  topic: Uint8Array;
  message_len: number;
}

/** One unread item on an MQTT channel; `type` is an `MvMqttReadableDataType`. */
export type ReadableData = MvMqttConnectResponse | TopicsResponseData | MvMqttPublishResponse | MvMqttDisconnectResponse | MessageData | LostMessageData;

export interface ReadableItem {
  readonly type: MvMqttReadableDataType;
  readonly data: ReadableData;
  /** The request this item answers: its in-flight slot is freed when the item is read. */
  readonly answers?: MvFunctionName;
}

/** A request accepted on a channel whose answer has not arrived yet. */
export interface PendingRequest {
  readonly fn: MvFunctionName;
  readonly correlation_id?: number;
  /** Subscribe: the QoS asked for each topic; unsubscribe: one entry per topic. */
  readonly topics?: readonly number[];
}

/** Where an MQTT channel's one connection stands. */
export type ConnectionPhase = 'idle' | 'connecting' | 'connected' | 'ended';

export class MqttChannel extends Channel {
  phase: ConnectionPhase = 'idle';
  disconnectRequested = false;
  readonly readable: ReadableItem[] = [];
  /** Requests waiting for their answer, oldest first. */
  readonly pending: PendingRequest[] = [];
  /** Requests per function whose answer has not been read yet (acknowledgements: not yet sent). */
  private readonly slots = new Map<MvFunctionName, number>();
  /** Requests ever accepted, by function (for per-object limits such as one connect per channel). */
  readonly issued = new Map<MvFunctionName, number>();
  /** Topic + payload bytes of messages queued and not read yet: they occupy the receive buffer. */
  unreadMessageBytes = 0;
  /** Correlation IDs of QoS 1/2 messages read and not yet acknowledged. */
  readonly awaitingAck = new Set<number>();
  private nextCorrelation = 1;

  get connected(): boolean {
    return this.phase === 'connected';
  }

  override get unread(): number {
    return this.readable.length;
  }

  inFlight(fn: MvFunctionName): number {
    return this.slots.get(fn) ?? 0;
  }

  take(fn: MvFunctionName): void {
    this.slots.set(fn, this.inFlight(fn) + 1);
  }

  free(fn: MvFunctionName): void {
    this.slots.set(fn, Math.max(0, this.inFlight(fn) - 1));
  }

  /** The correlation ID a message gets when the application reads it (1, 2, ... per channel). */
  correlationFor(message: MessageData): number {
    const id = this.nextCorrelation;
    this.nextCorrelation = id === 0xffffffff ? 1 : id + 1;
    if (message.qos > 0) this.awaitingAck.add(id);
    return id;
  }

  /** Queues an unread item while the channel lives and notifies its centre (one record per item). */
  enqueue(item: ReadableItem): void {
    if (this.closed) return;
    this.readable.push(item);
    this.target.centre.post(MV_EVENTTYPE_CHANNELDATAREADABLE, this.target.tag);
  }

  /** The connection is gone: nothing more is queued, what was unread is dropped. */
  override end(reason: MvClosureReason): void {
    super.end(reason);
    this.phase = 'ended';
    this.readable.length = 0;
    this.unreadMessageBytes = 0;
    this.pending.length = 0;
    this.awaitingAck.clear();
  }
}

/** The MQTT channel behind a handle the validator found live and of the MQTT kind. */
export function mqttChannelOf(k: Kernel, handle: number): MqttChannel {
  return channelOf(k, handle) as MqttChannel;
}

/** Readable-data types a function's requests produce (from the spec's metadata). */
export function producedBy(fn: MvFunctionName): MvMqttReadableDataType | undefined {
  return FUNCTIONS[fn].produces[0] as MvMqttReadableDataType | undefined;
}
