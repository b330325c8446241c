/**
 * An MQTT channel: the FIFO of readable items the application drains with
 * mvMqttGetNextReadableDataType and the read calls, over two parts it composes:
 * - transport.ts: the mqtt.js client, the held-back PUBACK/PUBREC, how the session ends;
 * - requests.ts: in-flight slots, pending requests and their correlation IDs.
 *
 * - A broker-side end of the session gives exactly one unsolicited DISCONNECTRESPONSE.
 * - Nothing is queued or notified after mvCloseChannel.
 */
import {
  MV_CLOSUREREASON_CONNECTIONTERMINATED,
  MV_EVENTTYPE_CHANNELDATAREADABLE,
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_MESSAGELOST,
  MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED,
  MV_MQTTREADABLEDATATYPE_NONE,
  MV_MQTTREQUESTSTATE_INVALIDPARAMETERS,
  MV_MQTTREQUESTSTATE_NOTCONNECTED,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
} from '@mvmqtt/sdk';
import type { MvMqttReadableDataType } from '@mvmqtt/sdk';
// Imported, not the global: Node's global `Buffer` is a getter, a call on every use (once per message here).
import { Buffer } from 'node:buffer';
import { Channel, type ChannelBuffers } from '../channels.js';
import type { NotificationTarget } from '@mvmqtt/sdk/runtime';
import type { MqttChannelOptions } from './options.js';
import type { ConnectPlan } from './connect-request.js';
import { ItemQueue, type MessageItem, type ReadableItem } from './items.js';
import { MqttRequests, type Subscription } from './requests.js';
import { TopicCache } from './topic-cache.js';
import { MqttTransport, type SessionEnd } from './transport.js';

export type { Subscription } from './requests.js';

export interface MqttSessionState {
  host: string;
  port: number;
  tls: boolean;
  clientId: string;
  protocolVersion: 4 | 5;
  username?: string;
  password?: string;
  /** Topic filters the broker granted (granted QoS), in the order first granted. */
  subscriptions: { topic: string; granted: number }[];
}

export class MqttChannel extends Channel {
  private readonly queue = new ItemQueue();
  /** The topic of the last publish request, decoded and judged (see topic-cache.ts). */
  readonly publishTopics = new TopicCache();
  /** Topic + payload bytes of messages queued and not yet read (they occupy the receive buffer). */
  private unreadMessageBytes = 0;
  private version: 4 | 5 = 4;
  connectRequested = false;
  /** For observers (the inspector attaching late): the connect request as made. Never touched by a publish. */
  private session: { host: string; port: number; tls: boolean; clientId: string; protocolVersion: 4 | 5; username?: string; password?: string } | undefined;
  private readonly transport: MqttTransport;
  private readonly requests: MqttRequests;

  constructor(
    type: number,
    target: NotificationTarget,
    buffers: ChannelBuffers,
    private readonly options: MqttChannelOptions,
    private readonly handleForTrace: () => number,
    /** A simulated broker outage is on (Device.simulateBrokerOutage). */
    private readonly brokerDown: () => boolean = () => false,
  ) {
    super(type as never, target, buffers);
    this.transport = new MqttTransport(
      options,
      {
        connected: () => this.push({ type: MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE, requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, reasonCode: 0 }),
        message: (packet) => this.onMessage(packet),
        ack: (packet) => this.requests.onAck(packet),
        drained: () => this.requests.drained(),
        ended: (end) => this.onSessionEnd(end),
      },
      handleForTrace,
    );
    this.requests = new MqttRequests(options.limits, this.transport, (item) => this.push(item));
  }

  // ------------------------------------------------------------------ readable items

  override get unread(): number {
    return this.queue.length;
  }

  peekType(): MvMqttReadableDataType {
    return this.queue.peek()?.type ?? MV_MQTTREADABLEDATATYPE_NONE;
  }

  /** The head item if it has this type (not removed). */
  head<T extends ReadableItem['type']>(type: T): Extract<ReadableItem, { type: T }> | undefined {
    const item = this.queue.peek();
    return item !== undefined && item.type === type ? (item as Extract<ReadableItem, { type: T }>) : undefined;
  }

  /** Removes the head item and frees what it held: its request's in-flight slot, its receive-buffer space. */
  consumeHead(): void {
    const item = this.queue.shift();
    if (!item) return;
    if (item.type === MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED) this.unreadMessageBytes -= item.topicLength + item.payload.length;
    else this.requests.consumed(item);
  }

  /** A correlation ID for a message being handed to the app; QoS 1/2 ones are remembered for the ack. */
  issueCorrelation(item: MessageItem): number {
    return this.requests.issueCorrelation(item);
  }

  private push(item: ReadableItem): void {
    if (this.released || this.closed) return;
    this.queue.push(item);
    this.options.trace?.({ kind: 'readable', channel: this.handleForTrace(), item });
    this.target.centre.post(MV_EVENTTYPE_CHANNELDATAREADABLE, this.target.tag);
  }

  // ------------------------------------------------------------------ requests

