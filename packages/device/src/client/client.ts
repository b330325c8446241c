/**
 * A promise-based MQTT client on top of the Microvisor system calls. It does what a firmware
 * "work task" does: owns a notification centre and a network request, reads one record per
 * interrupt, reads one readable item per CHANNELDATAREADABLE record, and matches responses
 * to requests by correlation ID. It only uses `MvSyscalls` plus the NVIC, so it runs on the
 * emulated device (or anything else implementing the interface).
 *
 * On top of that it gives what mqtt.js users expect: optional automatic reconnection with
 * backoff and resubscription, any number of message consumers, per-topic subscribe results,
 * named reason codes, PEM credentials, and one error class for "the session is gone".
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
  MV_MQTTREQUESTSTATE_INVALIDPARAMETERS,
  MV_MQTTREQUESTSTATE_NOTCONNECTED,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
  MV_NETWORKSTATUS_CONNECTED,
  MV_STATUS_INVALIDINTERRUPT,
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
  MvStatus,
  MvSyscalls,
  MvTlsCredentials,
} from '@mvmqtt/sdk';
import { topicProblem, type TopicKind } from '@mvmqtt/sdk/runtime';
import type { IrqController } from '../device.js';
import { credentialHint, toDer, type Credential, type DerCredentials } from './credentials.js';
import {
  MvConnectionLostError,
  MvRequestError,
  MvStatusError,
  MvSubscribeError,
  type DisconnectCause,
  type SubscribeResult,
  type UnsubscribeResult,
} from './errors.js';
import { MessageStream } from './message-stream.js';
import { describeReasonCode, isRefusal, reasonCodeName } from './reason-codes.js';

/** What the client runs on: the system calls and the NVIC (the emulated `Device` is both). */
export interface ClientHost extends MvSyscalls {
  readonly nvic: IrqController;
}

/** MQTT quality of service: at most once, at least once, exactly once. */
export type QoS = 0 | 1 | 2;
/** MQTT 3.1.1 (4) or MQTT 5 (5), as mqtt.js numbers them. */
export type ProtocolVersion = 4 | 5;
/**
 * 3.1.1, as mqtt.js and `npm start` default to: every broker speaks it. Pass `protocolVersion: 5`
 * for broker reason codes on publish and unsubscribe, and the MQTT 5 subscription options.
 */
export const DEFAULT_PROTOCOL_VERSION: ProtocolVersion = 4;

export interface ClientOptions {
  /** IRQ for the client's notification centre (default 41). Each client on a device needs its own. */
  irq?: number | undefined;
  /** Records in the notification ring (default 32). */
  notificationSlots?: number | undefined;
  /** Channel receive buffer: the largest topic + payload that can be received (default 7168, as in the vendor demo). */
  receiveBufferSize?: number | undefined;
  /** Channel send buffer (default 4096). */
  sendBufferSize?: number | undefined;
  /** Acknowledge QoS 1/2 messages as soon as they are read (default false: call `message.ack()`). */
  autoAck?: boolean | undefined;
}

/** Automatic reconnection after the broker or the network goes away. */
export interface ReconnectOptions {
  /** Wait before the first attempt, in ms (default 1000, mqtt.js's `reconnectPeriod`). */
  initialDelayMs?: number | undefined;
  /** The wait doubles after each failed attempt up to this, in ms (default 30000). */
  maxDelayMs?: number | undefined;
  /** Give up after this many failed attempts in a row (default: never). */
  maxAttempts?: number | undefined;
}

