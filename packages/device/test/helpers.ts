/**
 * Test-side "firmware": the few lines a Microvisor application writes around the system
 * calls (notification centre with an IRQ handler that reads one record per interrupt,
 * network request, channel open, connect), so each test states only what it checks.
 */
import {
  MV_CHANNELTYPE_MQTT,
  MV_EVENTTYPE_CHANNELDATAREADABLE,
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
  MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
  MV_STATUS_OKAY,
  decodeMvNotification,
  newMvMqttConnectResponse,
  newMvMqttDisconnectResponse,
  newMvMqttPublishResponse,
  out,
  statusName,
} from '@mvmqtt/sdk';
import type {
  MvChannelHandle,
  MvMqttConnectRequest,
  MvMqttReadableDataType,
  MvMqttSubscription,
  MvNetworkHandle,
  MvNotification,
  MvNotificationHandle,
  MvSizedString,
  MvTlsCredentials,
} from '@mvmqtt/sdk';
import { afterAll, expect } from 'vitest';
import { Device, type DeviceOptions } from '../src/index.js';

export const str = (s: string): MvSizedString => ({ data: s, length: Buffer.byteLength(s) });
export const bytes = (b: Uint8Array): MvSizedString => ({ data: b, length: b.byteLength });
export const NONE: MvSizedString = { data: null, length: 0 };

export function expectOk(status: number, what = 'call'): void {
  expect(statusName(status), what).toBe(statusName(MV_STATUS_OKAY));
}

export function expectStatus(status: number, wanted: number, what = 'call'): void {
  expect(statusName(status), what).toBe(statusName(wanted));
}

/** A notification centre plus the app's IRQ handler: one record read per interrupt, in ring order. */
export class Center {
  readonly records: MvNotification[] = [];
  readonly handle: MvNotificationHandle;
  private index = 0;

  constructor(
    readonly device: Device,
    readonly irq: number,
    readonly slots = 16,
    readonly buffer = new Uint8Array(slots * 16),
  ) {
    const h = out(0 as MvNotificationHandle);
    expectOk(device.mvSetupNotifications({ irq, buffer, buffer_size: slots * 16 }, h), 'mvSetupNotifications');
    this.handle = h.value;
    device.nvic.setHandler(irq, () => {
      this.records.push(decodeMvNotification(buffer, this.index * 16));
      this.index = (this.index + 1) % slots;
    });
    device.nvic.enable(irq);
  }

  count(eventType: number, tag?: number): number {
    return this.records.filter((r) => r.event_type === eventType && (tag === undefined || r.tag === tag)).length;
  }
}

export function requestNetwork(device: Device, center: Center, tag = 1): MvNetworkHandle {
  const h = out(0 as MvNetworkHandle);
  expectOk(device.mvRequestNetwork({ version: 1, v1: { notification_handle: center.handle, notification_tag: tag } }, h), 'mvRequestNetwork');
  return h.value;
}

export interface ChannelBuffers {
  rx?: Uint8Array;
  tx?: Uint8Array;
}

export function openParams(center: Center, network: MvNetworkHandle, tag: number, b: ChannelBuffers = {}) {
  const rx = b.rx ?? new Uint8Array(4096);
  const tx = b.tx ?? new Uint8Array(1024);
  return {
    version: 1,
    v1: {
      notification_handle: center.handle,
      notification_tag: tag,
      network_handle: network,
      receive_buffer: rx,
      receive_buffer_len: rx.byteLength,
      send_buffer: tx,
      send_buffer_len: tx.byteLength,
      channel_type: MV_CHANNELTYPE_MQTT,
      endpoint: NONE,
    },
  } as const;
}

export function openMqtt(device: Device, center: Center, network: MvNetworkHandle, tag = 101, b: ChannelBuffers = {}): MvChannelHandle {
  const h = out(0 as MvChannelHandle);
  expectOk(device.mvOpenChannel(openParams(center, network, tag, b) as never, h), 'mvOpenChannel');
  return h.value;
}

export interface ConnectOptions {
  host: string;
  port: number;
  clientId?: string;
  v5?: boolean;
  clean?: boolean;
  keepalive?: number;
  username?: string;
  password?: string;
  tls?: MvTlsCredentials | null;
  will?: { topic: string; payload: string; qos: number; retain: number } | null;
}

