/**
 * A small MQTT application written against the system calls the way a Microvisor application
 * is: a notification centre whose IRQ handler reads one readable item per record, a network
 * request, one MQTT channel, connect, subscribe, publish with correlation IDs, receive +
 * acknowledge. It is the fleet's built-in firmware (telemetry.ts) and what the benchmarks
 * run on emulated devices. Every call's status is checked: a status other than OKAY throws
 * (in the IRQ handler too: the fleet counts it as a device failure).
 */
import {
  MV_CHANNELTYPE_MQTT,
  MV_MQTTAUTHENTICATIONMETHOD_NONE,
  MV_MQTTAUTHENTICATIONMETHOD_USERNAMEPASSWORD,
  MV_MQTTPROTOCOLVERSION_V3_1_1,
  MV_MQTTPROTOCOLVERSION_V5,
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_MESSAGELOST,
  MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED,
  MV_MQTTREADABLEDATATYPE_NONE,
  MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE,
  MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
  MV_STATUS_OKAY,
  out,
  statusName,
} from '@mvmqtt/sdk';
import type {
  MvChannelHandle,
  MvMqttConnectResponse,
  MvMqttDisconnectResponse,
  MvMqttLostMessageInfo,
  MvMqttMessage,
  MvMqttPublishRequest,
  MvMqttPublishResponse,
  MvMqttReadableDataType,
  MvMqttRequestState,
  MvMqttSubscribeResponse,
  MvNetworkHandle,
  MvNotificationHandle,
  MvSizedString,
} from '@mvmqtt/sdk';
import { Device } from '../../device.js';
import type { DeviceOptions } from '../../options.js';

export interface AppConfig {
  username?: string;
  password?: string;
  host: string;
  port: number;
  clientId: string;
  protocolVersion: 4 | 5;
  keepaliveS: number;
  /** Notification ring size in records (16 bytes each). */
  notificationSlots?: number;
  /** Channel receive buffer: where received messages wait until read (a multiple of 512). */
  receiveBufferBytes?: number;
  sendBufferBytes?: number;
  device?: DeviceOptions;
}

const IRQ = 42;
const CHANNEL_TAG = 7;
const NETWORK_TAG = 1;

function check(status: number, call: string): void {
  if (status !== MV_STATUS_OKAY) throw new Error(`${call} returned ${statusName(status)}`);
}

const sized = (data: Uint8Array): MvSizedString => ({ data, length: data.byteLength });

/**
 * Correlation ID → callback for the publishes awaiting their response. IDs are handed out in
 * sequence and the device bounds how many are in flight, so a small array indexed by the
 * ID's low bits holds them without a Map's per-message hashing and churn; an ID whose slot is
 * still taken (never, unless far more are outstanding than a device allows) goes to a Map.
 */
class PendingTable {
  private static readonly SLOTS = 256;
  private readonly ids = new Float64Array(PendingTable.SLOTS).fill(-1);
  private readonly callbacks: ((() => void) | undefined)[] = new Array(PendingTable.SLOTS).fill(undefined);
  private readonly overflow = new Map<number, () => void>();

  set(id: number, done: () => void): void {
    const slot = id & (PendingTable.SLOTS - 1);
    if (this.ids[slot] === -1) {
      this.ids[slot] = id;
      this.callbacks[slot] = done;
    } else this.overflow.set(id, done);
  }

  /** Removes and returns the callback (undefined if unknown). */
  take(id: number): (() => void) | undefined {
    const slot = id & (PendingTable.SLOTS - 1);
    if (this.ids[slot] === id) {
      const done = this.callbacks[slot];
      this.ids[slot] = -1;
      this.callbacks[slot] = undefined;
      return done;
    }
    const done = this.overflow.get(id);
    this.overflow.delete(id);
    return done;
  }
}

export class SyscallApp {
  readonly device: Device;
  private channel = 0 as MvChannelHandle;
  private readonly ring: Uint8Array;
  private nextCorrelation = 1;
  /** Publish correlation ID → what to call when its response is read. */
  private readonly publishDone = new PendingTable();
  private onConnected?: (ok: boolean, reason: string) => void;
  private onSubscribed?: (ok: boolean) => void;
  /**
   * Called with each received message: its payload is the first `length` bytes of `buffer`,
   * the application's receive buffer (valid only during the call), read in place as firmware
   * would rather than copied or viewed anew per message.
   */
  onMessage: (buffer: Buffer, length: number) => void = () => undefined;
  messagesLost = 0;
  disconnected = false;
  /**
   * Where a failure inside the IRQ handler goes (a status other than OKAY, a refused
   * publish). Unset, it is thrown out of the handler.
   */
  onError?: (err: Error) => void;

