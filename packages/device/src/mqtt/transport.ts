/**
 * The transport of an MQTT channel: one mqtt.js client for one connection attempt, the
 * acknowledgements it holds back, and how the session ends.
 *
 * - One connect per channel; mqtt.js never reconnects (`reconnectPeriod: 0`).
 * - Inbound QoS 1/2 messages are acknowledged only when the app calls
 *   mvMqttAcknowledgeMessage: the PUBACK/PUBREC mqtt.js would send is held back (the
 *   inbound stream keeps flowing), so an unacknowledged message is redelivered when a
 *   persistent session resumes.
 * - An acknowledgement holds an in-flight slot until it has left for the broker (the socket took it).
 * - The end of the session (refused, failed, ended by the broker, the link or the app) is
 *   reported once, as a `SessionEnd`; what the application then reads is the channel's business.
 *
 * What a request is waiting for (correlation IDs, in-flight request slots) lives in requests.ts.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import {
  MV_CLOSUREREASON_CLOSEDBYAPPLICATION,
  MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER,
  MV_CLOSUREREASON_CONNECTIONTERMINATED,
  MV_MQTTREQUESTSTATE_CONNECTIONCIRCUITBREAKER,
  MV_MQTTREQUESTSTATE_NOTCONNECTED,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
} from '@mvmqtt/sdk';
import type { MvClosureReason, MvMqttRequestState } from '@mvmqtt/sdk';
import type { MqttChannelOptions } from './options.js';
import type { ConnectPlan } from './connect-request.js';
import { refusedConnection } from './outage.js';
import { closureReasonFor, connackReasonCode, connectFailureState } from './errors.js';
import { IdTable } from './id-table.js';

const enum Phase {
  Idle,
  Connecting,
  Connected,
  Ended,
}

/** How the session ended, reported once: the connect response of a failed attempt, or the disconnect response of a session that was up. */
export type SessionEnd =
  | { connected: false; requestState: MvMqttRequestState; reasonCode: number; reason: MvClosureReason }
  | { connected: true; solicited: boolean; requestState: MvMqttRequestState; disconnectCode: number; reason: MvClosureReason };

/** What the transport tells the channel that owns it. */
export interface TransportEvents {
  /** The broker accepted the connect. */
  connected(): void;
  /** A PUBLISH from the broker. */
  message(packet: Record<string, unknown>): void;
  /** A PUBACK, PUBREC, PUBCOMP, SUBACK or UNSUBACK, straight off the wire. */
  ack(packet: Record<string, unknown>): void;
  /** The socket drained after being backed up. */
  drained(): void;
  /** The session is over (not called after `end` or `drop`). */
  ended(end: SessionEnd): void;
}

/** A message whose acknowledgement is held: mqtt.js has not produced it yet. */
const AWAITED = Symbol('awaited');
/** Marks a held acknowledgement the app released before mqtt.js produced it. */
const ACK_NOW = Symbol('ack-now');
type HeldAck = Record<string, unknown> | typeof AWAITED | typeof ACK_NOW;

type SendPacket = (packet: Record<string, unknown>, cb?: (err?: Error) => void, cbStorePut?: unknown, noStore?: boolean) => void;

/** mqtt.js's publish callback: the ack packet on success. */
export type PublishCallback = (err?: Error, packet?: unknown) => void;

/**
 * mqtt.js makes a `debug('mqttjs:client')` logger for every client not given one (a closure,
 * an isatty call, ~1 KB); the clients of this process share the first one's instead: the same
 * output under DEBUG=mqttjs*, less to build per connection when thousands connect (a fleet).
 */
let sharedMqttLog: IClientOptions['log'];

/**
 * What a client logs to while `mqttjs:client` is not enabled (DEBUG, or debug.enable): mqtt.js
 * logs a dozen lines per message, and a disabled `debug` logger still gathers each call's
 * arguments into an array and asks whether it is enabled, about a third of what a message
 * allocates. Decided at each connect, so enabling the namespace takes effect at the next one.
 */
const NO_LOG = (): void => undefined;

