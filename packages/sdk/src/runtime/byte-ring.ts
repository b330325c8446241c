import { keptWritesOf, type KeptWrites } from './memory.js';

/**
 * A byte FIFO kept in a buffer the application gave the kernel (a raw channel's receive or send
 * buffer), shared by the device core and the mock. Bytes wrap at the end of the buffer; a read
 * hands out the run up to the wrap, as a view into the buffer itself.
 */
export class ByteRing {
  private start = 0;
  private count = 0;
  /** Told of every write when a host bridge mirrors the buffer (see KeptWrites). */
  private readonly kept: KeptWrites | undefined;

  constructor(readonly buffer: Uint8Array) {
    this.kept = keptWritesOf(buffer);
  }

  get length(): number {
    return this.count;
  }

  get space(): number {
    return this.buffer.byteLength - this.count;
  }

  /** The oldest bytes that lie contiguously in the buffer (a view, not a copy). */
  readable(): Uint8Array {
    const run = Math.min(this.count, this.buffer.byteLength - this.start);
    return this.buffer.subarray(this.start, this.start + run);
  }

  /** Drops up to `n` of the oldest bytes; returns how many it dropped. */
  consume(n: number): number {
    const dropped = Math.min(n, this.count);
    this.start = (this.start + dropped) % this.buffer.byteLength;
    this.count -= dropped;
    if (this.count === 0) this.start = 0;
    return dropped;
  }

  /** Appends as many of the first `len` bytes of `data` as fit; returns how many. */
  push(data: Uint8Array, len = data.byteLength): number {
    const n = Math.min(len, this.space);
    const size = this.buffer.byteLength;
    for (let i = 0; i < n; i++) this.buffer[(this.start + this.count + i) % size] = data[i];
    this.count += n;
    if (n > 0 && this.kept) this.kept.dirty = true;
    return n;
  }

  /**
   * Moves bytes waiting in `backlog` (oldest chunk first) into the ring until it is full or the
   * backlog empty; a chunk only partly moved keeps its rest at the front. Returns how many moved.
   */
  pushFrom(backlog: Uint8Array[]): number {
    let moved = 0;
    while (backlog.length > 0 && this.space > 0) {
      const chunk = backlog[0];
      const n = this.push(chunk);
      moved += n;
      if (n === chunk.byteLength) backlog.shift();
      else backlog[0] = chunk.subarray(n);
    }
    return moved;
  }

  /** Removes and returns every byte (a copy), oldest first. */
  takeAll(): Uint8Array {
    const out = new Uint8Array(this.count);
    const size = this.buffer.byteLength;
    for (let i = 0; i < out.byteLength; i++) out[i] = this.buffer[(this.start + i) % size];
    this.start = 0;
    this.count = 0;
    return out;
  }
}
