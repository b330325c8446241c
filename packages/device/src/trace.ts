/** What the device reports to `options.trace`: every system call, notification record, readable item and MQTT packet. */
import type { MvFunctionName, MvStatus } from '@mvmqtt/sdk';
import type { NotificationRecord } from '@mvmqtt/sdk/runtime';
import type { ReadableItem } from './mqtt/items.js';

export type TraceEvent =
  | { kind: 'syscall'; name: MvFunctionName; args: readonly unknown[]; status: MvStatus }
  | ({ kind: 'notification' } & NotificationRecord)
  | { kind: 'readable'; channel: number; item: ReadableItem }
  | { kind: 'network'; status: number }
  /** An MQTT packet as mqtt.js decoded it (in) or is about to encode it (out), on the channel with this handle. */
  | { kind: 'mqtt-packet'; channel: number; direction: 'in' | 'out'; packet: Readonly<Record<string, unknown>> };