export function connectRequest(o: ConnectOptions): MvMqttConnectRequest {
  const userPass = o.username !== undefined;
  return {
    protocol_version: o.v5 ? MV_MQTTPROTOCOLVERSION_V5 : MV_MQTTPROTOCOLVERSION_V3_1_1,
    host: str(o.host),
    port: o.port,
    clientid: str(o.clientId ?? `dev-${Math.random().toString(16).slice(2)}`),
    authentication: {
      method: userPass ? MV_MQTTAUTHENTICATIONMETHOD_USERNAMEPASSWORD : MV_MQTTAUTHENTICATIONMETHOD_NONE,
      username_password: { username: userPass ? str(o.username!) : NONE, password: userPass ? str(o.password ?? '') : NONE },
    },
    tls_credentials: o.tls ?? null,
    keepalive: o.keepalive ?? 60,
    clean_start: o.clean === false ? 0 : 1,
    will: o.will ? { topic: str(o.will.topic), payload: str(o.will.payload), qos: o.will.qos, retain: o.will.retain } : null,
  };
}

export function tlsCredentials(ca: Uint8Array[], client?: { certs: Uint8Array[]; key: Uint8Array }): MvTlsCredentials {
  return {
    cacert: { num_certs: ca.length, certs: ca.map(bytes) },
    clientcert: {
      chain: { num_certs: client?.certs.length ?? 0, certs: client ? client.certs.map(bytes) : null },
      key: client ? bytes(client.key) : NONE,
    },
  };
}

export function subscription(topic: string, qos = 0, v5: { nl?: number; rap?: number; rh?: number } = {}): MvMqttSubscription {
  return { topic: str(topic), desired_qos: qos, nl: v5.nl ?? 0, rap: v5.rap ?? 0, rh: v5.rh ?? 0 };
}

export function peek(device: Device, ch: MvChannelHandle): MvMqttReadableDataType {
  const t = out<MvMqttReadableDataType>(MV_MQTTREADABLEDATATYPE_NONE);
  expectOk(device.mvMqttGetNextReadableDataType(ch, t), 'mvMqttGetNextReadableDataType');
  return t.value;
}

/** Waits until the channel's next readable item has this type (items are read in FIFO order). */
export async function waitForItem(device: Device, ch: MvChannelHandle, type: MvMqttReadableDataType, timeoutMs = 10_000): Promise<void> {
  await device.waitFor(() => peek(device, ch) === type, timeoutMs, `readable item ${type}`);
}

export function readableNotifications(center: Center, tag: number): number {
  return center.count(MV_EVENTTYPE_CHANNELDATAREADABLE, tag);
}

export function newDevice(options: DeviceOptions = {}): Device {
  return new Device(options);
}

export type Item =
  | { type: 'connect'; requestState: number; reasonCode: number }
  | { type: 'subscribe' | 'unsubscribe'; requestState: number; correlationId: number; reasonCodes: number[] }
  | { type: 'publish'; requestState: number; correlationId: number; reasonCode: number }
  | { type: 'message'; topic: string; payload: string; qos: number; retain: number; correlationId: number }
  | { type: 'lost'; topic: string; messageLength: number; reason: number }
  | { type: 'disconnect'; requestState: number; disconnectCode: number };