  // Reused output structures, as firmware would keep them in static memory.
  private readonly typeOut = out<MvMqttReadableDataType>(MV_MQTTREADABLEDATATYPE_NONE);
  private readonly publishResponse: MvMqttPublishResponse = { request_state: 0 as MvMqttRequestState, correlation_id: 0, reason_code: 0 };
  private readonly topicBuf = new Uint8Array(256);
  private readonly payloadBuf: Buffer;
  private readonly message: MvMqttMessage;
  /** One publish request, refilled for every publish (the kernel copies what it needs during the call). */
  private readonly publishRequest: MvMqttPublishRequest = { correlation_id: 0, topic: { data: null, length: 0 }, payload: { data: null, length: 0 }, desired_qos: 0, retain: 0 };

  /** `device`: the device to run on (the fleet hands each firmware its own); by default a new one with `cfg.device`. */
  constructor(
    readonly cfg: AppConfig,
    device?: Device,
  ) {
    this.device = device ?? new Device(cfg.device);
    const slots = cfg.notificationSlots ?? 32;
    this.ring = new Uint8Array(slots * 16);
    this.payloadBuf = Buffer.alloc(cfg.receiveBufferBytes ?? 7168);
    this.message = {
      correlation_id: out(0),
      topic: { data: this.topicBuf, size: this.topicBuf.byteLength, length: out(0) },
      payload: { data: this.payloadBuf, size: this.payloadBuf.byteLength, length: out(0) },
      qos: out(0),
      retain: out(0),
    };
  }

  /** Notification centre, network request, MQTT channel; resolves once the broker accepted the connect. */
  async connect(): Promise<void> {
    const d = this.device;
    const center = out(0 as MvNotificationHandle);
    check(d.mvSetupNotifications({ irq: IRQ, buffer: this.ring, buffer_size: this.ring.byteLength }, center), 'mvSetupNotifications');
    d.nvic.setHandler(IRQ, () => {
      if (!this.onError) return this.onIrq();
      try {
        this.onIrq();
      } catch (err) {
        this.onError(err as Error);
      }
    });
    d.nvic.enable(IRQ);

    const network = out(0 as MvNetworkHandle);
    check(d.mvRequestNetwork({ version: 1, v1: { notification_handle: center.value, notification_tag: NETWORK_TAG } }, network), 'mvRequestNetwork');

    // Buffers are fresh allocations, so they start on a page boundary as the channel needs.
    const rx = new Uint8Array(this.cfg.receiveBufferBytes ?? 7168);
    const tx = new Uint8Array(this.cfg.sendBufferBytes ?? 4096);
    const ch = out(0 as MvChannelHandle);
    check(
      d.mvOpenChannel(
        {
          version: 1,
          v1: {
            notification_handle: center.value,
            notification_tag: CHANNEL_TAG,
            network_handle: network.value,
            receive_buffer: rx,
            receive_buffer_len: rx.byteLength,
            send_buffer: tx,
            send_buffer_len: tx.byteLength,
            channel_type: MV_CHANNELTYPE_MQTT,
            endpoint: { data: null, length: 0 },
          },
        },
        ch,
      ),
      'mvOpenChannel',
    );
    this.channel = ch.value;

    const connected = new Promise<void>((resolve, reject) => {
      this.onConnected = (ok, reason) => (ok ? resolve() : reject(new Error(`connect refused: ${reason}`)));
    });
    const none = { data: null, length: 0 };
    check(
      d.mvMqttRequestConnect(this.channel, {
        protocol_version: this.cfg.protocolVersion === 5 ? MV_MQTTPROTOCOLVERSION_V5 : MV_MQTTPROTOCOLVERSION_V3_1_1,
        host: sized(Buffer.from(this.cfg.host)),
        port: this.cfg.port,
        clientid: sized(Buffer.from(this.cfg.clientId)),
        authentication:
          this.cfg.username === undefined
            ? { method: MV_MQTTAUTHENTICATIONMETHOD_NONE, username_password: { username: none, password: none } }
            : {
                method: MV_MQTTAUTHENTICATIONMETHOD_USERNAMEPASSWORD,
                username_password: { username: sized(Buffer.from(this.cfg.username)), password: sized(Buffer.from(this.cfg.password ?? '')) },
              },
        tls_credentials: null,
        keepalive: this.cfg.keepaliveS,
        clean_start: 1,
        will: null,
      }),
      'mvMqttRequestConnect',
    );
    await connected;
  }

