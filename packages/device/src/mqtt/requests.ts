/**
 * Request accounting of an MQTT channel: in-flight slots, the requests sent and not yet
 * answered, and the correlation IDs of received messages awaiting their acknowledgement.
 *
 * - Requests made while not connected are accepted and answered NOTCONNECTED.
 * - A request holds its in-flight slot until its response item has been read (`consumed`).
 * - A response is queued the moment its ack packet arrives, in wire order with inbound
 *   messages (mqtt.js's own callbacks run later, after promise jobs, and would let messages
 *   overtake responses); mqtt.js's callback answers what never gets an ack packet.
 */
import {
  LIMITS,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE,
  MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE,
  MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE,
  MV_MQTTREQUESTSTATE_INVALIDPARAMETERS,
  MV_MQTTREQUESTSTATE_NOTCONNECTED,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
} from '@mvmqtt/sdk';
import type { MvMqttRequestState } from '@mvmqtt/sdk';
import type { LimitBook } from '@mvmqtt/sdk/runtime';
import { IdTable } from './id-table.js';
import type { MessageItem, ReadableItem } from './items.js';
import type { MqttTransport, PublishCallback } from './transport.js';

type ResponseType =
  | typeof MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE
  | typeof MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE
  | typeof MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE;

/**
 * A request sent to the broker and not yet answered. Publish requests are pooled (one object
 * per request in flight, reused): a publish allocates no request object and no callback.
 */
class PendingRequest {
  type: ResponseType = MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE;
  correlationId = 0;
  /** MQTT packet id, when mqtt.js assigned one during the call (0 otherwise). */
  messageId = 0;
  /** (Un)subscribe: topics as sent to mqtt.js, and as requested (for per-topic codes in request order). */
  sent: readonly string[] | undefined = undefined;
  topics: readonly string[] | undefined = undefined;
  /** QoS 2 publish: the PUBREC's reason code. */
  pubrecCode = 0;
  /** In the pending list (not yet answered). */
  live = false;
  /** The pending list, oldest first: answerPending answers in request order. */
  older: PendingRequest | undefined = undefined;
  newer: PendingRequest | undefined = undefined;
  /** mqtt.js's callback for a pooled publish: made once, with the object. */
  readonly published: PublishCallback | undefined;

  constructor(book: MqttRequests | undefined) {
    this.published = book && ((err, packet) => book.publishAnswered(this, err, packet));
  }
}

export interface Subscription {
  topic: string;
  qos: 0 | 1;
  nl: boolean;
  rap: boolean;
  rh: 0 | 1 | 2;
}

const SUBSCRIBES_IN_FLIGHT = LIMITS.MQTT_SUBSCRIBES_IN_FLIGHT_MAX.value;
const UNSUBSCRIBES_IN_FLIGHT = LIMITS.MQTT_UNSUBSCRIBES_IN_FLIGHT_MAX.value;
/** Slots of the id tables: about what is usually outstanding (the default publish window is 16). */
const ID_SLOTS = 32;

export class MqttRequests {
  private readonly publishesMax: number;
  private readonly disconnectsMax: number;
  private subscribesInFlight = 0;
  private unsubscribesInFlight = 0;
  private publishesInFlight = 0;
  private disconnectsInFlight = 0;

  /** Requests awaiting their answer, oldest first. */
  private oldest: PendingRequest | undefined;
  private newest: PendingRequest | undefined;
  /** Publish request objects not in use. */
  private readonly freePublishes: PendingRequest[] = [];
  /** Requests awaiting their ack packet, by MQTT packet id. */
  private readonly byMessageId = new IdTable<PendingRequest>(ID_SLOTS);
  /** QoS 0 publishes written while the socket was backed up: complete at its next 'drain'. */
  private publishesAwaitingDrain: PendingRequest[] = [];
  private nextCorrelation = 1;
  /** correlation ID given to the app → MQTT packet id of a QoS 1/2 message awaiting its ack. */
  private readonly awaitingAck = new IdTable<number>(ID_SLOTS);
  /** For observers: the topic filters the broker granted (granted QoS), in the order first granted. */
  readonly granted = new Map<string, number>();

  constructor(
    limits: LimitBook,
    private readonly transport: MqttTransport,
    /** Queues a response for the application. */
    private readonly answer: (item: ReadableItem) => void,
  ) {
    // Read once: the checks run on every request. A limit switched off never refuses.
    this.publishesMax = limits.value('MQTT_PUBLISHES_IN_FLIGHT_MAX') ?? Infinity;
    this.disconnectsMax = limits.value('MQTT_DISCONNECTS_IN_FLIGHT_MAX') ?? Infinity;
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

  canDisconnect(): boolean {
    return this.disconnectsInFlight < this.disconnectsMax;
  }

  /** The application read this item: free the in-flight slot of the request it answers. */
  consumed(item: ReadableItem): void {
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
    }
  }

