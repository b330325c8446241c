/**
 * A promise-based MQTT client on top of the Microvisor system calls. It does what a firmware
 * "work task" does: owns a notification centre and a network request, reads one record per
 * interrupt, reads one readable item per CHANNELDATAREADABLE record, and matches responses
 * to requests by correlation ID. It only uses `MvSyscalls` plus the NVIC, so it runs on the
 * emulated device (or anything else implementing the interface).
 */
import { EventEmitter } from 'node:events';
import {
  LAYOUTS,
  LIMITS,
  MV_CHANNELTYPE_MQTT,
  MV_EVENTTYPE_CHANNELDATAREADABLE,
  MV_EVENTTYPE_CHANNELNOTCONNECTED,
  MV_EVENTTYPE_NETWORKSTATUSCHANGED,
  MV_MQTTAUTHENTICATIONMETHOD_NONE,
  MV_MQTTAUTHENTICATIONMETHOD_USERNAMEPASSWORD,
  MV_MQTTPROTOCOLVERSION_V3_1_1,
  MV_MQTTPROTOCOLVERSION_V5,
  MV_MQTTLOSTMESSAGEREASON_DEVICERECEIVEBUFFERTOOSMALL,
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_MESSAGELOST,
  MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED,
  MV_MQTTREADABLEDATATYPE_NONE,
  MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE,
  MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE,
  MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
  MV_NETWORKSTATUS_CONNECTED,
  MV_STATUS_OKAY,
  MV_STATUS_RATELIMITED,
  decodeMvNotification,
  newMvMqttConnectResponse,
  newMvMqttDisconnectResponse,
  newMvMqttPublishResponse,
  out,
} from '@mvmqtt/sdk';
import type {
  MvChannelHandle,
  MvFunctionName,
  MvMqttLostMessageReason,
  MvMqttReadableDataType,
  MvMqttRequestState,
  MvNetworkHandle,
  MvNetworkStatus,
  MvNotificationHandle,
  MvSizedString,
  MvSyscalls,
  MvTlsCredentials,
} from '@mvmqtt/sdk';
import type { IrqController } from '../device.js';
import { MvConnectionLostError, MvRequestError, MvStatusError } from './errors.js';

/** What the client runs on: the system calls and the NVIC (the emulated `Device` is both). */
export interface ClientHost extends MvSyscalls {
  readonly nvic: IrqController;
}

export interface ClientOptions {
  /** IRQ for the client's notification centre (default 41). */
  irq?: number;
  /** Records in the notification ring (default 32). */
  notificationSlots?: number;
  /** Channel receive buffer: the largest topic + payload that can be received (default 7168, as in the vendor demo). */
  receiveBufferSize?: number;
  /** Channel send buffer (default 4096). */
  sendBufferSize?: number;
  /** Acknowledge QoS 1/2 messages as soon as they are read (default false: call `message.ack()`). */
  autoAck?: boolean;
}

export interface ConnectOptions {
  host: string;
  port: number;
  clientId: string;
  /** 5 for MQTT 5 (default), 4 for 3.1.1. */
  protocolVersion?: 4 | 5;
  username?: string;
  password?: string | Uint8Array;
  /** DER certificates and a PKCS#8 DER key, as Microvisor takes them. `{}` means TLS with the bundled roots. */
  tls?: { ca?: Uint8Array[]; cert?: Uint8Array[]; key?: Uint8Array };
  keepalive?: number;
  /** Default true. */
  cleanStart?: boolean;
  will?: { topic: string; payload: string | Uint8Array; qos?: 0 | 1; retain?: boolean };
}

export interface SubscribeOptions {
  qos?: 0 | 1;
  noLocal?: boolean;
  retainAsPublished?: boolean;
  retainHandling?: 0 | 1 | 2;
}

export interface PublishOptions {
  qos?: 0 | 1 | 2;
  retain?: boolean;
}

export interface ReceivedMessage {
  topic: string;
  payload: Uint8Array;
  qos: number;
  retain: boolean;
  correlationId: number;
  /** Acknowledge a QoS 1/2 message (no-op for QoS 0 or with autoAck). */
  ack(): void;
}

export interface LostMessage {
  topic: string;
  /** Topic plus payload bytes: the receive buffer needed. */
  length: number;
}