export interface ConnectOptions {
  host: string;
  port: number;
  clientId: string;
  /** 4 for MQTT 3.1.1 (default, see `DEFAULT_PROTOCOL_VERSION`), 5 for MQTT 5. */
  protocolVersion?: ProtocolVersion | undefined;
  username?: string | undefined;
  password?: string | Uint8Array | undefined;
  /**
   * TLS. Certificates and the key may be DER bytes or PEM (text or file bytes; a PEM bundle may
   * hold several certificates); PEM is converted to DER and the key to PKCS#8 DER, as Microvisor
   * takes them. `{}` means TLS with the bundled roots.
   */
  tls?: { ca?: Credential[] | undefined; cert?: Credential[] | undefined; key?: Credential | undefined } | undefined;
  keepalive?: number | undefined;
  /** Default true. */
  cleanStart?: boolean | undefined;
  will?: { topic: string; payload: string | Uint8Array; qos?: 0 | 1 | undefined; retain?: boolean | undefined } | undefined;
  /**
   * Reconnect by itself when the session is lost (not after `disconnect()`): wait, open a new
   * channel, connect, subscribe again to every topic subscribed before. `true` uses the defaults.
   * Default false: the session ends, `connected` turns false, and calling `connect()` again is
   * the manual path.
   */
  reconnect?: boolean | ReconnectOptions | undefined;
}

export interface SubscribeOptions {
  qos?: 0 | 1 | undefined;
  noLocal?: boolean | undefined;
  retainAsPublished?: boolean | undefined;
  retainHandling?: 0 | 1 | 2 | undefined;
}

export interface PublishOptions {
  qos?: QoS | undefined;
  retain?: boolean | undefined;
}

export interface ReceivedMessage {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  correlationId: number;
  /** Acknowledge a QoS 1/2 message (no-op for QoS 0, with autoAck, or when already acknowledged). */
  ack(): void;
}

export interface LostMessage {
  topic: string;
  /** Topic plus payload bytes: the receive buffer needed. */
  length: number;
}

export interface DisconnectInfo {
  /** Who ended it: the application (`disconnect()`), the broker (or its going away), or a network loss. */
  cause: DisconnectCause;
  /** true when the app asked for it. */
  requested: boolean;
  /** From the disconnect response; `NOTCONNECTED` when the broker or network ended the session. */
  requestState: MvMqttRequestState;
  /** The broker's MQTT 5 DISCONNECT reason code, 0 otherwise. */
  disconnectCode: number;
  /** The error pending requests were rejected with (undefined when the application asked). */
  error: MvConnectionLostError | undefined;
  /** Whether the client is about to reconnect by itself. */
  willReconnect: boolean;
}

export interface ReconnectingInfo {
  /** 1 for the first attempt after a loss. */
  attempt: number;
  /** How long the client waits before this attempt. */
  delayMs: number;
  /** Why the previous attempt failed (undefined before the first). */
  error: Error | undefined;
}

export interface ReconnectedInfo {
  attempt: number;
  /** The topics subscribed again, with the broker's answer for each. */
  resubscribed: SubscribeResult[];
}

export interface ClientEvents {
  /** Every message, as it is read (also delivered to each `messages()` iterator). */
  message: [ReceivedMessage];
  lost: [LostMessage];
  /** The session ended, for any reason (once per session). */
  disconnect: [DisconnectInfo];
  /** Automatic reconnection: an attempt is about to be made. */
  reconnecting: [ReconnectingInfo];
  /** Automatic reconnection succeeded and the subscriptions were renewed. */
  reconnect: [ReconnectedInfo];
  /** Automatic reconnection gave up (`maxAttempts`); the client stays disconnected. */
  reconnectFailed: [Error];
  network: [MvNetworkStatus];
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

type Slot = 'publish' | 'subscribe' | 'unsubscribe';
interface Pending extends Waiter<number[]> {
  kind: Slot;
}

const sized = (v: string | Uint8Array | undefined): MvSizedString =>
  v === undefined ? { data: null, length: 0 } : { data: v, length: typeof v === 'string' ? Buffer.byteLength(v) : v.byteLength };

const decoder = new TextDecoder();
/** One notification record, in the device layout (16 bytes). */
const RECORD_SIZE = LAYOUTS.MvNotification.arm32.size;
const TOPICS_MAX = LIMITS.MQTT_TOPICS_PER_REQUEST_MAX.value;
const IRQ_RANGE = LIMITS.NOTIFICATION_IRQ_RANGE;
const RECONNECT_DEFAULTS = { initialDelayMs: 1000, maxDelayMs: 30_000 } as const;

/** The tag of the network request's notifications; channels count up from 0x100. */
const NETWORK_TAG = 1;

export class MvMqttClient extends EventEmitter<ClientEvents> {
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
  private readonly autoAck: boolean;