  /** A correlation ID for a message being handed to the app; QoS 1/2 ones are remembered for the ack. */
  issueCorrelation(item: MessageItem): number {
    const id = this.nextCorrelation;
    this.nextCorrelation = id === 0xffffffff ? 1 : id + 1;
    if (item.qos > 0) this.awaitingAck.set(id, item.messageId);
    return id;
  }

  /** The packet id of the message the app acknowledges with this correlation ID (once), or undefined (QoS 0, unknown, already acknowledged). */
  takeAwaitingAck(correlationId: number): number | undefined {
    const messageId = this.awaitingAck.get(correlationId);
    if (messageId !== undefined) this.awaitingAck.delete(correlationId);
    return messageId;
  }

  // ------------------------------------------------------------------ requests

  subscribe(correlationId: number, subs: readonly Subscription[], protocolVersion: 4 | 5): void {
    this.subscribesInFlight++;
    if (!this.transport.acceptsRequests) {
      this.answer({ type: MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE, requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, correlationId, reasonCodes: [] });
      return;
    }
    // mqtt.js takes a topic → options map; a topic named twice keeps its last options (as a broker would).
    const map: Record<string, { qos: 0 | 1; nl?: boolean; rap?: boolean; rh?: number }> = {};
    for (const s of subs) map[s.topic] = protocolVersion === 5 ? { qos: s.qos, nl: s.nl, rap: s.rap, rh: s.rh } : { qos: s.qos };
    const req = this.open(MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE, correlationId);
    req.sent = Object.keys(map);
    req.topics = subs.map((s) => s.topic);
    const messageId = this.transport.subscribe(map, (err) => {
      // Normally answered from the SUBACK packet itself (onAck); this covers local refusals.
      const suback = (err as { packet?: { granted?: number[] } } | null)?.packet?.granted;
      if (suback) this.complete(req, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, 0, suback);
      else this.complete(req, err ? MV_MQTTREQUESTSTATE_INVALIDPARAMETERS : MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, 0, undefined);
    });
    this.awaitAck(req, messageId);
  }

  unsubscribe(correlationId: number, topics: readonly string[]): void {
    this.unsubscribesInFlight++;
    if (!this.transport.acceptsRequests) {
      this.answer({ type: MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE, requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, correlationId, reasonCodes: [] });
      return;
    }
    const req = this.open(MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE, correlationId);
    req.sent = topics;
    req.topics = topics;
    const messageId = this.transport.unsubscribe(topics as string[], (err, packet) =>
      this.complete(req, err ? MV_MQTTREQUESTSTATE_INVALIDPARAMETERS : MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, 0, (packet as { granted?: number[] } | undefined)?.granted),
    );
    this.awaitAck(req, messageId);
  }

  publish(correlationId: number, topic: string, payload: Buffer, qos: 0 | 1 | 2, retain: boolean): void {
    this.publishesInFlight++;
    const transport = this.transport;
    if (!transport.acceptsRequests) {
      this.answer({ type: MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE, requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, correlationId, reasonCode: 0 });
      return;
    }
    if (topic.length === 0 || topic.includes('+') || topic.includes('#')) {
      this.answer({ type: MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE, requestState: MV_MQTTREQUESTSTATE_INVALIDPARAMETERS, correlationId, reasonCode: 0 });
      return;
    }
    if (qos === 0) {
      // No per-message callback (one 'drain' listener per message collapses throughput). QoS 0
      // is complete once the socket took the bytes; while it is backed up, at its next 'drain',
      // as a device's send buffer must empty before it takes more. Without this wait an app
      // publishing in a loop never yields and the socket buffer grows without bound.
      transport.publish(topic, payload, 0, retain);
      if (!transport.backedUp) {
        this.answer({ type: MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE, requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, correlationId, reasonCode: 0 });
        return;
      }
      // Not pooled: the drain list may hold it past an answer (answered NOTCONNECTED if the connection ends first).
      const req = this.open(MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE, correlationId);
      this.publishesAwaitingDrain.push(req);
      transport.awaitDrainEvent();
      return;
    }
    const req = this.openPublish(correlationId);
    this.awaitAck(req, transport.publish(topic, payload, qos, retain, req.published));
  }

  /**
   * mqtt.js's callback for a publish. Normally the answer came from the ack packet already
   * (onAck); this covers what never gets one: a local refusal, the connection closing first,
   * a publish mqtt.js queued (it had no packet id during the call). A pooled object may since
   * have been reused: only a request still pending whose packet id the ack names is answered.
   */
  publishAnswered(req: PendingRequest, err: Error | undefined, packet: unknown): void {
    if (!req.live) return;
    const ackId = (packet as { messageId?: number } | undefined)?.messageId;
    if (ackId !== undefined && req.messageId !== 0 && ackId !== req.messageId) return;
    const rc = (err as { code?: unknown } | undefined)?.code;
    if (typeof rc === 'number') this.complete(req, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, rc, undefined);
    else this.complete(req, err ? MV_MQTTREQUESTSTATE_NOTCONNECTED : MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, 0, undefined);
  }

