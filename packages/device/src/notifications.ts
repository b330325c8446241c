/**
 * Notification centres: the application's ring of 16-byte `MvNotification` records, written
 * by the kernel in the device (arm32) layout, one IRQ pend per record.
 */
import { LAYOUTS, MV_EVENTTYPE_NOEVENT } from '@mvmqtt/sdk';
import type { MvEventType } from '@mvmqtt/sdk';
import type { DeviceClock } from './kernel/clock.js';
import type { AddressRange } from './kernel/memory.js';
import type { Nvic } from './kernel/nvic.js';
import type { OverrunPolicy } from './options.js';
import type { TraceEvent } from './trace.js';

const RECORD = LAYOUTS.MvNotification.arm32;
export const RECORD_SIZE = RECORD.size;
const MICROSECONDS_OFFSET = RECORD.fields.microseconds.offset;
const EVENT_TYPE_OFFSET = RECORD.fields.event_type.offset;
const TAG_OFFSET = RECORD.fields.tag.offset;
const TWO_TO_32 = 2 ** 32;

export interface NotificationCounters {
  /** Records written over one whose IRQ had not run yet (policy 'overwrite'). */
  notificationOverruns: number;
  /** Records not written because the slot was still unconsumed (policy 'drop-when-unconsumed'). */
  notificationsDropped: number;
}

export class NotificationCenter {
  private next = 0;
  private readonly records: number;
  private readonly words: DataView;
  closed = false;

  constructor(
    readonly irq: number,
    readonly buffer: Uint8Array,
    readonly range: AddressRange,
    private readonly nvic: Nvic,
    private readonly clock: DeviceClock,
    private readonly policy: OverrunPolicy,
    private readonly counters: NotificationCounters,
    private readonly trace: ((e: TraceEvent) => void) | undefined,
  ) {
    this.records = buffer.byteLength / RECORD_SIZE;
    this.words = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  /** Writes one record and pends the IRQ for it. Nothing happens once the centre is closed. */
  post(eventType: MvEventType, tag: number): void {
    if (this.closed) return;
    const slot = this.next;
    const offset = slot * RECORD_SIZE;
    let outcome: 'written' | 'overwrote-unnotified' | 'dropped' = 'written';
    if (this.policy === 'drop-when-unconsumed') {
      if (this.words.getUint32(offset + EVENT_TYPE_OFFSET, true) !== MV_EVENTTYPE_NOEVENT) outcome = 'dropped';
    } else if (this.nvic.pendingCount(this.irq) >= this.records) {
      outcome = 'overwrote-unnotified';
    }
    const microseconds = this.clock.now();
    if (outcome === 'dropped') {
      this.counters.notificationsDropped++;
    } else {
      if (outcome === 'overwrote-unnotified') this.counters.notificationOverruns++;
      // Written field by field into the view kept for this ring: this runs for every record,
      // and the u64 as two little-endian words avoids a BigInt per record.
      const words = this.words;
      words.setUint32(offset + MICROSECONDS_OFFSET, microseconds >>> 0, true);
      words.setUint32(offset + MICROSECONDS_OFFSET + 4, Math.floor(microseconds / TWO_TO_32), true);
      words.setUint32(offset + EVENT_TYPE_OFFSET, eventType, true);
      words.setUint32(offset + TAG_OFFSET, tag, true);
      this.next = slot + 1 === this.records ? 0 : slot + 1;
    }
    this.trace?.({ kind: 'notification', irq: this.irq, slot, microseconds: BigInt(microseconds), eventType, tag, outcome });
    if (outcome !== 'dropped') this.nvic.pend(this.irq);
  }
}

/** Where a source (network request, channel) sends its notifications: a centre that may be closed later, and a tag. */
export interface NotificationTarget {
  center: NotificationCenter;
  tag: number;
}