  /** The session: set while a channel is connecting or connected. */
  private sessionLive = false;
  private protocolVersion: ProtocolVersion = DEFAULT_PROTOCOL_VERSION;
  private connecting: Waiter<void> | undefined;
  private disconnecting: Waiter<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly slotWaiters: Record<Slot, (() => void)[]> = { publish: [], subscribe: [], unsubscribe: [] };

  /** What `connect()` was last given, for reconnecting. */
  private lastConnect: ConnectOptions | undefined;
  /** Topics subscribed in this client's sessions (granted), to subscribe again after a reconnect. */
  private readonly subscriptions = new Map<string, SubscribeOptions>();
  private reconnecting: Promise<void> | undefined;
  private stopReconnecting: (() => void) | undefined;
  private closed = false;

  private readonly streams = new Set<MessageStream<ReceivedMessage>>();
  /** Messages that arrived while nobody listened: the next `messages()` iterator gets them first. */
  private backlog: ReceivedMessage[] = [];

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
    const setup = host.mvSetupNotifications({ irq: this.irq, buffer: this.ring, buffer_size: this.ring.byteLength }, centerOut);
    if (setup === MV_STATUS_INVALIDINTERRUPT)
      throw new MvStatusError(
        'mvSetupNotifications',
        setup,
        `IRQ ${this.irq} is outside ${IRQ_RANGE.min}–${IRQ_RANGE.max} or already has a notification centre on this device (another MvMqttClient?); give each client its own line: new MvMqttClient(device, { irq: ${this.irq === IRQ_RANGE.max ? IRQ_RANGE.min : this.irq + 1} })`,
      );
    this.check('mvSetupNotifications', setup);
    this.center = centerOut.value;
    host.nvic.setHandler(this.irq, () => this.onIrq(slots));
    host.nvic.clearPending(this.irq);
    host.nvic.enable(this.irq);
    const netOut = out(0 as MvNetworkHandle);
    this.check('mvRequestNetwork', host.mvRequestNetwork({ version: 1, v1: { notification_handle: this.center, notification_tag: NETWORK_TAG } }, netOut));
    this.network = netOut.value;
  }

  /** Whether the Microvisor network is up right now. */
  get networkConnected(): boolean {
    const s = out<MvNetworkStatus>(MV_NETWORKSTATUS_CONNECTED);
    this.check('mvGetNetworkStatus', this.host.mvGetNetworkStatus(this.network, s));
    return s.value === MV_NETWORKSTATUS_CONNECTED;
  }

  /** A session is up: requests can be made. */
  get connected(): boolean {
    return this.sessionLive && this.connecting === undefined;
  }

  /** Automatic reconnection is under way (see `ConnectOptions.reconnect`). */
  get reconnectingNow(): boolean {
    return this.reconnecting !== undefined;
  }

  /**
   * Opens a channel and connects. Rejects with `MvRequestError` when Microvisor or the broker
   * refuses (the reason code named), `MvStatusError` when a system call refuses. Calling it
   * again after the session was lost is the manual way to reconnect.
   */
  async connect(o: ConnectOptions): Promise<void> {
    if (this.closed) throw new Error('this client is closed: create a new MvMqttClient');
    if (this.sessionLive) throw new Error('already connected: disconnect() first');
    if (this.reconnecting) throw new Error('reconnecting automatically: wait for the reconnect event, or disconnect() first');
    this.closeChannel(); // the channel of a session that was lost, if any
    this.subscriptions.clear(); // a new session by the application's hand: it subscribes itself
    this.lastConnect = o;
    await this.open(o);
  }