  async subscribe(topic: string, qos: 0 | 1): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.onSubscribed = (ok) => (ok ? resolve() : reject(new Error(`subscription to ${topic} refused`)));
    });
    check(
      this.device.mvMqttRequestSubscribe(this.channel, {
        correlation_id: this.nextCorrelation++,
        subscriptions: [{ topic: sized(Buffer.from(topic)), desired_qos: qos, nl: 0, rap: 0, rh: 0 }],
        num_subscriptions: 1,
      }),
      'mvMqttRequestSubscribe',
    );
    await done;
  }

  /** Requests a publish; `done` runs when its response has been read from the channel. */
  publish(topic: Uint8Array, payload: Uint8Array, qos: 0 | 1, done: () => void): void {
    const id = this.nextCorrelation;
    this.nextCorrelation = id === 0xffffffff ? 1 : id + 1;
    this.publishDone.set(id, done);
    const r = this.publishRequest;
    r.correlation_id = id;
    r.topic.data = topic;
    r.topic.length = topic.length; // bytes: `length`, which V8 inlines (not `byteLength`)
    r.payload.data = payload;
    r.payload.length = payload.length;
    r.desired_qos = qos;
    const status = this.device.mvMqttRequestPublish(this.channel, r);
    if (status !== MV_STATUS_OKAY) {
      this.publishDone.take(id);
      check(status, 'mvMqttRequestPublish');
    }
  }

  async powerOff(): Promise<void> {
    await this.device.powerOff();
  }

  /** One interrupt per notification record: read the one readable item it announces. */
  private onIrq(): void {
    const d = this.device;
    const h = this.channel;
    check(d.mvMqttGetNextReadableDataType(h, this.typeOut), 'mvMqttGetNextReadableDataType');
    switch (this.typeOut.value) {
      case MV_MQTTREADABLEDATATYPE_NONE:
        return; // a network status record, or nothing left
      case MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE: {
        const r = this.publishResponse;
        check(d.mvMqttReadPublishResponse(h, r), 'mvMqttReadPublishResponse');
        if (r.request_state !== MV_MQTTREQUESTSTATE_REQUESTCOMPLETED) throw new Error(`publish ${r.correlation_id} ended in request state ${r.request_state}`);
        const done = this.publishDone.take(r.correlation_id);
        done?.();
        return;
      }
      case MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED: {
        const m = this.message;
        check(d.mvMqttReceiveMessage(h, m), 'mvMqttReceiveMessage');
        const qos = m.qos!.value;
        // One topic per subscription here, so the topic bytes need no decoding.
        this.onMessage(this.payloadBuf, m.payload.length!.value);
        if (qos > 0) check(d.mvMqttAcknowledgeMessage(h, m.correlation_id!.value), 'mvMqttAcknowledgeMessage');
        return;
      }
      case MV_MQTTREADABLEDATATYPE_MESSAGELOST: {
        const info: MvMqttLostMessageInfo = { reason: out(0 as never), topic: { data: this.topicBuf, size: this.topicBuf.byteLength, length: out(0) }, message_len: out(0) };
        check(d.mvMqttReceiveLostMessageInfo(h, info), 'mvMqttReceiveLostMessageInfo');
        this.messagesLost++;
        return;
      }
      case MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE: {
        const r: MvMqttConnectResponse = { request_state: 0 as MvMqttRequestState, reason_code: 0 };
        check(d.mvMqttReadConnectResponse(h, r), 'mvMqttReadConnectResponse');
        this.onConnected?.(r.request_state === MV_MQTTREQUESTSTATE_REQUESTCOMPLETED && r.reason_code === 0, `request state ${r.request_state}, reason ${r.reason_code}`);
        return;
      }
      case MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE: {
        const codes = new Uint32Array(8);
        const r: MvMqttSubscribeResponse = { request_state: out(0 as MvMqttRequestState), correlation_id: out(0), reason_codes: codes, reason_codes_size: codes.byteLength, reason_codes_len: out(0) };
        check(d.mvMqttReadSubscribeResponse(h, r), 'mvMqttReadSubscribeResponse');
        // 3.1.1 SUBACK: granted QoS 0-2, 0x80 = refused.
        this.onSubscribed?.(r.request_state!.value === MV_MQTTREQUESTSTATE_REQUESTCOMPLETED && codes[0] < 0x80);
        return;
      }
      case MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE: {
        const r: MvMqttDisconnectResponse = { request_state: 0 as MvMqttRequestState, disconnect_code: 0 };
        check(d.mvMqttReadDisconnectResponse(h, r), 'mvMqttReadDisconnectResponse');
        this.disconnected = true;
        return;
      }
      default:
        throw new Error(`unexpected readable item type ${this.typeOut.value}`);
    }
  }
}
