/**
 * A bounded log of view events: a fixed-size ring that drops the oldest event when full and
 * counts what it dropped, so a device producing events faster than pages read them never
 * grows memory. Readers keep a cursor (the last sequence number they saw).
 */
export interface Sequenced {
  seq: number;
}

export class BoundedLog<T extends Sequenced> {
  private readonly items: (T | undefined)[];
  private nextSeq = 1;
  /** Events overwritten before any reader could have been sent them, since the start. */
  dropped = 0;

  constructor(readonly capacity: number) {
    this.items = new Array(capacity);
  }

  /** The sequence number the next event gets. */
  get next(): number {
    return this.nextSeq;
  }

  /** Stamps the event with the next sequence number and stores it, overwriting the oldest when full. */
  push(event: Omit<T, 'seq'>): void {
    const seq = this.nextSeq++;
    (event as T).seq = seq;
    const i = seq % this.capacity;
    if (this.items[i] !== undefined) this.dropped++;
    this.items[i] = event as T;
  }

  /** Up to `max` events after `cursor`, oldest first, and how many newer-than-cursor events were lost or skipped. */
  since(cursor: number, max: number): { events: T[]; skipped: number } {
    const oldest = Math.max(1, this.nextSeq - this.capacity);
    let from = Math.max(cursor + 1, oldest);
    let skipped = from - (cursor + 1);
    if (this.nextSeq - from > max) {
      skipped += this.nextSeq - max - from;
      from = this.nextSeq - max;
    }
    const events: T[] = [];
    for (let seq = from; seq < this.nextSeq; seq++) events.push(this.items[seq % this.capacity] as T);
    return { events, skipped };
  }
}