  /**
   * Subscribes (one request, up to 8 topics); resolves with the broker's answer per topic. When
   * some topics are refused it rejects with `MvSubscribeError`, which names them and their codes
   * (its `results` also holds the granted ones, which are live).
   */
  async subscribe(topics: string | string[] | Record<string, SubscribeOptions>, options: SubscribeOptions = {}): Promise<SubscribeResult[]> {
    const entries: [string, SubscribeOptions][] =
      typeof topics === 'string' ? [[topics, options]] : Array.isArray(topics) ? topics.map((t) => [t, options]) : Object.entries(topics);
    const results = await this.subscribeEntries(entries);
    if (results.some((r) => !r.granted)) throw new MvSubscribeError(results, this.protocolVersion);
    return results;
  }

  /** Unsubscribes (one request, up to 8 topics); resolves with the broker's answer per topic. */
  async unsubscribe(topics: string | string[]): Promise<UnsubscribeResult[]> {
    const list = Array.isArray(topics) ? topics : [topics];
    this.checkTopics('filter', 'mvMqttRequestUnsubscribe', list);
    const codes = await this.request('unsubscribe', 'mvMqttRequestUnsubscribe', (ch, correlation_id) =>
      this.host.mvMqttRequestUnsubscribe(ch, { correlation_id, topics: list.map((t) => sized(t)), num_topics: list.length }),
    );
    const results = list.map((topic, i) => ({ topic, reasonCode: codes[i] ?? 0, reason: reasonCodeName('unsubscribe', codes[i] ?? 0, this.protocolVersion) }));
    for (const r of results) if (!isRefusal('unsubscribe', r.reasonCode)) this.subscriptions.delete(r.topic);
    const refused = results.filter((r) => isRefusal('unsubscribe', r.reasonCode));
    if (refused.length > 0)
      throw new MvRequestError('unsubscribe', MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, refused[0].reasonCode, codes, this.protocolVersion,
        `unsubscribe refused for ${refused.map((r) => `'${r.topic}' (${describeReasonCode('unsubscribe', r.reasonCode, this.protocolVersion)})`).join(', ')}`);
    return results;
  }

  /**
   * Publishes; resolves with the broker's reason code (0, or with MQTT 5 0x10 "no matching
   * subscribers"); a refusal (0x80 and above) rejects with `MvRequestError` naming it. Waits while
   * too many publishes are in flight.
   */
  async publish(topic: string, payload: string | Uint8Array, options: PublishOptions = {}): Promise<number> {
    this.checkTopics('name', 'mvMqttRequestPublish', [topic]);
    const t = sized(topic);
    const p = sized(payload);
    const [code = 0] = await this.request('publish', 'mvMqttRequestPublish', (ch, correlation_id) =>
      this.host.mvMqttRequestPublish(ch, { correlation_id, topic: t, payload: p, desired_qos: options.qos ?? 0, retain: options.retain ? 1 : 0 }),
    );
    if (isRefusal('publish', code))
      throw new MvRequestError('publish', MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, code, [code], this.protocolVersion,
        `publish to '${topic}' refused by the broker: ${describeReasonCode('publish', code, this.protocolVersion)}`);
    return code;
  }

  /**
   * The messages as they arrive. Every iterator gets every message (any number of consumers;
   * `break` leaves without disturbing the others). Iterators end on `disconnect()`, `close()`,
   * and when the session is lost and the client is not reconnecting by itself; across an
   * automatic reconnection they keep going. Messages that arrived while nobody listened (no
   * iterator, no `message` listener) go to the next iterator first.
   */
  messages(): AsyncIterableIterator<ReceivedMessage> {
    const stream = new MessageStream<ReceivedMessage>(() => this.streams.delete(stream));
    if (this.closed) {
      stream.end();
      return stream;
    }
    for (const m of this.backlog) stream.push(m);
    this.backlog = [];
    this.streams.add(stream);
    return stream;
  }

  /** Ends the session: stops reconnecting, asks the broker to disconnect, waits for the response, closes the channel. */
  async disconnect(): Promise<void> {
    this.stopReconnecting?.();
    await this.reconnecting;
    const ch = this.channel;
    if (ch !== undefined && this.sessionLive) {
      const done = new Promise<void>((resolve, reject) => (this.disconnecting = { resolve, reject }));
      const s = this.host.mvMqttRequestDisconnect(ch);
      if (s === MV_STATUS_OKAY) await done.catch(() => undefined);
      this.disconnecting = undefined;
    }
    this.closeChannel();
    this.endStreams();
  }