/** mqtt.js copies its publish options into the packet: shared ones spare an object per publish. */
type PublishOptions = { readonly qos: 0 | 1 | 2; readonly retain: boolean };
const PUBLISH_OPTIONS: readonly (readonly [PublishOptions, PublishOptions])[] = ([0, 1, 2] as const).map((qos) => [
  Object.freeze({ qos, retain: false }),
  Object.freeze({ qos, retain: true }),
]);

export class MqttTransport {
  private client: MqttClient | undefined;
  private sendRaw: SendPacket | undefined;
  private phase = Phase.Idle;
  private version: 4 | 5 = 4;
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

  /** MQTT packet id → the PUBACK/PUBREC held back until the app acknowledges. */
  private readonly heldAcks = new IdTable<HeldAck>(32);
  private readonly acknowledgementsMax: number;
  private acksInFlight = 0;
  /** Acknowledgements written while the socket was backed up: in flight until its next 'drain'. */
  private acksAwaitingDrain = 0;
  /** Whether the one shared 'drain' listener is registered. */
  private drainListening = false;

  constructor(
    private readonly options: MqttChannelOptions,
    private readonly events: TransportEvents,
    private readonly handleForTrace: () => number,
  ) {
    // Read once: the check runs on every acknowledgement. A limit switched off never refuses.
    this.acknowledgementsMax = options.limits.value('MQTT_ACKNOWLEDGEMENTS_IN_FLIGHT_MAX') ?? Infinity;
  }

  get isConnected(): boolean {
    return this.phase === Phase.Connected;
  }

  /** Connected: requests go to the broker (a session ending after a DISCONNECT still is, as mqtt.js answers them). */
  get acceptsRequests(): boolean {
    return this.phase === Phase.Connected && this.client !== undefined;
  }

  /** The app asked for DISCONNECT (mvMqttRequestDisconnect). */
  get disconnecting(): boolean {
    return this.disconnectRequested;
  }

  canAcknowledge(): boolean {
    return this.acksInFlight < this.acknowledgementsMax;
  }

  /** The attempt ends before it starts (credentials that could not be parsed): nothing goes out. */
  refuse(): void {
    this.phase = Phase.Ended;
  }