  /** Counts a disconnect request (its slot is freed when its response is read). */
  countDisconnect(): void {
    this.disconnectsInFlight++;
  }

  private open(type: ResponseType, correlationId: number): PendingRequest {
    const req = new PendingRequest(undefined);
    req.type = type;
    req.correlationId = correlationId;
    this.link(req);
    return req;
  }

  private openPublish(correlationId: number): PendingRequest {
    const req = this.freePublishes.pop() ?? new PendingRequest(this);
    req.correlationId = correlationId;
    req.messageId = 0;
    req.pubrecCode = 0;
    this.link(req);
    return req;
  }

  private link(req: PendingRequest): void {
    req.live = true;
    req.older = this.newest;
    req.newer = undefined;
    if (this.newest) this.newest.newer = req;
    else this.oldest = req;
    this.newest = req;
  }

  /** Takes a request off the pending list; false if it was not on it (answered already). */
  private unlink(req: PendingRequest): boolean {
    if (!req.live) return false;
    req.live = false;
    const { older, newer } = req;
    if (older) older.newer = newer;
    else this.oldest = newer;
    if (newer) newer.older = older;
    else this.newest = older;
    req.older = req.newer = undefined;
    if (req.messageId) this.byMessageId.delete(req.messageId);
    if (req.published) this.freePublishes.push(req);
    return true;
  }

  /** Remembers a request by the packet id mqtt.js gave it (unless it was answered during the call). */
  private awaitAck(req: PendingRequest, messageId: number): void {
    if (messageId !== 0 && req.live) {
      req.messageId = messageId;
      this.byMessageId.set(messageId, req);
    }
  }

  /**
   * Queues a request's response once (from the ack packet or from the mqtt.js callback,
   * whichever comes first). `code`: a publish's reason code; `codes`: a (un)subscribe's, in
   * the order the topics were sent.
   */
  private complete(req: PendingRequest, requestState: MvMqttRequestState, code: number, codes: readonly number[] | undefined): void {
    const { type, correlationId } = req;
    const sent = req.sent;
    const topics = req.topics;
    if (!this.unlink(req)) return;
    if (type === MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE) {
      this.answer({ type, requestState, correlationId, reasonCode: code });
      return;
    }
    let reasonCodes: number[] = [];
    if (requestState === MV_MQTTREQUESTSTATE_REQUESTCOMPLETED) {
      // One code per requested topic, in request order. MQTT 3.1.1 UNSUBACK has none: 0 (success) each.
      const byTopic = new Map<string, number>();
      sent?.forEach((topic, i) => byTopic.set(topic, codes?.[i] ?? 0));
      reasonCodes = (topics ?? []).map((t) => byTopic.get(t) ?? 0);
      // Codes below 0x80 grant (the QoS); the others refuse.
      if (type === MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE) topics?.forEach((t, i) => (reasonCodes[i] < 0x80 ? this.granted.set(t, reasonCodes[i]) : undefined));
      else topics?.forEach((t) => this.granted.delete(t));
    }
    this.answer({ type, requestState, correlationId, reasonCodes });
  }

  /** An ack packet for one of our requests, straight off the wire. */
  onAck(packet: Record<string, unknown>): void {
    const id = packet.messageId as number;
    const req = this.byMessageId.get(id);
    if (!req) return;
    const code = (packet.reasonCode as number | undefined) ?? 0;
    switch (packet.cmd) {
      case 'suback':
        if (req.type === MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE) this.complete(req, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, 0, packet.granted as number[] | undefined);
        break;
      case 'unsuback':
        if (req.type === MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE) this.complete(req, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, 0, packet.granted as number[] | undefined);
        break;
      case 'puback':
        if (req.type === MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE) this.complete(req, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, code, undefined);
        break;
      case 'pubrec':
        // QoS 2: a refusal ends the exchange here; otherwise keep the code for PUBCOMP.
        if (code >= 0x80) this.complete(req, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, code, undefined);
        else req.pubrecCode = code;
        break;
      case 'pubcomp':
        this.complete(req, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, req.pubrecCode || code, undefined);
        break;
    }
  }

  /** The socket drained: QoS 0 publishes waiting for it are complete. */
  drained(): void {
    const waiting = this.publishesAwaitingDrain;
    this.publishesAwaitingDrain = [];
    for (const r of waiting) this.complete(r, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, 0, undefined);
  }

  /** Every request still waiting for the broker gets its response now, with this state. */
  answerPending(requestState: MvMqttRequestState): void {
    let req = this.oldest;
    while (req) {
      const newer = req.newer;
      this.complete(req, requestState, 0, undefined);
      req = newer;
    }
  }

  /** The channel is gone: nothing is answered any more. */
  clear(): void {
    while (this.oldest) this.unlink(this.oldest);
    this.byMessageId.clear();
    this.awaitingAck.clear();
  }
}
