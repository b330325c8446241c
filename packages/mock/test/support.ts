/** A little firmware for the mock's tests: a centre with a handler, a network, an MQTT channel. */
import {
  MV_CHANNELTYPE_MQTT,
  MV_STATUS_OKAY,
  decodeMvNotification,
  newMvMqttConnectRequest,
  out,
  statusName,
  type MvChannelHandle,
  type MvNetworkHandle,
  type MvNotification,
  type MvNotificationHandle,
  type MvOpenChannelParams,
  type MvSizedString,
} from '@mvmqtt/sdk';
import { expect } from 'vitest';
import type { MockMicrovisor } from '../src/index.js';

export const str = (s: string): MvSizedString => ({ data: s, length: new TextEncoder().encode(s).byteLength });

export function ok(status: number): void {
  expect(statusName(status)).toBe(statusName(MV_STATUS_OKAY));
}

export class Firmware {
  readonly records: MvNotification[] = [];
  readonly centre: MvNotificationHandle;
  readonly network: MvNetworkHandle;
  private index = 0;

  constructor(
    readonly mv: MockMicrovisor,
    readonly irq = 10,
    readonly slots = 8,
    readonly ring = new Uint8Array(slots * 16),
  ) {
    const c = out(0 as MvNotificationHandle);
    ok(mv.mvSetupNotifications({ irq, buffer: ring, buffer_size: ring.byteLength }, c));
    this.centre = c.value;
    mv.nvic.setHandler(irq, () => {
      this.records.push(decodeMvNotification(ring, this.index * 16));
      this.index = (this.index + 1) % slots;
    });
    mv.nvic.enable(irq);
    const n = out(0 as MvNetworkHandle);
    ok(mv.mvRequestNetwork({ version: 1, v1: { notification_handle: c.value, notification_tag: 1 } }, n));
    this.network = n.value;
  }

  params(tag = 2, rx = 1024): MvOpenChannelParams {
    return {
      version: 1,
      v1: {
        notification_handle: this.centre,
        notification_tag: tag,
        network_handle: this.network,
        receive_buffer: new Uint8Array(rx),
        receive_buffer_len: rx,
        send_buffer: new Uint8Array(512),
        send_buffer_len: 512,
        channel_type: MV_CHANNELTYPE_MQTT,
        endpoint: str(''),
      },
    };
  }

  open(tag = 2, rx = 1024): MvChannelHandle {
    const h = out(0 as MvChannelHandle);
    ok(this.mv.mvOpenChannel(this.params(tag, rx), h));
    return h.value;
  }

  connect(ch: MvChannelHandle): void {
    const req = newMvMqttConnectRequest();
    req.host = str('broker.example');
    req.port = 8883;
    req.clientid = str('device-1');
    ok(this.mv.mvMqttRequestConnect(ch, req));
  }
}