  /** The session as an observer sees it: where the connect request went, and the subscriptions in force. */
  sessionState(): MqttSessionState | undefined {
    if (!this.session) return undefined;
    return { ...this.session, subscriptions: [...this.requests.granted].map(([topic, granted]) => ({ topic, granted })) };
  }

  get isConnected(): boolean {
    return this.transport.isConnected;
  }

  canSubscribe(): boolean {
    return this.requests.canSubscribe();
  }

  canUnsubscribe(): boolean {
    return this.requests.canUnsubscribe();
  }

  canPublish(): boolean {
    return this.requests.canPublish();
  }

  canAcknowledge(): boolean {
    return this.transport.canAcknowledge();
  }

  canDisconnect(): boolean {
    return this.requests.canDisconnect();
  }

  /** A request's nested pointer faulted after it had started: the channel is unusable (the call returns LATEFAULT). */
  terminate(): void {
    if (this.closed || this.released) return;
    this.closed = true;
    this.closureReason = MV_CLOSUREREASON_CONNECTIONTERMINATED;
    this.dropConnection();
  }

  requestConnect(plan: ConnectPlan): void {
    this.connectRequested = true;
    this.version = plan.protocolVersion;
    this.session = { host: plan.host, port: plan.port, tls: plan.tls !== undefined, clientId: plan.clientId, protocolVersion: plan.protocolVersion };
    if (plan.username !== undefined) this.session.username = plan.username;
    if (plan.password !== undefined) this.session.password = plan.password.toString('utf8');
    if (plan.clean) this.requests.granted.clear();
    if (plan.credentialError) {
      this.transport.refuse();
      this.closureReason = MV_CLOSUREREASON_CONNECTIONTERMINATED;
      this.push({ type: MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE, requestState: MV_MQTTREQUESTSTATE_INVALIDPARAMETERS, reasonCode: 0 });
      return;
    }
    this.transport.connect(plan, this.brokerDown());
  }

  /** Resolves once the mqtt.js connection (if any) has closed. */
  override whenTransportClosed(): Promise<void> {
    return this.transport.whenClosed();
  }

  requestSubscribe(correlationId: number, subs: readonly Subscription[]): void {
    this.requests.subscribe(correlationId, subs, this.version);
  }

  requestUnsubscribe(correlationId: number, topics: readonly string[]): void {
    this.requests.unsubscribe(correlationId, topics);
  }

  requestPublish(correlationId: number, topic: string, payload: Buffer, qos: 0 | 1 | 2, retain: boolean): void {
    this.requests.publish(correlationId, topic, payload, qos, retain);
  }

  acknowledge(correlationId: number): void {
    const messageId = this.requests.takeAwaitingAck(correlationId);
    if (messageId !== undefined) this.transport.acknowledge(messageId);
  }

  requestDisconnect(): void {
    this.requests.countDisconnect();
    const transport = this.transport;
    if (!transport.acceptsRequests || transport.disconnecting) {
      this.push({ type: MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE, requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, disconnectCode: 0, solicited: true });
      return;
    }
    this.requests.answerPending(MV_MQTTREQUESTSTATE_NOTCONNECTED);
    transport.disconnect();
  }

  // ------------------------------------------------------------------ transport events

  private onMessage(packet: Record<string, unknown>): void {
    if (this.released || this.closed) return;
    const topic = packet.topic as string;
    const payload = packet.payload as Uint8Array;
    const qos = packet.qos as number;
    const topicLength = Buffer.byteLength(topic);
    const size = topicLength + payload.length; // bytes: length, which V8 inlines (byteLength it does not, here)
    if (size > this.buffers.receiveLength - this.unreadMessageBytes) {
      // Too big for what is left of the receive buffer: report it, and let mqtt.js acknowledge it.
      this.push({ type: MV_MQTTREADABLEDATATYPE_MESSAGELOST, topic, topicLength, messageLength: size });
      return;
    }
    const messageId = (packet.messageId as number | undefined) ?? 0;
    if (qos > 0) this.transport.holdAck(messageId);
    this.unreadMessageBytes += size;
    this.push({ type: MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED, topic, topicLength, payload, qos, retain: packet.retain === true, messageId });
  }

  private onSessionEnd(end: SessionEnd): void {
    if (this.released || this.closed) return;
    this.closureReason = end.reason;
    if (!end.connected) {
      this.push({ type: MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE, requestState: end.requestState, reasonCode: end.reasonCode });
      return;
    }
    this.requests.answerPending(MV_MQTTREQUESTSTATE_NOTCONNECTED);
    this.push({ type: MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE, requestState: end.requestState, disconnectCode: end.disconnectCode, solicited: end.solicited });
  }

  /** The connection drops under the channel, as when the broker goes away: the socket closes without a DISCONNECT. */
  override dropTransport(): void {
    this.transport.dropSocket();
  }

  protected override dropConnection(): void {
    this.queue.clear();
    this.requests.clear();
    this.transport.end(false);
  }

  protected override closeConnection(): void {
    this.queue.clear();
    this.requests.clear();
    this.transport.end(true);
  }
}