  /** Disconnects, then releases the network request and the notification centre (and its IRQ). */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.disconnect();
    this.closed = true;
    this.host.mvReleaseNetwork(out(this.network));
    this.host.mvCloseNotifications(out(this.center));
    this.host.nvic.disable(this.irq);
    this.host.nvic.setHandler(this.irq, undefined);
  }

  // ------------------------------------------------------------------ connecting

  /** One connect: a fresh channel and a connect request; resolves once the broker accepted. */
  private async open(o: ConnectOptions): Promise<void> {
    const creds: DerCredentials | undefined = o.tls ? toDer(o.tls) : undefined;
    this.protocolVersion = o.protocolVersion ?? DEFAULT_PROTOCOL_VERSION;
    this.channelTag = (this.channelTag + 1) >>> 0;
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
    this.sessionLive = true;
    const tls: MvTlsCredentials | null = creds
      ? {
          cacert: { num_certs: creds.ca?.length ?? 0, certs: creds.ca?.map((c) => sized(c)) ?? null },
          clientcert: { chain: { num_certs: creds.cert?.length ?? 0, certs: creds.cert?.map((c) => sized(c)) ?? null }, key: sized(creds.key) },
        }
      : null;
    const userPass = o.username !== undefined;
    const done = new Promise<void>((resolve, reject) => (this.connecting = { resolve, reject }));
    const s = this.host.mvMqttRequestConnect(this.channel, {
      protocol_version: this.protocolVersion === 4 ? MV_MQTTPROTOCOLVERSION_V3_1_1 : MV_MQTTPROTOCOLVERSION_V5,
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
      if (err instanceof MvRequestError && err.requestState === MV_MQTTREQUESTSTATE_INVALIDPARAMETERS && creds)
        throw new MvRequestError('connect', err.requestState, err.reasonCode, [], this.protocolVersion, `connect failed: ${err.requestStateName}: ${credentialHint(creds)}`);
      throw err;
    }
  }

  private async subscribeEntries(entries: [string, SubscribeOptions][]): Promise<SubscribeResult[]> {
    this.checkTopics('filter', 'mvMqttRequestSubscribe', entries.map(([t]) => t));
    const subscriptions = entries.map(([topic, o]) => ({
      topic: sized(topic),
      desired_qos: o.qos ?? 0,
      nl: o.noLocal ? 1 : 0,
      rap: o.retainAsPublished ? 1 : 0,
      rh: o.retainHandling ?? 0,
    }));
    const codes = await this.request('subscribe', 'mvMqttRequestSubscribe', (ch, correlation_id) =>
      this.host.mvMqttRequestSubscribe(ch, { correlation_id, subscriptions, num_subscriptions: subscriptions.length }),
    );
    return entries.map(([topic, o], i) => {
      const reasonCode = codes[i] ?? 0x80;
      const granted = !isRefusal('subscribe', reasonCode);
      if (granted) this.subscriptions.set(topic, o);
      return { topic, reasonCode, reason: reasonCodeName('subscribe', reasonCode, this.protocolVersion), granted };
    });
  }

  /** The session was lost: wait, reconnect, subscribe again; repeat with a doubling wait until it works or is stopped. */
  private async reconnectLoop(o: ConnectOptions, policy: ReconnectOptions): Promise<void> {
    let stopped = false;
    let wake = (): void => undefined;
    this.stopReconnecting = () => {
      stopped = true;
      wake();
    };
    let delay = policy.initialDelayMs ?? RECONNECT_DEFAULTS.initialDelayMs;
    const maxDelay = policy.maxDelayMs ?? RECONNECT_DEFAULTS.maxDelayMs;
    let error: Error | undefined;
    for (let attempt = 1; !stopped; attempt++) {
      this.emit('reconnecting', { attempt, delayMs: delay, error });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (stopped) break;
      try {
        this.closeChannel();
        await this.open(o);
        const topics = [...this.subscriptions.entries()];
        const resubscribed: SubscribeResult[] = [];
        for (let i = 0; i < topics.length; i += TOPICS_MAX) resubscribed.push(...(await this.subscribeEntries(topics.slice(i, i + TOPICS_MAX))));
        this.emit('reconnect', { attempt, resubscribed });
        return;
      } catch (err) {
        error = err as Error;
        this.closeChannel();
        if (policy.maxAttempts !== undefined && attempt >= policy.maxAttempts) {
          this.emit('reconnectFailed', error);
          this.endStreams();
          return;
        }
        delay = Math.min(maxDelay, delay * 2);
      }
    }
  }

  private startReconnecting(): void {
    const o = this.lastConnect;
    const policy = o?.reconnect;
    // Lost again while renewing the subscriptions: the running loop sees the failure and tries again.
    if (!o || !policy || this.closed || this.reconnecting) return;
    this.reconnecting = this.reconnectLoop(o, policy === true ? {} : policy).finally(() => {
      this.reconnecting = undefined;
      this.stopReconnecting = undefined;
    });
  }

  // ------------------------------------------------------------------ internals

  private check(call: MvFunctionName, status: number): void {
    if (status !== MV_STATUS_OKAY) throw new MvStatusError(call, status as MvStatus);
  }

  /** Refuses topics MQTT does not allow before any call, with the reason (the device would give only the status). */
  private checkTopics(kind: TopicKind, call: MvFunctionName, topics: readonly string[]): void {
    for (const t of topics) {
      const problem = topicProblem(kind, t);
      if (problem) throw new MvStatusError(call, problem.status, `topic ${kind} '${t.length > 60 ? `${t.slice(0, 60)}…` : t}' ${problem.reason}`);
    }
  }

  private async request(kind: Slot, call: MvFunctionName, send: (ch: MvChannelHandle, correlationId: number) => number): Promise<number[]> {
    for (;;) {
      const ch = this.channel;
      if (ch === undefined || !this.connected)
        throw new MvConnectionLostError(this.reconnecting ? 'not connected (reconnecting)' : 'not connected', undefined, MV_MQTTREQUESTSTATE_NOTCONNECTED);
      const correlationId = this.nextCorrelation;
      this.nextCorrelation = (this.nextCorrelation + 1) >>> 0 || 1;
      const result = new Promise<number[]>((resolve, reject) => this.pending.set(correlationId, { kind, resolve, reject }));
      const s = send(ch, correlationId);
      if (s === MV_STATUS_OKAY) return result;
      this.pending.delete(correlationId);
      result.catch(() => undefined);
      if (s !== MV_STATUS_RATELIMITED) throw new MvStatusError(call, s as MvStatus);
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
            // A read call failed: the session cannot be trusted any more.
            this.sessionLost('broker', new MvConnectionLostError(`reading the channel failed: ${(err as Error).message}`, 'broker'), MV_MQTTREQUESTSTATE_NOTCONNECTED, 0);
          }
        } else if (w.event === MV_EVENTTYPE_CHANNELNOTCONNECTED) {
          this.sessionLost('network', new MvConnectionLostError('the network connection was lost', 'network', MV_MQTTREQUESTSTATE_NOTCONNECTED), MV_MQTTREQUESTSTATE_NOTCONNECTED, 0);
        }
      }
    }
  }

  /** One CHANNELDATAREADABLE record: read exactly one item. */
  private readOne(ch: MvChannelHandle): void {
    const type = out<MvMqttReadableDataType>(MV_MQTTREADABLEDATATYPE_NONE);
    if (this.host.mvMqttGetNextReadableDataType(ch, type) !== MV_STATUS_OKAY) {
      this.sessionLost('network', new MvConnectionLostError('the channel was closed', 'network', MV_MQTTREQUESTSTATE_NOTCONNECTED), MV_MQTTREQUESTSTATE_NOTCONNECTED, 0);
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
          this.sessionLive = false;
          waiter?.reject(new MvRequestError('connect', r.request_state, r.reason_code, [r.reason_code], this.protocolVersion));
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
        this.settle(isSub ? 'subscribe' : 'unsubscribe', corr.value, state.value, Array.from(this.codes.subarray(0, len.value)));
        break;
      }
      case MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE: {
        const r = newMvMqttPublishResponse();
        this.check('mvMqttReadPublishResponse', this.host.mvMqttReadPublishResponse(ch, r));
        this.settle('publish', r.correlation_id, r.request_state, [r.reason_code]);
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
        if (this.disconnecting) {
          this.sessionEnded({ cause: 'application', requested: true, requestState: r.request_state, disconnectCode: r.disconnect_code, error: undefined, willReconnect: false });
          this.disconnecting.resolve();
        } else {
          const code = r.disconnect_code ? `, ${describeReasonCode('disconnect', r.disconnect_code, this.protocolVersion)}` : '';
          this.sessionLost('broker', new MvConnectionLostError(`the broker ended the session${code}`, 'broker', r.request_state, r.disconnect_code), r.request_state, r.disconnect_code);
        }
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
      qos: qos.value as QoS,
      retain: retain.value !== 0,
      correlationId,
      ack,
    };
    if (this.streams.size === 0 && this.listenerCount('message') === 0) this.backlog.push(msg);
    for (const s of this.streams) s.push(msg);
    this.emit('message', msg);
  }

  private settle(kind: Slot, correlationId: number, state: MvMqttRequestState, codes: number[]): void {
    const waiter = this.pending.get(correlationId);
    if (waiter) {
      this.pending.delete(correlationId);
      if (state === MV_MQTTREQUESTSTATE_REQUESTCOMPLETED) waiter.resolve(codes);
      // The session went away under the request: the same error as every other request that meets a lost session.
      else if (state === MV_MQTTREQUESTSTATE_NOTCONNECTED) waiter.reject(new MvConnectionLostError(`${kind} answered NOTCONNECTED: the session is gone`, undefined, state));
      else waiter.reject(new MvRequestError(kind, state, codes[0] ?? 0, codes, this.protocolVersion));
    }
    for (const wake of this.slotWaiters[kind].splice(0)) wake();
  }

  /** The broker or the network ended the session: tell everyone, then reconnect if asked to. */
  private sessionLost(cause: DisconnectCause, error: MvConnectionLostError, requestState: MvMqttRequestState, disconnectCode: number): void {
    if (!this.sessionLive) return;
    if (this.connecting) {
      // Lost before the broker answered the connect: that connect failed; there was no session to report.
      this.sessionLive = false;
      this.connecting.reject(error);
      this.connecting = undefined;
      return;
    }
    const policy = this.lastConnect?.reconnect;
    const willReconnect = !this.closed && policy !== undefined && policy !== false;
    this.sessionEnded({ cause, requested: false, requestState, disconnectCode, error, willReconnect });
    if (willReconnect) this.startReconnecting();
    else this.endStreams();
  }

  /** Rejects whatever waits on the session and reports its end (once). */
  private sessionEnded(info: DisconnectInfo): void {
    if (!this.sessionLive) return;
    this.sessionLive = false;
    const err = info.error ?? new MvConnectionLostError('disconnected by the application', 'application', info.requestState, info.disconnectCode);
    this.connecting?.reject(err);
    this.connecting = undefined;
    for (const w of this.pending.values()) w.reject(err);
    this.pending.clear();
    for (const kind of ['publish', 'subscribe', 'unsubscribe'] as const) for (const wake of this.slotWaiters[kind].splice(0)) wake();
    this.emit('disconnect', info);
  }

  private endStreams(): void {
    for (const s of this.streams) s.end();
    this.streams.clear();
  }

  private closeChannel(): void {
    const ch = this.channel;
    if (ch === undefined) return;
    if (this.sessionLive) {
      // Closing a live channel ends the session without a DISCONNECT exchange.
      this.connecting?.reject(new MvConnectionLostError('channel closed by the application', 'application'));
      this.connecting = undefined;
      this.sessionEnded({ cause: 'application', requested: true, requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, disconnectCode: 0, error: new MvConnectionLostError('channel closed by the application', 'application'), willReconnect: false });
    }
    this.channel = undefined;
    this.host.mvCloseChannel(out(ch));
  }
}