export interface DisconnectInfo {
  requestState: MvMqttRequestState;
  disconnectCode: number;
  /** true when the app asked for it. */
  requested: boolean;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

type Slot = 'publish' | 'subscribe' | 'unsubscribe';

const sized = (v: string | Uint8Array | undefined): MvSizedString =>
  v === undefined ? { data: null, length: 0 } : { data: v, length: typeof v === 'string' ? Buffer.byteLength(v) : v.byteLength };

const decoder = new TextDecoder();
/** One notification record, in the device layout (16 bytes). */
const RECORD_SIZE = LAYOUTS.MvNotification.arm32.size;
const TOPICS_MAX = LIMITS.MQTT_TOPICS_PER_REQUEST_MAX.value;

export class MvMqttClient extends EventEmitter<{
  lost: [LostMessage];
  disconnect: [DisconnectInfo];
  network: [MvNetworkStatus];
}> {
  private readonly ring: Uint8Array;
  private readonly center: MvNotificationHandle;
  private readonly network: MvNetworkHandle;
  private readonly irq: number;
  private readIndex = 0;
  private readonly work: { event: number; tag: number }[] = [];
  private pumping = false;

  private channel: MvChannelHandle | undefined;
  private channelTag = 0x100;
  private readonly rx: Uint8Array;
  private readonly tx: Uint8Array;
  private readonly topicBuf: Uint8Array;
  private readonly payloadBuf: Uint8Array;
  private readonly codes = new Uint32Array(TOPICS_MAX);
  private nextCorrelation = 1;

  private connecting: Waiter<void> | undefined;
  private disconnecting: Waiter<void> | undefined;
  private readonly pending = new Map<number, Waiter<number[]> & { kind: 'subscribe' | 'unsubscribe' | 'publish' }>();
  private readonly slotWaiters: Record<Slot, (() => void)[]> = { publish: [], subscribe: [], unsubscribe: [] };
  private readonly inbox: ReceivedMessage[] = [];
  private inboxWaiter: ((m: ReceivedMessage | undefined) => void) | undefined;
  private ended = false;
  private readonly autoAck: boolean;

  constructor(
    private readonly host: ClientHost,
    options: ClientOptions = {},
  ) {
    super();
    this.irq = options.irq ?? 41;
    const slots = options.notificationSlots ?? 32;
    this.autoAck = options.autoAck ?? false;
    this.ring = new Uint8Array(slots * RECORD_SIZE);
    this.rx = new Uint8Array(options.receiveBufferSize ?? 7168);
    this.tx = new Uint8Array(options.sendBufferSize ?? 4096);
    this.topicBuf = new Uint8Array(this.rx.byteLength);
    this.payloadBuf = new Uint8Array(this.rx.byteLength);

    const centerOut = out(0 as MvNotificationHandle);
    this.check('mvSetupNotifications', host.mvSetupNotifications({ irq: this.irq, buffer: this.ring, buffer_size: this.ring.byteLength }, centerOut));
    this.center = centerOut.value;
    host.nvic.setHandler(this.irq, () => this.onIrq(slots));
    host.nvic.clearPending(this.irq);
    host.nvic.enable(this.irq);
    const netOut = out(0 as MvNetworkHandle);
    this.check('mvRequestNetwork', host.mvRequestNetwork({ version: 1, v1: { notification_handle: this.center, notification_tag: 1 } }, netOut));
    this.network = netOut.value;
  }

  /** Whether the Microvisor network is up right now. */
  get networkConnected(): boolean {
    const s = out<MvNetworkStatus>(MV_NETWORKSTATUS_CONNECTED);
    this.check('mvGetNetworkStatus', this.host.mvGetNetworkStatus(this.network, s));
    return s.value === MV_NETWORKSTATUS_CONNECTED;
  }

  get connected(): boolean {
    return this.channel !== undefined && !this.ended && this.connecting === undefined;
  }

  /** Opens a channel and connects; rejects with MvRequestError if the broker or Microvisor refuses. */
  async connect(o: ConnectOptions): Promise<void> {
    if (this.channel !== undefined) throw new Error('already connected: disconnect() first');
    this.channelTag = (this.channelTag + 1) >>> 0;
    this.ended = false;
    const h = out(0 as MvChannelHandle);
    for (;;) {
      const s = this.host.mvOpenChannel(
        {
          version: 1,
          v1: {
            notification_handle: this.center,
            notification_tag: this.channelTag,
            network_handle: this.network,
            receive_buffer: this.rx,
            receive_buffer_len: this.rx.byteLength,
            send_buffer: this.tx,
            send_buffer_len: this.tx.byteLength,
            channel_type: MV_CHANNELTYPE_MQTT,
            endpoint: { data: null, length: 0 },
          },
        },
        h,
      );
      if (s !== MV_STATUS_RATELIMITED) {
        this.check('mvOpenChannel', s);
        break;
      }
      await new Promise((r) => setTimeout(r, LIMITS.CHANNEL_OPEN_RATE.windowMs)); // the documented advice: wait, retry
    }
    this.channel = h.value;
    const tls: MvTlsCredentials | null = o.tls
      ? {
          cacert: { num_certs: o.tls.ca?.length ?? 0, certs: o.tls.ca?.map((c) => sized(c)) ?? null },
          clientcert: { chain: { num_certs: o.tls.cert?.length ?? 0, certs: o.tls.cert?.map((c) => sized(c)) ?? null }, key: sized(o.tls.key) },
        }
      : null;
    const userPass = o.username !== undefined;
    const done = new Promise<void>((resolve, reject) => (this.connecting = { resolve, reject }));
    const s = this.host.mvMqttRequestConnect(this.channel, {
      protocol_version: o.protocolVersion === 4 ? MV_MQTTPROTOCOLVERSION_V3_1_1 : MV_MQTTPROTOCOLVERSION_V5,
      host: sized(o.host),
      port: o.port,
      clientid: sized(o.clientId),
      authentication: {
        method: userPass ? MV_MQTTAUTHENTICATIONMETHOD_USERNAMEPASSWORD : MV_MQTTAUTHENTICATIONMETHOD_NONE,
        username_password: { username: sized(o.username), password: sized(o.password) },
      },
      tls_credentials: tls,
      keepalive: o.keepalive ?? 60,
      clean_start: o.cleanStart === false ? 0 : 1,
      will: o.will ? { topic: sized(o.will.topic), payload: sized(o.will.payload), qos: o.will.qos ?? 0, retain: o.will.retain ? 1 : 0 } : null,
    });
    if (s !== MV_STATUS_OKAY) {
      this.connecting = undefined;
      this.closeChannel();
      throw new MvStatusError('mvMqttRequestConnect', s);
    }
    try {
      await done;
    } catch (err) {
      this.closeChannel();
      throw err;
    }
  }

  /** Subscribes (one request, up to 8 topics); resolves with the broker's per-topic codes (granted QoS). */
  async subscribe(topics: string | string[] | Record<string, SubscribeOptions>, options: SubscribeOptions = {}): Promise<number[]> {
    const entries: [string, SubscribeOptions][] =
      typeof topics === 'string' ? [[topics, options]] : Array.isArray(topics) ? topics.map((t) => [t, options]) : Object.entries(topics);
    const subscriptions = entries.map(([topic, o]) => ({
      topic: sized(topic),
      desired_qos: o.qos ?? 0,
      nl: o.noLocal ? 1 : 0,
      rap: o.retainAsPublished ? 1 : 0,
      rh: o.retainHandling ?? 0,
    }));
    return this.request('subscribe', 'mvMqttRequestSubscribe', (ch, correlation_id) =>
      this.host.mvMqttRequestSubscribe(ch, { correlation_id, subscriptions, num_subscriptions: subscriptions.length }),
    );
  }

  async unsubscribe(topics: string | string[]): Promise<number[]> {
    const list = (Array.isArray(topics) ? topics : [topics]).map((t) => sized(t));
    return this.request('unsubscribe', 'mvMqttRequestUnsubscribe', (ch, correlation_id) =>
      this.host.mvMqttRequestUnsubscribe(ch, { correlation_id, topics: list, num_topics: list.length }),
    );
  }

  /** Publishes; resolves with the broker's reason code (0, or 0x10 "no subscribers" with MQTT 5). Waits while too many publishes are in flight. */
  async publish(topic: string, payload: string | Uint8Array, options: PublishOptions = {}): Promise<number> {
    const t = sized(topic);
    const p = sized(payload);
    const [code] = await this.request('publish', 'mvMqttRequestPublish', (ch, correlation_id) =>
      this.host.mvMqttRequestPublish(ch, { correlation_id, topic: t, payload: p, desired_qos: options.qos ?? 0, retain: options.retain ? 1 : 0 }),
    );
    return code;
  }

  /** Messages as they arrive; the iteration ends when the session ends. */
  async *messages(): AsyncGenerator<ReceivedMessage, void, undefined> {
    for (;;) {
      const next = this.inbox.shift() ?? (this.ended ? undefined : await new Promise<ReceivedMessage | undefined>((r) => (this.inboxWaiter = r)));
      if (!next) return;
      yield next;
    }
  }

  /** Asks the broker to end the session, waits for the response, then closes the channel. */
  async disconnect(): Promise<void> {
    const ch = this.channel;
    if (ch === undefined) return;
    if (!this.ended) {
      const done = new Promise<void>((resolve, reject) => (this.disconnecting = { resolve, reject }));
      const s = this.host.mvMqttRequestDisconnect(ch);
      if (s === MV_STATUS_OKAY) await done.catch(() => undefined);
      this.disconnecting = undefined;
    }
    this.closeChannel();
  }

  /** Closes the channel (if any), releases the network request and the notification centre. */
  async close(): Promise<void> {
    await this.disconnect();
    const net = out(this.network);
    this.host.mvReleaseNetwork(net);
    const center = out(this.center);
    this.host.mvCloseNotifications(center);
    this.host.nvic.disable(this.irq);
    this.host.nvic.setHandler(this.irq, undefined);
  }

  // ------------------------------------------------------------------ internals

  private check(call: MvFunctionName, status: number): void {
    if (status !== MV_STATUS_OKAY) throw new MvStatusError(call, status as never);
  }

  private async request(kind: Slot, call: MvFunctionName, send: (ch: MvChannelHandle, correlationId: number) => number): Promise<number[]> {
    for (;;) {
      const ch = this.channel;
      if (ch === undefined || this.ended) throw new MvConnectionLostError('not connected');
      const correlationId = this.nextCorrelation;
      this.nextCorrelation = (this.nextCorrelation + 1) >>> 0 || 1;
      const result = new Promise<number[]>((resolve, reject) => this.pending.set(correlationId, { kind, resolve, reject }));
      const s = send(ch, correlationId);
      if (s === MV_STATUS_OKAY) return result;
      this.pending.delete(correlationId);
      result.catch(() => undefined);
      if (s !== MV_STATUS_RATELIMITED) throw new MvStatusError(call, s as never);
      // Too many of this kind in flight: wait until one of their responses has been read.
      await new Promise<void>((r) => this.slotWaiters[kind].push(r));
    }
  }

  private onIrq(slots: number): void {
    const rec = decodeMvNotification(this.ring, this.readIndex * RECORD_SIZE);
    this.readIndex = (this.readIndex + 1) % slots;
    // Interrupt context: just queue the record; the work runs after the handler returns.
    this.work.push({ event: rec.event_type, tag: rec.tag });
    if (!this.pumping) {
      this.pumping = true;
      queueMicrotask(() => this.pump());
    }
  }

  private pump(): void {
    this.pumping = false;
    for (let w = this.work.shift(); w; w = this.work.shift()) {
      if (w.event === MV_EVENTTYPE_NETWORKSTATUSCHANGED) {
        const s = out<MvNetworkStatus>(MV_NETWORKSTATUS_CONNECTED);
        if (this.host.mvGetNetworkStatus(this.network, s) === MV_STATUS_OKAY) this.emit('network', s.value);
      } else if (w.tag === this.channelTag && this.channel !== undefined) {
        if (w.event === MV_EVENTTYPE_CHANNELDATAREADABLE) {
          try {
            this.readOne(this.channel);
          } catch (err) {
            this.endSession(err as Error); // a read call failed: the session cannot be trusted any more
          }
        } else if (w.event === MV_EVENTTYPE_CHANNELNOTCONNECTED) this.endSession(new MvConnectionLostError('channel not connected (network loss)'));
      }
    }
  }

  /** One CHANNELDATAREADABLE record: read exactly one item. */
  private readOne(ch: MvChannelHandle): void {
    const type = out<MvMqttReadableDataType>(MV_MQTTREADABLEDATATYPE_NONE);
    if (this.host.mvMqttGetNextReadableDataType(ch, type) !== MV_STATUS_OKAY) {
      this.endSession(new MvConnectionLostError('channel closed'));
      return;
    }
    switch (type.value) {
      case MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE: {
        const r = newMvMqttConnectResponse();
        this.check('mvMqttReadConnectResponse', this.host.mvMqttReadConnectResponse(ch, r));
        const waiter = this.connecting;
        this.connecting = undefined;
        if (r.request_state === MV_MQTTREQUESTSTATE_REQUESTCOMPLETED && r.reason_code === 0) waiter?.resolve();
        else {
          this.ended = true;
          waiter?.reject(new MvRequestError('connect', r.request_state, r.reason_code));
        }
        break;
      }
      case MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE:
      case MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE: {
        const isSub = type.value === MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE;
        const state = out<MvMqttRequestState>(MV_MQTTREQUESTSTATE_REQUESTCOMPLETED);
        const corr = out(0);
        const len = out(0);
        const resp = { request_state: state, correlation_id: corr, reason_codes: this.codes, reason_codes_size: this.codes.byteLength, reason_codes_len: len };
        if (isSub) this.check('mvMqttReadSubscribeResponse', this.host.mvMqttReadSubscribeResponse(ch, resp));
        else this.check('mvMqttReadUnsubscribeResponse', this.host.mvMqttReadUnsubscribeResponse(ch, resp));
        const codes = Array.from(this.codes.subarray(0, len.value));
        this.settle(isSub ? 'subscribe' : 'unsubscribe', corr.value, state.value, codes, codes.some((c) => c >= 0x80));
        break;
      }
      case MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE: {
        const r = newMvMqttPublishResponse();
        this.check('mvMqttReadPublishResponse', this.host.mvMqttReadPublishResponse(ch, r));
        this.settle('publish', r.correlation_id, r.request_state, [r.reason_code], r.reason_code >= 0x80);
        break;
      }
      case MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED:
        this.receive(ch);
        break;
      case MV_MQTTREADABLEDATATYPE_MESSAGELOST: {
        const len = out(0);
        const topicLen = out(0);
        const reason = out<MvMqttLostMessageReason>(MV_MQTTLOSTMESSAGEREASON_DEVICERECEIVEBUFFERTOOSMALL);
        this.check(
          'mvMqttReceiveLostMessageInfo',
          this.host.mvMqttReceiveLostMessageInfo(ch, { reason, topic: { data: this.topicBuf, size: this.topicBuf.byteLength, length: topicLen }, message_len: len }),
        );
        this.emit('lost', { topic: decoder.decode(this.topicBuf.subarray(0, topicLen.value)), length: len.value });
        break;
      }
      case MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE: {
        const r = newMvMqttDisconnectResponse();
        this.check('mvMqttReadDisconnectResponse', this.host.mvMqttReadDisconnectResponse(ch, r));
        const requested = this.disconnecting !== undefined;
        this.emit('disconnect', { requestState: r.request_state, disconnectCode: r.disconnect_code, requested });
        this.endSession(new MvConnectionLostError('disconnected', r.request_state, r.disconnect_code));
        this.disconnecting?.resolve();
        break;
      }
    }
  }

  private receive(ch: MvChannelHandle): void {
    const topicLen = out(0);
    const payloadLen = out(0);
    const corr = out(0);
    const qos = out(0);
    const retain = out(0);
    this.check(
      'mvMqttReceiveMessage',
      this.host.mvMqttReceiveMessage(ch, {
        correlation_id: corr,
        topic: { data: this.topicBuf, size: this.topicBuf.byteLength, length: topicLen },
        payload: { data: this.payloadBuf, size: this.payloadBuf.byteLength, length: payloadLen },
        qos,
        retain,
      }),
    );
    const correlationId = corr.value;
    let acked = qos.value === 0;
    const ack = (): void => {
      if (acked) return;
      acked = true;
      this.host.mvMqttAcknowledgeMessage(ch, correlationId);
    };
    if (this.autoAck) ack();
    const msg: ReceivedMessage = {
      topic: decoder.decode(this.topicBuf.subarray(0, topicLen.value)),
      payload: this.payloadBuf.slice(0, payloadLen.value),
      qos: qos.value,
      retain: retain.value !== 0,
      correlationId,
      ack,
    };
    const waiter = this.inboxWaiter;
    this.inboxWaiter = undefined;
    if (waiter) waiter(msg);
    else this.inbox.push(msg);
  }

  private settle(kind: Slot, correlationId: number, state: MvMqttRequestState, codes: number[], refused: boolean): void {
    const waiter = this.pending.get(correlationId);
    if (waiter) {
      this.pending.delete(correlationId);
      if (state !== MV_MQTTREQUESTSTATE_REQUESTCOMPLETED || refused) waiter.reject(new MvRequestError(kind, state, codes[0] ?? 0, codes));
      else waiter.resolve(codes);
    }
    for (const wake of this.slotWaiters[kind].splice(0)) wake();
  }

  private endSession(err: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.connecting?.reject(err);
    this.connecting = undefined;
    for (const w of this.pending.values()) w.reject(err);
    this.pending.clear();
    for (const kind of ['publish', 'subscribe', 'unsubscribe'] as const) for (const wake of this.slotWaiters[kind].splice(0)) wake();
    const waiter = this.inboxWaiter;
    this.inboxWaiter = undefined;
    waiter?.(undefined);
    this.disconnecting?.resolve();
  }

  private closeChannel(): void {
    const ch = this.channel;
    if (ch === undefined) return;
    this.endSession(new MvConnectionLostError('channel closed by the application'));
    this.channel = undefined;
    this.host.mvCloseChannel(out(ch));
  }
}
