/**
 * An MQTT channel: one mqtt.js client for one connection attempt, and the FIFO of readable
 * items the application drains with mvMqttGetNextReadableDataType and the read calls.
 *
 * - One connect per channel; mqtt.js never reconnects (`reconnectPeriod: 0`).
 * - Requests made while not connected are accepted and answered NOTCONNECTED.
 * - A request holds its in-flight slot until its response item has been read; an
 *   acknowledgement holds one until it has left for the broker (the socket took it).
 * - Inbound QoS 1/2 messages are acknowledged only when the app calls
 *   mvMqttAcknowledgeMessage: the PUBACK/PUBREC mqtt.js would send is held back (the
 *   inbound stream keeps flowing), so an unacknowledged message is redelivered when a
 *   persistent session resumes.
 * - A broker-side end of the session gives exactly one unsolicited DISCONNECTRESPONSE.
 * - Nothing is queued or notified after mvCloseChannel.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import {
  LIMITS,
  MV_CLOSUREREASON_CLOSEDBYAPPLICATION,
  MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER,
  MV_CLOSUREREASON_CONNECTIONTERMINATED,
  MV_EVENTTYPE_CHANNELDATAREADABLE,
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_MESSAGELOST,
  MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED,
  MV_MQTTREADABLEDATATYPE_NONE,
  MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE,
  MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE,
  MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE,
  MV_MQTTREQUESTSTATE_CONNECTIONCIRCUITBREAKER,
  MV_MQTTREQUESTSTATE_INVALIDPARAMETERS,
  MV_MQTTREQUESTSTATE_NOTCONNECTED,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
} from '@mvmqtt/sdk';
import type { MvClosureReason, MvMqttReadableDataType, MvMqttRequestState } from '@mvmqtt/sdk';
import { Channel, type ChannelBuffers } from '../channels.js';
import type { NotificationTarget } from '@mvmqtt/sdk/runtime';
import type { ResolvedOptions } from '../options.js';
import type { ConnectPlan } from './connect-request.js';
import { closureReasonFor, connackReasonCode, connectFailureState } from './errors.js';
import { ItemQueue, type MessageItem, type ReadableItem } from './items.js';
import { TopicCache } from './topic-cache.js';

const enum Phase {
  Idle,
  Connecting,
  Connected,
  Ended,
}

type ResponseType =
  | typeof MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE
  | typeof MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE
  | typeof MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE;

/** A request sent to the broker and not yet answered. */
interface PendingRequest {
  type: ResponseType;
  correlationId: number;
  /** MQTT packet id, when mqtt.js assigned one during the call (0 otherwise). */
  messageId: number;
  /** (Un)subscribe: topics as sent to mqtt.js, and as requested (for per-topic codes in request order). */
  sent?: readonly string[];
  topics?: readonly string[];
  /** QoS 2 publish: the PUBREC's reason code. */
  pubrecCode?: number;
}

export interface Subscription {
  topic: string;
  qos: 0 | 1;
  nl: boolean;
  rap: boolean;
  rh: 0 | 1 | 2;
}

/** Marks a held acknowledgement the app released before mqtt.js produced it. */
const ACK_NOW = Symbol('ack-now');
type HeldAck = Record<string, unknown> | undefined | typeof ACK_NOW;

type SendPacket = (packet: Record<string, unknown>, cb?: (err?: Error) => void, cbStorePut?: unknown, noStore?: boolean) => void;

/**
 * mqtt.js makes a `debug('mqttjs:client')` logger for every client not given one (a closure,
 * an isatty call, ~1 KB); the clients of this process share the first one's instead: the same
 * output under DEBUG=mqttjs*, less to build per connection when thousands connect (a fleet).
 */
let sharedMqttLog: IClientOptions['log'];

/** mqtt.js copies its publish options into the packet: shared ones spare an object per publish. */
const QOS0 = Object.freeze({ qos: 0, retain: false } as const);
const QOS0_RETAINED = Object.freeze({ qos: 0, retain: true } as const);