/** Reads the head item with the call READABLE_DATA names for its type (what a firmware dispatcher does). */
export function readItem(device: Device, ch: MvChannelHandle): Item | undefined {
  const type = peek(device, ch);
  switch (type) {
    case MV_MQTTREADABLEDATATYPE_NONE:
      return undefined;
    case MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE: {
      const r = newMvMqttConnectResponse();
      expectOk(device.mvMqttReadConnectResponse(ch, r), 'mvMqttReadConnectResponse');
      return { type: 'connect', requestState: r.request_state, reasonCode: r.reason_code };
    }
    case MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE:
    case MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE: {
      const state = out(0);
      const corr = out(0);
      const len = out(0);
      const codes = new Uint32Array(8);
      const resp = { request_state: state, correlation_id: corr, reason_codes: codes, reason_codes_size: codes.byteLength, reason_codes_len: len } as never;
      const sub = type === MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE;
      expectOk(sub ? device.mvMqttReadSubscribeResponse(ch, resp) : device.mvMqttReadUnsubscribeResponse(ch, resp), 'read (un)subscribe response');
      return { type: sub ? 'subscribe' : 'unsubscribe', requestState: state.value, correlationId: corr.value, reasonCodes: Array.from(codes.subarray(0, len.value)) };
    }
    case MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE: {
      const r = newMvMqttPublishResponse();
      expectOk(device.mvMqttReadPublishResponse(ch, r), 'mvMqttReadPublishResponse');
      return { type: 'publish', requestState: r.request_state, correlationId: r.correlation_id, reasonCode: r.reason_code };
    }
    case MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED: {
      const topic = new Uint8Array(1024);
      const payload = new Uint8Array(8192);
      const [tl, pl, q, r, c] = [out(0), out(0), out(0), out(0), out(0)];
      expectOk(
        device.mvMqttReceiveMessage(ch, { correlation_id: c, topic: { data: topic, size: topic.byteLength, length: tl }, payload: { data: payload, size: payload.byteLength, length: pl }, qos: q, retain: r }),
        'mvMqttReceiveMessage',
      );
      const text = (b: Uint8Array, n: number) => Buffer.from(b.subarray(0, n)).toString();
      return { type: 'message', topic: text(topic, tl.value), payload: text(payload, pl.value), qos: q.value, retain: r.value, correlationId: c.value };
    }
    case MV_MQTTREADABLEDATATYPE_MESSAGELOST: {
      const topic = new Uint8Array(1024);
      const [reason, tl, len] = [out(9 as never), out(0), out(0)];
      expectOk(device.mvMqttReceiveLostMessageInfo(ch, { reason, topic: { data: topic, size: topic.byteLength, length: tl }, message_len: len }), 'mvMqttReceiveLostMessageInfo');
      return { type: 'lost', topic: Buffer.from(topic.subarray(0, tl.value)).toString(), messageLength: len.value, reason: reason.value };
    }
    case MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE: {
      const r = newMvMqttDisconnectResponse();
      expectOk(device.mvMqttReadDisconnectResponse(ch, r), 'mvMqttReadDisconnectResponse');
      return { type: 'disconnect', requestState: r.request_state, disconnectCode: r.disconnect_code };
    }
  }
  throw new Error(`unknown readable data type ${type}`);
}

/** Waits for the next item and reads it. */
export async function nextItem(device: Device, ch: MvChannelHandle, timeoutMs = 10_000): Promise<Item> {
  await device.waitFor(() => peek(device, ch) !== MV_MQTTREADABLEDATATYPE_NONE, timeoutMs, 'a readable item');
  return readItem(device, ch)!;
}

/** Opens a channel and connects; returns the channel once the connect response says success. */
export async function connected(device: Device, center: Center, network: MvNetworkHandle, o: ConnectOptions, tag = 101, b: ChannelBuffers = {}): Promise<MvChannelHandle> {
  const ch = openMqtt(device, center, network, tag, b);
  expectOk(device.mvMqttRequestConnect(ch, connectRequest(o)), 'mvMqttRequestConnect');
  const item = await nextItem(device, ch);
  expect(item).toEqual({ type: 'connect', requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, reasonCode: 0 });
  return ch;
}

/** Subscribes and checks the response. */
export async function subscribed(device: Device, ch: MvChannelHandle, subs: MvMqttSubscription[], correlationId = 1): Promise<number[]> {
  expectOk(device.mvMqttRequestSubscribe(ch, { correlation_id: correlationId, subscriptions: subs, num_subscriptions: subs.length }), 'mvMqttRequestSubscribe');
  const item = await nextItem(device, ch);
  if (item.type !== 'subscribe') throw new Error(`expected a subscribe response, got ${JSON.stringify(item)}`);
  expect(item.correlationId).toBe(correlationId);
  return item.reasonCodes;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Per-file fixture for end-to-end suites: `setup()` gives a device with a notification center
 * (40 IRQ, 64 records) and a network request, and every device it made is powered off after
 * the file's tests. `id()` makes a client id no other run shares.
 */
export function deviceFixture() {
  const devices: Device[] = [];
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.powerOff()));
  });
  return {
    setup(options: DeviceOptions = {}) {
      const device = newDevice(options);
      devices.push(device);
      const center = new Center(device, 40, 64);
      const network = requestNetwork(device, center);
      return { device, center, network };
    },
    id: () => `dev-${Math.random().toString(16).slice(2, 10)}`,
  };
}
