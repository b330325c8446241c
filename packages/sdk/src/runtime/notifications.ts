/**
 * Notification centres: the application's ring of `MvNotification` records, written by the
 * kernel in the device (arm32) layout, one IRQ pend per record, wrapping at the end. Shared by
 * the device core and the mock; `post` runs for every record, so it allocates nothing unless an
 * observer is installed.
 */
import { LAYOUTS, MV_EVENTTYPE_NOEVENT } from '../generated/index.js';
import type { MvEventType } from '../generated/index.js';
import { keptWritesOf, type AddressRange, type KeptWrites } from './memory.js';
import type { Nvic } from './nvic.js';

const RECORD = LAYOUTS.MvNotification.arm32;
export const NOTIFICATION_RECORD_SIZE = RECORD.size;
const MICROSECONDS_OFFSET = RECORD.fields.microseconds.offset;
const EVENT_TYPE_OFFSET = RECORD.fields.event_type.offset;
const TAG_OFFSET = RECORD.fields.tag.offset;
const TWO_TO_32 = 2 ** 32;

/** What happens when a record is due but the ring slot still holds one the app was not yet interrupted for. */
export type OverrunPolicy =
  /** Write anyway (the old record is lost) and count it as an overrun. */
  | 'overwrite'
  /** Treat a slot whose `event_type` is not NOEVENT as unread: drop the new record (no IRQ) and count it. The app must zero `event_type` after reading. */
  | 'drop-when-unconsumed';

export interface NotificationCounters {
  /** Records written over one whose IRQ had not run yet (policy 'overwrite'). */
  notificationOverruns: number;
  /** Records not written because the slot was still unconsumed (policy 'drop-when-unconsumed'). */
  notificationsDropped: number;
}

/** The runtime's microsecond clock, as a plain number (exact up to 2^53 µs). */
export interface MicrosecondClock {
  now(): number;
}

export type RecordOutcome = 'written' | 'overwrote-unnotified' | 'dropped';

/** One record the kernel wrote (or dropped), for an observer such as a trace. */
export interface NotificationRecord {
  irq: number;
  slot: number;
  microseconds: bigint;
  eventType: number;
  tag: number;
  outcome: RecordOutcome;
}

export interface NotificationCentreOptions {
  policy: OverrunPolicy;
  /** Shared by every centre of one runtime (diagnostics). */
  counters: NotificationCounters;
  observe?: ((record: NotificationRecord) => void) | undefined;
}

export class NotificationCentre {
  private next = 0;
  private readonly records: number;
  private readonly words: DataView;
  closed = false;
  /** This centre's own share of `counters.notificationOverruns`. */
  overruns = 0;
  /** This centre's own share of `counters.notificationsDropped`. */
  dropped = 0;
  /** Told of every record; replaced when observers come and go (an inspector attached late). */
  private observe: ((record: NotificationRecord) => void) | undefined;
  /** Told of every record written when a host bridge mirrors the ring (see KeptWrites). */
  private readonly kept: KeptWrites | undefined;

  constructor(
    readonly irq: number,
    /** The ring: the first `buffer_size` bytes of the application's buffer. */
    readonly ring: Uint8Array,
    readonly range: AddressRange,
    private readonly nvic: Nvic,
    private readonly clock: MicrosecondClock,
    private readonly options: NotificationCentreOptions,
  ) {
    this.records = ring.byteLength / NOTIFICATION_RECORD_SIZE;
    this.words = new DataView(ring.buffer, ring.byteOffset, ring.byteLength);
    this.observe = options.observe;
    this.kept = keptWritesOf(ring);
  }

  /** The slot the next record goes to. */
  get writePosition(): number {
    return this.next;
  }

  /** Installs (or, with undefined, removes) the receiver of this centre's records. */
  setObserver(observe: ((record: NotificationRecord) => void) | undefined): void {
    this.observe = observe;
  }

  /** Writes one record and pends the IRQ for it. Nothing happens once the centre is closed. */
  post(eventType: MvEventType, tag: number): void {
    if (this.closed) return;
    const slot = this.next;
    const offset = slot * NOTIFICATION_RECORD_SIZE;
    const { policy, counters } = this.options;
    let outcome: RecordOutcome = 'written';
    // Device memory cannot vanish, but a TypeScript app's can: a transferred (detached) or shrunk
    // resizable buffer reads as shorter. Its records are dropped and counted, never thrown.
    // (`length`: bytes, and V8 inlines it where it does not inline `byteLength`.)
    if (this.ring.length < this.records * NOTIFICATION_RECORD_SIZE) outcome = 'dropped';
    else if (policy === 'drop-when-unconsumed') {
      if (this.words.getUint32(offset + EVENT_TYPE_OFFSET, true) !== MV_EVENTTYPE_NOEVENT) outcome = 'dropped';
    } else if (this.nvic.pendingCount(this.irq) >= this.records) {
      outcome = 'overwrote-unnotified';
    }
    const microseconds = this.clock.now();
    if (outcome === 'dropped') {
      counters.notificationsDropped++;
      this.dropped++;
    } else {
      if (outcome === 'overwrote-unnotified') {
        counters.notificationOverruns++;
        this.overruns++;
      }
      // Field by field into the view kept for this ring; the u64 as two little-endian words
      // avoids a BigInt per record.
      const words = this.words;
      words.setUint32(offset + MICROSECONDS_OFFSET, microseconds >>> 0, true);
      words.setUint32(offset + MICROSECONDS_OFFSET + 4, Math.floor(microseconds / TWO_TO_32), true);
      words.setUint32(offset + EVENT_TYPE_OFFSET, eventType, true);
      words.setUint32(offset + TAG_OFFSET, tag, true);
      if (this.kept) this.kept.dirty = true;
      this.next = slot + 1 === this.records ? 0 : slot + 1;
    }
    const observe = this.observe;
    if (observe) observe({ irq: this.irq, slot, microseconds: BigInt(microseconds), eventType, tag, outcome });
    if (outcome !== 'dropped') this.nvic.pend(this.irq);
  }
}

/** Where a source (network request, channel) sends its notifications: a centre that may be closed later, and a tag. */
export interface NotificationTarget {
  readonly centre: NotificationCentre;
  readonly tag: number;
}
