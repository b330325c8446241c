/**
 * Notification centres: the application's ring of `MvNotification` records, written in the
 * device (arm32) layout through the SDK's codec, one IRQ pend per record, wrapping at the end.
 * A full ring is overwritten (the device core's default policy); overruns are counted.
 */
import { LAYOUTS, encodeMvNotification, type MvEventType } from '@mvmqtt/sdk';
import type { MockClock } from './clock.js';
import type { AddressRange } from '@mvmqtt/sdk/runtime';
import type { MockNvic } from './nvic.js';

export const RECORD_SIZE = LAYOUTS.MvNotification.arm32.size;

export class NotificationCentre {
  private next = 0;
  private readonly records: number;
  closed = false;
  /** Records written over one whose IRQ had not been delivered yet. */
  overruns = 0;

  constructor(
    readonly irq: number,
    /** The ring: the first `buffer_size` bytes of the application's buffer. */
    readonly ring: Uint8Array,
    readonly range: AddressRange,
    private readonly nvic: MockNvic,
    private readonly clock: MockClock,
  ) {
    this.records = ring.byteLength / RECORD_SIZE;
  }

  /** Writes one record and pends the IRQ for it; nothing happens once the centre is closed. */
  post(event_type: MvEventType, tag: number): void {
    if (this.closed) return;
    if (this.nvic.pendingCount(this.irq) >= this.records) this.overruns++;
    encodeMvNotification({ microseconds: this.clock.microseconds(), event_type, tag }, this.ring, this.next * RECORD_SIZE);
    this.next = (this.next + 1) % this.records;
    this.nvic.pend(this.irq);
  }
}

/** Where a network request or channel sends its notifications. */
export interface NotifyTarget {
  readonly centre: NotificationCentre;
  readonly tag: number;
}
