/** What the device reports to `options.trace`: every system call, notification record and readable item. */
import type { MvFunctionName, MvStatus } from '@mvmqtt/sdk';
import type { NotificationRecord } from '@mvmqtt/sdk/runtime';
import type { ReadableItem } from './mqtt/items.js';

export type TraceEvent =
  | { kind: 'syscall'; name: MvFunctionName; args: readonly unknown[]; status: MvStatus }
  | ({ kind: 'notification' } & NotificationRecord)
  | { kind: 'readable'; channel: number; item: ReadableItem }
  | { kind: 'network'; status: number };

