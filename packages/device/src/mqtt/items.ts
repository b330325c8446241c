/**
 * Readable items: what an MQTT channel queues for the application, one CHANNELDATAREADABLE
 * notification each. `mvMqttGetNextReadableDataType` peeks at the head; the read call that
 * READABLE_DATA names as the type's consumer removes it.
 */
import {
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_MESSAGELOST,
  MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED,
  MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE,
  MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE,
  MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE,
} from '@mvmqtt/sdk';
import type { MvMqttRequestState } from '@mvmqtt/sdk';

export interface ConnectResponseItem {
  type: typeof MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE;
  requestState: MvMqttRequestState;
  reasonCode: number;
}

export interface SubscriptionResponseItem {
  type: typeof MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE | typeof MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE;
  requestState: MvMqttRequestState;
  correlationId: number;
  reasonCodes: readonly number[];
}

export interface PublishResponseItem {
  type: typeof MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE;
  requestState: MvMqttRequestState;
  correlationId: number;
  reasonCode: number;
}

export interface MessageItem {
  type: typeof MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED;
  topic: string;
  topicLength: number;
  payload: Uint8Array;
  qos: number;
  retain: boolean;
  /** MQTT packet id (QoS > 0), for the held PUBACK/PUBREC. */
  messageId: number;
}

export interface LostMessageItem {
  type: typeof MV_MQTTREADABLEDATATYPE_MESSAGELOST;
  topic: string;
  topicLength: number;
  /** Topic plus payload bytes: what the receive buffer would have had to hold. */
  messageLength: number;
}

export interface DisconnectResponseItem {
  type: typeof MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE;
  requestState: MvMqttRequestState;
  disconnectCode: number;
  /** false: the broker or the link ended the session without the app asking. */
  solicited: boolean;
}

export type ReadableItem =
  | ConnectResponseItem
  | SubscriptionResponseItem
  | PublishResponseItem
  | MessageItem
  | LostMessageItem
  | DisconnectResponseItem;

/**
 * A FIFO that reuses its array: `head` is the next item to read, `tail` the next free slot.
 * Nothing shifts, and the array keeps its capacity while items come and go (an item per
 * message, so reallocating it on every empty-then-refill would be garbage per message).
 */
export class ItemQueue {
  private items: (ReadableItem | undefined)[] = [];
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(item: ReadableItem): void {
    this.items[this.tail++] = item;
  }

  peek(): ReadableItem | undefined {
    return this.head < this.tail ? this.items[this.head] : undefined;
  }

  shift(): ReadableItem | undefined {
    if (this.head === this.tail) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.tail) {
      this.head = 0;
      this.tail = 0;
      if (this.items.length > RETAINED_CAPACITY) this.items = [];
    } else if (this.head > RETAINED_CAPACITY && this.head * 2 > this.tail) {
      // Never empty for long: move the unread items to the front instead of growing forever.
      this.items.copyWithin(0, this.head, this.tail);
      this.items.fill(undefined, this.tail - this.head, this.tail);
      this.tail -= this.head;
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.tail = 0;
  }
}

/** Slots kept between bursts; a queue that grew past this is released once it empties. */
const RETAINED_CAPACITY = 1024;