  /** `brokerDown`: a simulated broker outage; the attempt fails as a refused TCP connection does. */
  connect(plan: ConnectPlan, brokerDown = false): void {
    this.version = plan.protocolVersion;
    this.phase = Phase.Connecting;
    if (brokerDown) {
      this.connectError = refusedConnection(plan.host, plan.port);
      queueMicrotask(() => this.onClose());
      return;
    }
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
    if (!(sharedMqttLog as { enabled?: boolean }).enabled) client.log = NO_LOG;
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
  whenClosed(): Promise<void> {
    if (!this.transportOpen) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  // ------------------------------------------------------------------ requests

  /**
   * Sends a PUBLISH (`acceptsRequests` must hold). Returns the MQTT packet id mqtt.js gave it
   * during the call, or 0 (QoS 0; or mqtt.js queued it, and `cb` is then how it is answered).
   */
  publish(topic: string, payload: Buffer, qos: 0 | 1 | 2, retain: boolean, cb?: PublishCallback): number {
    const client = this.client!;
    const options = PUBLISH_OPTIONS[qos][retain ? 1 : 0];
    if (qos === 0) {
      client.publish(topic, payload, options);
      return 0;
    }
    const before = client.getLastMessageId();
    client.publish(topic, payload, options, cb);
    const after = client.getLastMessageId();
    return after !== before ? after : 0;
  }

  /** Sends a SUBSCRIBE; returns its packet id as `publish` does. */
  subscribe(map: Record<string, { qos: 0 | 1; nl?: boolean; rap?: boolean; rh?: number }>, cb: (err: Error | null, granted?: unknown) => void): number {
    const client = this.client!;
    const before = client.getLastMessageId();
    client.subscribe(map, cb);
    const after = client.getLastMessageId();
    return after !== before ? after : 0;
  }

  /** Sends an UNSUBSCRIBE; returns its packet id as `publish` does. */
  unsubscribe(topics: string[], cb: (err?: Error, packet?: unknown) => void): number {
    const client = this.client!;
    const before = client.getLastMessageId();
    client.unsubscribe(topics, cb);
    const after = client.getLastMessageId();
    return after !== before ? after : 0;
  }

  /** mvMqttAcknowledgeMessage for the message with this packet id: the held PUBACK/PUBREC goes out (now, or as soon as mqtt.js makes it). */
  acknowledge(messageId: number): void {
    const held = this.heldAcks.get(messageId);
    if (held === undefined || held === AWAITED) {
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

  /** The acknowledgement of an inbound QoS 1/2 message waits for `acknowledge` (call before the message is handed on). */
  holdAck(messageId: number): void {
    this.heldAcks.set(messageId, AWAITED);
  }

  /** Whether the socket is backed up: a QoS 0 publish then completes at its next 'drain' (`TransportEvents.drained`). */
  get backedUp(): boolean {
    return this.client !== undefined && this.socketBackedUp(this.client);
  }

  /** Waits for the socket's next 'drain' (one listener for everything waiting). */
  awaitDrainEvent(): void {
    if (this.client) this.awaitDrain(this.client);
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
    this.events.drained();
  };

  private releaseAcksAwaitingDrain(): void {
    this.acksInFlight -= this.acksAwaitingDrain;
    this.acksAwaitingDrain = 0;
  }

  /** mvMqttRequestDisconnect on a connected session (`acceptsRequests`, not requested before). */
  disconnect(): void {
    this.disconnectRequested = true;
    this.endPolitely(this.client!);
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
        const held = this.heldAcks.get(id);
        if (held === ACK_NOW) {
          this.heldAcks.delete(id);
        } else if (held !== undefined) {
          this.heldAcks.set(id, packet);
          cb?.();
          return;
        }
      }
      send(packet, cb, cbStorePut, noStore);
    };
  }

  private onPacket(packet: Record<string, unknown>): void {
    this.options.trace?.({ kind: 'mqtt-packet', channel: this.handleForTrace(), direction: 'in', packet });
    switch (packet.cmd) {
      case 'publish': {
        if (this.phase === Phase.Ended) return; // the channel is gone
        const breaker = this.options.circuitBreaker;
        if (breaker && this.tripsBreaker(breaker.maxMessages, breaker.windowMs)) return;
        this.events.message(packet);
        break;
      }
      case 'puback':
      case 'pubrec':
      case 'pubcomp':
      case 'suback':
      case 'unsuback':
        this.events.ack(packet);
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
    this.events.connected();
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
    const phase = this.phase;
    if (phase === Phase.Ended) return; // ended by the channel (end/drop), or already reported
    this.phase = Phase.Ended;
    if (phase === Phase.Connecting) {
      const refused = this.refusedCode !== undefined;
      this.events.ended({
        connected: false,
        requestState: refused ? MV_MQTTREQUESTSTATE_REQUESTCOMPLETED : connectFailureState(this.connectError),
        reasonCode: refused ? connackReasonCode(this.refusedCode!, this.version, this.options.connackCodes) : 0,
        reason: refused ? MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER : MV_CLOSUREREASON_CONNECTIONTERMINATED,
      });
      return;
    }
    if (phase !== Phase.Connected) return;
    if (this.disconnectRequested) {
      this.events.ended({ connected: true, solicited: true, requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, disconnectCode: 0, reason: MV_CLOSUREREASON_CLOSEDBYAPPLICATION });
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
    this.events.ended({ connected: true, solicited: false, requestState, disconnectCode: this.brokerDisconnectCode, reason });
  }

  /** DISCONNECT (reason 0, so no will is published) without waiting for unanswered requests. */
  private endPolitely(client: MqttClient): void {
    for (const id of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(id));
    client.end(false, { reasonCode: 0 });
  }

  /** The connection drops under the channel, as when the broker goes away: the socket closes without a DISCONNECT. */
  dropSocket(): void {
    this.client?.stream.destroy();
  }

  /** The channel is done with the session: nothing more is reported. `politely`: a DISCONNECT if the session is up and none was asked for. */
  end(politely: boolean): void {
    const client = this.client;
    const phase = this.phase;
    this.phase = Phase.Ended;
    this.heldAcks.clear();
    if (!client) return;
    if (politely && phase === Phase.Connected && !this.disconnectRequested) this.endPolitely(client);
    else client.end(true);
  }
}
