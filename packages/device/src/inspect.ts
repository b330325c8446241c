/**
 * A read-only picture of the device's kernel state for observers such as the inspector:
 * notification centres and their IRQ lines, network requests, channels. Taken on demand
 * (the inspector polls it while a page is open), so it costs nothing otherwise.
 */
import type { Kernel } from './kernel/kernel.js';
import { MqttChannel, type MqttSessionState } from './mqtt/channel.js';
import { NetworkLink, NOTIFICATION_RECORD_SIZE } from '@mvmqtt/sdk/runtime';

export type { MqttSessionState };

export interface CentreState {
  handle: number;
  irq: number;
  /** The application's ring as it is now (16-byte records, device layout). */
  ring: Uint8Array;
  slots: number;
  irqEnabled: boolean;
  /** Records whose IRQ handler has not run yet. */
  irqsPending: number;
  /** The slot the kernel writes next. */
  writePosition: number;
  /** This centre's records written over unnotified ones, and records dropped. */
  overruns: number;
  dropped: number;
}

export interface ChannelState {
  handle: number;
  type: number;
  /** The centre and tag its notifications go to (0 when that centre was closed). */
  centre: number;
  tag: number;
  connected: boolean;
  /** Ended by the server, the network or an error. */
  closed: boolean;
  closureReason: number;
  /** MQTT channels once a connect was requested. */
  session?: MqttSessionState;
}

export interface DeviceState {
  networkUp: boolean;
  networkRequests: number[];
  centres: CentreState[];
  channels: ChannelState[];
  notificationOverruns: number;
  notificationsDropped: number;
}

export function deviceState(k: Kernel): DeviceState {
  const centreHandles = new Map<unknown, number>();
  const centres: CentreState[] = [];
  for (const [handle, c] of k.centres.entries()) {
    centreHandles.set(c, handle);
    centres.push({
      handle,
      irq: c.irq,
      ring: c.ring,
      slots: c.ring.byteLength / NOTIFICATION_RECORD_SIZE,
      irqEnabled: k.nvic.isEnabled(c.irq),
      irqsPending: k.nvic.pendingCount(c.irq),
      writePosition: c.writePosition,
      overruns: c.overruns,
      dropped: c.dropped,
    });
  }
  const channels: ChannelState[] = [];
  for (const [handle, ch] of k.channels.entries()) {
    const session = ch instanceof MqttChannel ? ch.sessionState() : undefined;
    channels.push({
      ...(session ? { session } : {}),
      handle,
      type: ch.type,
      centre: centreHandles.get(ch.target.centre) ?? 0,
      tag: ch.target.tag,
      connected: ch instanceof MqttChannel && ch.isConnected,
      closed: ch.closed,
      closureReason: ch.closureReason,
    });
  }
  return {
    networkUp: k.state(NetworkLink).up,
    networkRequests: [...k.networks.entries()].map(([handle]) => handle),
    centres,
    channels,
    notificationOverruns: k.diagnostics.notificationOverruns,
    notificationsDropped: k.diagnostics.notificationsDropped,
  };
}
