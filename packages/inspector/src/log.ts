/**
 * A bounded log: a fixed-size ring that overwrites the oldest item when full and counts what
 * it overwrote, so a device producing events faster than pages read them never grows memory.
 * Items are numbered from 1 (their sequence number); readers keep a cursor (the last number
 * they saw). Stored as parallel arrays, so a push allocates nothing: it runs for every event
 * the device reports while an inspector is attached.
 */
export class BoundedLog<T> {
  private readonly items: (T | undefined)[];
  private readonly times: Float64Array;
  private nextSeq = 1;
  /** Items overwritten since the start (whether or not a reader had been sent them). */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`a log holds at least one item, not ${capacity}`);
    this.items = new Array<T | undefined>(capacity).fill(undefined);
    this.times = new Float64Array(capacity);
  }

  /** The sequence number the next item gets. */
  get next(): number {
    return this.nextSeq;
  }

  /** The oldest sequence number still held. */
  get oldest(): number {
    return Math.max(1, this.nextSeq - this.capacity);
  }

  /** Stores the item with its time, overwriting the oldest when full; returns its sequence number. */
  push(item: T, time: number): number {
    const seq = this.nextSeq++;
    const i = seq % this.capacity;
    if (this.items[i] !== undefined) this.dropped++;
    this.items[i] = item;
    this.times[i] = time;
    return seq;
  }

  /** The item with this sequence number (undefined once overwritten or not yet pushed). */
  at(seq: number): T | undefined {
    return seq >= this.oldest && seq < this.nextSeq ? this.items[seq % this.capacity] : undefined;
  }

  timeAt(seq: number): number {
    return this.times[seq % this.capacity];
  }

  /** Replaces a held item (a cached rendering of it); nothing happens once it was overwritten. */
  replace(seq: number, item: T): void {
    if (seq >= this.oldest && seq < this.nextSeq) this.items[seq % this.capacity] = item;
  }

  /**
   * The sequence numbers a reader at `cursor` gets next, at most `max` (the newest ones):
   * `from` up to (not including) `to`, and how many newer-than-cursor items it misses (lost
   * to overwriting, or left out to keep within `max`).
   */
  since(cursor: number, max: number): { from: number; to: number; skipped: number } {
    let from = Math.max(cursor + 1, this.oldest);
    let skipped = from - (cursor + 1);
    if (this.nextSeq - from > max) {
      skipped += this.nextSeq - max - from;
      from = this.nextSeq - max;
    }
    return { from, to: this.nextSeq, skipped };
  }
}