const SUBSCRIBES_IN_FLIGHT = LIMITS.MQTT_SUBSCRIBES_IN_FLIGHT_MAX.value;
const UNSUBSCRIBES_IN_FLIGHT = LIMITS.MQTT_UNSUBSCRIBES_IN_FLIGHT_MAX.value;

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
  private client: MqttClient | undefined;
  private sendRaw: SendPacket | undefined;
  private phase = Phase.Idle;
  private version: 4 | 5 = 4;
  connectRequested = false;
  private connectError: unknown;
  private refusedCode: number | undefined;
  private endError: unknown;
  private brokerDisconnectCode = 0;
  private disconnectRequested = false;
  private breakerTripped = false;
  private breakerWindowStart = 0;
  private breakerCount = 0;
  private transportOpen = false;
  private closeWaiters: (() => void)[] = [];

  private readonly publishesMax: number;
  private readonly acknowledgementsMax: number;
  private readonly disconnectsMax: number;
  private subscribesInFlight = 0;
  private unsubscribesInFlight = 0;
  private publishesInFlight = 0;
  private disconnectsInFlight = 0;
  private acksInFlight = 0;

  private readonly pending = new Set<PendingRequest>();
  private nextCorrelation = 1;
  /** correlation ID given to the app → MQTT packet id of a QoS 1/2 message awaiting its ack. */
  private readonly awaitingAck = new Map<number, number>();
  /** MQTT packet id → the PUBACK/PUBREC held back until the app acknowledges. */
  private readonly heldAcks = new Map<number, HeldAck>();
  /** Requests awaiting their ack packet, by MQTT packet id. */
  private readonly byMessageId = new Map<number, PendingRequest>();
  /** QoS 0 publishes written while the socket was backed up: complete at its next 'drain'. */
  private publishesAwaitingDrain: PendingRequest[] = [];
  /** For observers (the inspector attaching late): the connect request as made, and the topics the broker granted. Never touched by a publish. */
  private session: { host: string; port: number; tls: boolean; clientId: string; protocolVersion: 4 | 5; username?: string; password?: string } | undefined;
  private readonly granted = new Map<string, number>();
  /** Acknowledgements written while the socket was backed up: in flight until its next 'drain'. */
  private acksAwaitingDrain = 0;
  /** Whether the one shared 'drain' listener is registered. */
  private drainListening = false;

  constructor(
    type: number,
    target: NotificationTarget,
    buffers: ChannelBuffers,
    private readonly options: ResolvedOptions,
    private readonly handleForTrace: () => number,
  ) {
    super(type as never, target, buffers);
    // Read once: the checks run on every request. A limit switched off never refuses.
    const limits = options.limits;
    this.publishesMax = limits.value('MQTT_PUBLISHES_IN_FLIGHT_MAX') ?? Infinity;
    this.acknowledgementsMax = limits.value('MQTT_ACKNOWLEDGEMENTS_IN_FLIGHT_MAX') ?? Infinity;
    this.disconnectsMax = limits.value('MQTT_DISCONNECTS_IN_FLIGHT_MAX') ?? Infinity;
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
    switch (item.type) {
      case MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE:
        this.publishesInFlight--;
        break;
      case MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE:
        this.subscribesInFlight--;
        break;
      case MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE:
        this.unsubscribesInFlight--;
        break;
      case MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE:
        if (item.solicited) this.disconnectsInFlight--;
        break;
      case MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED:
        this.unreadMessageBytes -= item.topicLength + item.payload.byteLength;
        break;
    }
  }

  /** A correlation ID for a message being handed to the app; QoS 1/2 ones are remembered for the ack. */
  issueCorrelation(item: MessageItem): number {
    const id = this.nextCorrelation;
    this.nextCorrelation = id === 0xffffffff ? 1 : id + 1;
    if (item.qos > 0) this.awaitingAck.set(id, item.messageId);
    return id;
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
    return { ...this.session, subscriptions: [...this.granted].map(([topic, granted]) => ({ topic, granted })) };
  }

  get isConnected(): boolean {
    return this.phase === Phase.Connected;
  }

  canSubscribe(): boolean {
    return this.subscribesInFlight < SUBSCRIBES_IN_FLIGHT;
  }

  canUnsubscribe(): boolean {
    return this.unsubscribesInFlight < UNSUBSCRIBES_IN_FLIGHT;
  }

  canPublish(): boolean {
    return this.publishesInFlight < this.publishesMax;
  }

  canAcknowledge(): boolean {
    return this.acksInFlight < this.acknowledgementsMax;
  }

  canDisconnect(): boolean {
    return this.disconnectsInFlight < this.disconnectsMax;
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
    if (plan.clean) this.granted.clear();
    if (plan.credentialError) {
      this.phase = Phase.Ended;
      this.closureReason = MV_CLOSUREREASON_CONNECTIONTERMINATED;
      this.push({ type: MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE, requestState: MV_MQTTREQUESTSTATE_INVALIDPARAMETERS, reasonCode: 0 });
      return;
    }
    this.phase = Phase.Connecting;
    const o: IClientOptions = {
      protocol: plan.tls ? 'mqtts' : 'mqtt',
      host: plan.host,
      port: plan.port,
      protocolVersion: plan.protocolVersion,
      clientId: plan.clientId,
      keepalive: plan.keepalive,
      clean: plan.clean,
      reconnectPeriod: 0,
      resubscribe: false,
      connectTimeout: this.options.connectTimeoutSeconds * 1000,
      queueQoSZero: false,
    };
    if (plan.username !== undefined) o.username = plan.username;
    if (plan.password !== undefined) o.password = plan.password;
    if (plan.will) o.will = plan.will;
    if (plan.protocolVersion === 5 && !plan.clean) o.properties = { sessionExpiryInterval: this.options.sessionExpirySeconds };
    if (plan.tls) {
      o.rejectUnauthorized = true;
      if (plan.tls.ca) o.ca = plan.tls.ca;
      if (plan.tls.cert) o.cert = plan.tls.cert;
      if (plan.tls.key) o.key = plan.tls.key;
    }
    if (sharedMqttLog) o.log = sharedMqttLog;
    let client: MqttClient;
    try {
      client = connect(o);
    } catch (err) {
      this.connectError = err;
      queueMicrotask(() => this.onClose());
      return;
    }
    sharedMqttLog ??= client.log;
    this.client = client;
    this.transportOpen = true;
    this.holdAcks(client);
    client.on('packetreceive', (packet) => this.onPacket(packet as unknown as Record<string, unknown>));
    client.on('packetsend', (packet) => this.options.trace?.({ kind: 'mqtt-packet', channel: this.handleForTrace(), direction: 'out', packet: packet as unknown as Record<string, unknown> }));
    client.on('error', (err) => this.onError(err));
    client.on('close', () => {
      this.transportOpen = false;
      // Nothing left the socket that will drain now: the broker redelivers what was not acknowledged.
      this.releaseAcksAwaitingDrain();
      this.onClose();
      for (const wake of this.closeWaiters.splice(0)) wake();
    });
  }

  /** Resolves once the mqtt.js connection (if any) has closed. */
  override whenTransportClosed(): Promise<void> {
    if (!this.transportOpen) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  requestSubscribe(correlationId: number, subs: readonly Subscription[]): void {
    this.subscribesInFlight++;
    const client = this.client;
    if (this.phase !== Phase.Connected || !client) {
      this.push({ type: MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE, requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, correlationId, reasonCodes: [] });
      return;
    }
    // mqtt.js takes a topic → options map; a topic named twice keeps its last options (as a broker would).
    const map: Record<string, { qos: 0 | 1; nl?: boolean; rap?: boolean; rh?: number }> = {};
    for (const s of subs) map[s.topic] = this.version === 5 ? { qos: s.qos, nl: s.nl, rap: s.rap, rh: s.rh } : { qos: s.qos };
    const req = this.track(MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE, correlationId, client, () =>
      client.subscribe(map, (err) => {
        // Normally answered from the SUBACK packet itself (onPacket); this covers local refusals.
        const suback = (err as { packet?: { granted?: number[] } } | null)?.packet?.granted;
        if (suback) this.complete(req, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, suback);
        else this.complete(req, err ? MV_MQTTREQUESTSTATE_INVALIDPARAMETERS : MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, []);
      }),
    );
    req.sent = Object.keys(map);
    req.topics = subs.map((s) => s.topic);
  }

  requestUnsubscribe(correlationId: number, topics: readonly string[]): void {
    this.unsubscribesInFlight++;
    const client = this.client;
    if (this.phase !== Phase.Connected || !client) {
      this.push({ type: MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE, requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, correlationId, reasonCodes: [] });
      return;
    }
    const req = this.track(MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE, correlationId, client, () =>
      client.unsubscribe(topics as string[], (err, packet) =>
        this.complete(req, err ? MV_MQTTREQUESTSTATE_INVALIDPARAMETERS : MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, (packet as { granted?: number[] } | undefined)?.granted ?? []),
      ),
    );
    req.sent = topics as string[];
    req.topics = topics as string[];
  }

  requestPublish(correlationId: number, topic: string, payload: Buffer, qos: 0 | 1 | 2, retain: boolean): void {
    this.publishesInFlight++;
    const client = this.client;
    if (this.phase !== Phase.Connected || !client) {
      this.push({ type: MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE, requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, correlationId, reasonCode: 0 });
      return;
    }
    if (topic.length === 0 || topic.includes('+') || topic.includes('#')) {
      this.push({ type: MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE, requestState: MV_MQTTREQUESTSTATE_INVALIDPARAMETERS, correlationId, reasonCode: 0 });
      return;
    }
    if (qos === 0) {
      // No per-message callback (one 'drain' listener per message collapses throughput). QoS 0
      // is complete once the socket took the bytes; while it is backed up, at its next 'drain',
      // as a device's send buffer must empty before it takes more. Without this wait an app
      // publishing in a loop never yields and the socket buffer grows without bound.
      client.publish(topic, payload, retain ? QOS0_RETAINED : QOS0);
      if (!this.socketBackedUp(client)) {
        this.push({ type: MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE, requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, correlationId, reasonCode: 0 });
        return;
      }
      const req: PendingRequest = { type: MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE, correlationId, messageId: 0 };
      this.pending.add(req); // answered NOTCONNECTED if the connection ends first
      this.publishesAwaitingDrain.push(req);
      this.awaitDrain(client);
      return;
    }
    const req = this.track(MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE, correlationId, client, () =>
      client.publish(topic, payload, { qos, retain }, (err) => {
        const rc = (err as { code?: unknown } | undefined)?.code;
        if (typeof rc === 'number') this.complete(req, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, [rc]);
        else this.complete(req, err ? MV_MQTTREQUESTSTATE_NOTCONNECTED : MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, [0]);
      }),
    );
  }

  /**
   * Sends a request through mqtt.js and remembers it by MQTT packet id, so that its answer is
   * queued the moment the ack packet arrives, in wire order with inbound messages (mqtt.js's
   * own callbacks run later, after promise jobs, and would let messages overtake responses).
   */
  private track(type: ResponseType, correlationId: number, client: MqttClient, send: () => void): PendingRequest {
    const req: PendingRequest = { type, correlationId, messageId: 0 };
    this.pending.add(req);
    const before = client.getLastMessageId();
    send();
    const after = client.getLastMessageId();
    if (after !== before && this.pending.has(req)) {
      req.messageId = after;
      this.byMessageId.set(after, req);
    }
    return req;
  }

  /** Queues a request's response once (from the ack packet or from the mqtt.js callback, whichever comes first). */
  private complete(req: PendingRequest, requestState: MvMqttRequestState, codes: readonly number[]): void {
    if (!this.pending.delete(req)) return;
    if (req.messageId) this.byMessageId.delete(req.messageId);
    if (req.type === MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE) {
      this.push({ type: req.type, requestState, correlationId: req.correlationId, reasonCode: codes[0] ?? 0 });
      return;
    }
    let reasonCodes: number[] = [];
    if (requestState === MV_MQTTREQUESTSTATE_REQUESTCOMPLETED) {
      // One code per requested topic, in request order. MQTT 3.1.1 UNSUBACK has none: 0 (success) each.
      const byTopic = new Map<string, number>();
      req.sent?.forEach((topic, i) => byTopic.set(topic, codes[i] ?? 0));
      reasonCodes = (req.topics ?? []).map((t) => byTopic.get(t) ?? 0);
      // Codes below 0x80 grant (the QoS); the others refuse.
      if (req.type === MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE) req.topics?.forEach((t, i) => (reasonCodes[i] < 0x80 ? this.granted.set(t, reasonCodes[i]) : undefined));
      else req.topics?.forEach((t) => this.granted.delete(t));
    }
    this.push({ type: req.type, requestState, correlationId: req.correlationId, reasonCodes });
  }

  /** An ack packet for one of our requests, straight off the wire. */
  private onAck(packet: Record<string, unknown>): void {
    const id = packet.messageId as number;
    const req = this.byMessageId.get(id);
    if (!req) return;
    const code = (packet.reasonCode as number | undefined) ?? 0;
    switch (packet.cmd) {
      case 'suback':
        if (req.type === MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE) this.complete(req, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, (packet.granted as number[]) ?? []);
        break;
      case 'unsuback':
        if (req.type === MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE) this.complete(req, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, (packet.granted as number[]) ?? []);
        break;
      case 'puback':
        if (req.type === MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE) this.complete(req, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, [code]);
        break;
      case 'pubrec':
        // QoS 2: a refusal ends the exchange here; otherwise keep the code for PUBCOMP.
        if (code >= 0x80) this.complete(req, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, [code]);
        else req.pubrecCode = code;
        break;
      case 'pubcomp':
        this.complete(req, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, [req.pubrecCode || code]);
        break;
    }
  }

  acknowledge(correlationId: number): void {
    const messageId = this.awaitingAck.get(correlationId);
    if (messageId === undefined) return; // QoS 0, unknown or already acknowledged: nothing to send
    this.awaitingAck.delete(correlationId);
    const held = this.heldAcks.get(messageId);
    if (held === undefined) {
      this.heldAcks.set(messageId, ACK_NOW);
      return;
    }
    this.heldAcks.delete(messageId);
    if (held === ACK_NOW || this.phase !== Phase.Connected || !this.sendRaw) return; // the broker redelivers on resume
    this.sendRaw(held);
    // mqtt-packet reports an ack as written even into a backed-up socket; it has really left
    // for the broker only once the socket drains, so until then it holds an in-flight slot.
    const client = this.client;
    if (client && this.socketBackedUp(client)) {
      this.acksInFlight++;
      this.acksAwaitingDrain++;
      this.awaitDrain(client);
    }
  }

  private socketBackedUp(client: MqttClient): boolean {
    return (client.stream as unknown as { writableNeedDrain?: boolean }).writableNeedDrain === true;
  }

  /** One 'drain' listener for everything waiting on the socket (one per message collapses throughput). */
  private awaitDrain(client: MqttClient): void {
    if (this.drainListening) return;
    this.drainListening = true;
    client.stream.once('drain', this.onDrain);
  }

  private readonly onDrain = (): void => {
    this.drainListening = false;
    this.releaseAcksAwaitingDrain();
    const waiting = this.publishesAwaitingDrain;
    this.publishesAwaitingDrain = [];
    for (const r of waiting) this.complete(r, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, []);
  };

  private releaseAcksAwaitingDrain(): void {
    this.acksInFlight -= this.acksAwaitingDrain;
    this.acksAwaitingDrain = 0;
  }

  requestDisconnect(): void {
    this.disconnectsInFlight++;
    const client = this.client;
    if (this.phase !== Phase.Connected || !client || this.disconnectRequested) {
      this.push({ type: MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE, requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, disconnectCode: 0, solicited: true });
      return;
    }
    this.disconnectRequested = true;
    this.answerPending(MV_MQTTREQUESTSTATE_NOTCONNECTED);
    this.endPolitely(client);
  }

  // ------------------------------------------------------------------ mqtt.js events

  /** Make mqtt.js's automatic PUBACK/PUBREC for delivered messages wait for mvMqttAcknowledgeMessage. */
  private holdAcks(client: MqttClient): void {
    const c = client as unknown as { _sendPacket: SendPacket };
    const send = c._sendPacket.bind(client);
    this.sendRaw = send;
    c._sendPacket = (packet, cb, cbStorePut, noStore) => {
      const cmd = packet.cmd;
      if (cmd === 'puback' || cmd === 'pubrec') {
        const id = packet.messageId as number;
        if (this.heldAcks.has(id)) {
          if (this.heldAcks.get(id) === ACK_NOW) {
            this.heldAcks.delete(id);
          } else {
            this.heldAcks.set(id, packet);
            cb?.();
            return;
          }
        }
      }
      send(packet, cb, cbStorePut, noStore);
    };
  }

  private onPacket(packet: Record<string, unknown>): void {
    this.options.trace?.({ kind: 'mqtt-packet', channel: this.handleForTrace(), direction: 'in', packet });
    switch (packet.cmd) {
      case 'publish':
        this.onPublish(packet);
        break;
      case 'puback':
      case 'pubrec':
      case 'pubcomp':
      case 'suback':
      case 'unsuback':
        this.onAck(packet);
        break;
      case 'connack':
        this.onConnack(packet);
        break;
      case 'disconnect':
        this.brokerDisconnectCode = (packet.reasonCode as number | undefined) ?? 0;
        break;
    }
  }

  private onConnack(packet: Record<string, unknown>): void {
    if (this.phase !== Phase.Connecting) return;
    const code = (packet.reasonCode as number | undefined) ?? (packet.returnCode as number | undefined) ?? 0;
    if (code !== 0) {
      this.refusedCode = code; // the broker closes the connection; onClose reports it
      return;
    }
    this.phase = Phase.Connected;
    this.push({ type: MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE, requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, reasonCode: 0 });
  }

  private onPublish(packet: Record<string, unknown>): void {
    if (this.released || this.closed) return;
    const breaker = this.options.circuitBreaker;
    if (breaker && this.tripsBreaker(breaker.maxMessages, breaker.windowMs)) return;
    const topic = packet.topic as string;
    const payload = packet.payload as Uint8Array;
    const qos = packet.qos as number;
    const topicLength = Buffer.byteLength(topic);
    const size = topicLength + payload.byteLength;
    if (size > this.buffers.receiveLength - this.unreadMessageBytes) {
      // Too big for what is left of the receive buffer: report it, and let mqtt.js acknowledge it.
      this.push({ type: MV_MQTTREADABLEDATATYPE_MESSAGELOST, topic, topicLength, messageLength: size });
      return;
    }
    const messageId = (packet.messageId as number | undefined) ?? 0;
    if (qos > 0) this.heldAcks.set(messageId, undefined);
    this.unreadMessageBytes += size;
    this.push({ type: MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED, topic, topicLength, payload, qos, retain: packet.retain === true, messageId });
  }

  private tripsBreaker(max: number, windowMs: number): boolean {
    if (this.breakerTripped) return true;
    const now = performance.now();
    if (now - this.breakerWindowStart > windowMs) {
      this.breakerWindowStart = now;
      this.breakerCount = 0;
    }
    if (++this.breakerCount <= max) return false;
    this.breakerTripped = true;
    this.client?.end(true);
    return true;
  }

  private onError(err: unknown): void {
    if (this.phase === Phase.Connecting) this.connectError ??= err;
    else this.endError ??= err;
  }

  private onClose(): void {
    if (this.released || this.closed) return;
    const phase = this.phase;
    this.phase = Phase.Ended;
    if (phase === Phase.Connecting) {
      this.closureReason = this.refusedCode !== undefined ? MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER : MV_CLOSUREREASON_CONNECTIONTERMINATED;
      const requestState = this.refusedCode !== undefined ? MV_MQTTREQUESTSTATE_REQUESTCOMPLETED : connectFailureState(this.connectError);
      const reasonCode = this.refusedCode !== undefined ? connackReasonCode(this.refusedCode, this.version, this.options.connackCodes) : 0;
      this.push({ type: MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE, requestState, reasonCode });
      return;
    }
    if (phase !== Phase.Connected) return;
    this.answerPending(MV_MQTTREQUESTSTATE_NOTCONNECTED);
    if (this.disconnectRequested) {
      this.closureReason = MV_CLOSUREREASON_CLOSEDBYAPPLICATION;
      this.push({ type: MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE, requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, disconnectCode: 0, solicited: true });
      return;
    }
    let reason: MvClosureReason;
    let requestState: MvMqttRequestState = MV_MQTTREQUESTSTATE_NOTCONNECTED;
    if (this.breakerTripped) {
      reason = MV_CLOSUREREASON_CONNECTIONTERMINATED;
      requestState = MV_MQTTREQUESTSTATE_CONNECTIONCIRCUITBREAKER;
    } else if (this.brokerDisconnectCode !== 0) {
      reason = MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER;
    } else {
      reason = closureReasonFor(this.endError);
    }
    this.closureReason = reason;
    this.push({ type: MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE, requestState, disconnectCode: this.brokerDisconnectCode, solicited: false });
  }

  /** Every request still waiting for the broker gets its response now, with this state. */
  private answerPending(requestState: MvMqttRequestState): void {
    for (const req of [...this.pending]) this.complete(req, requestState, []);
  }

  /** DISCONNECT (reason 0, so no will is published) without waiting for unanswered requests. */
  private endPolitely(client: MqttClient): void {
    for (const id of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(id));
    client.end(false, { reasonCode: 0 });
  }

  /** The connection drops under the channel, as when the broker goes away: the socket closes without a DISCONNECT. */
  override dropTransport(): void {
    this.client?.stream.destroy();
  }

  protected override dropConnection(): void {
    this.phase = Phase.Ended;
    this.queue.clear();
    this.pending.clear();
    this.byMessageId.clear();
    this.heldAcks.clear();
    this.awaitingAck.clear();
    this.client?.end(true);
  }

  protected override closeConnection(): void {
    const client = this.client;
    const phase = this.phase;
    this.phase = Phase.Ended;
    this.queue.clear();
    this.pending.clear();
    this.byMessageId.clear();
    this.heldAcks.clear();
    this.awaitingAck.clear();
    if (!client) return;
    if (phase === Phase.Connected && !this.disconnectRequested) this.endPolitely(client);
    else client.end(true);
  }
}
