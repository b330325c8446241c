/** What the device reports to `options.trace`: every system call, notification record and readable item. */
import type { MvFunctionName, MvStatus } from '@mvmqtt/sdk';
import type { ReadableItem } from './mqtt/items.js';

export type TraceEvent =
  | { kind: 'syscall'; name: MvFunctionName; args: readonly unknown[]; status: MvStatus }
  | { kind: 'notification'; irq: number; slot: number; microseconds: bigint; eventType: number; tag: number; outcome: 'written' | 'overwrote-unnotified' | 'dropped' }
  | { kind: 'readable'; channel: number; item: ReadableItem }
  | { kind: 'network'; status: number };

