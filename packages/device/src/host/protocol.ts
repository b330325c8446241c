/**
 * The wire format between a host firmware build and the device core (the C end is
 * packages/c-headers/host/src/mvhost_call.c; the constants of both ends come from one generated
 * table, ./generated/protocol.ts and mvhost_protocol.h). Little-endian; every record starts 8-byte aligned.
 *   request  u32 length, u32 function, u32 argument count, u32 region count,
 *            u64 arguments[], regions { u64 address, u32 length, u32 flags, bytes }
 *   answer   u32 length, u32 write count, i64 status, u32 events sent before it, u32 0,
 *            writes { u64 address, u32 length, u32 flags, bytes }
 *   event    u32 length, u32 type, u32 irq, u32 write count, writes (device → firmware)
 * A write's flags: WRITE_KEPT marks memory the application lent the kernel in an earlier call (a
 * ring, a channel buffer), which an answer may write besides the regions its own call named.
 * The events count lets the firmware finish applying every event sent before the answer (their
 * writes into lent memory) before the call returns: the two sockets are read by two threads.
 */
import { ANSWER_HEADER, EVENT_HEADER, REGION_HEADER, REQUEST_HEADER, WRITE_KEPT } from './generated/protocol.js';

export { ANSWER_HEADER, EVENT_HEADER, EVENT_IRQ, REGION_HEADER, REGION_READABLE, REGION_TOO_LARGE, REGION_WRITABLE, REQUEST_HEADER, WRITE_KEPT } from './generated/protocol.js';

export const align8 = (n: number): number => (n + 7) & ~7;

export interface MemoryWrite {
  address: bigint;
  bytes: Uint8Array;
  /** Into memory lent to the kernel earlier (not a region of the current call). */
  kept?: boolean;
}

function writesSize(writes: readonly MemoryWrite[]): number {
  let n = 0;
  for (const w of writes) n += REGION_HEADER + align8(w.bytes.byteLength);
  return n;
}

/**
 * A DataView over each buffer answers and events are encoded into (the call channel's answer
 * area, the unsent events): Buffer's write methods cost three times as much per field, the
 * BigInt one most of all.
 */
const views = new WeakMap<Uint8Array, DataView>();
function viewOf(buf: Uint8Array): DataView {
  let view = views.get(buf);
  if (view === undefined) views.set(buf, (view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)));
  return view;
}

/**
 * Copies `n` bytes of `source` from `from` to `target` at `at`. Most are a word, a record or a
 * small struct: a loop beats the native `set` (and the view it needs) there.
 */
export function copyBytes(target: Uint8Array, at: number, source: Uint8Array, from: number, n: number): void {
  if (n <= 64) for (let i = 0; i < n; i++) target[at + i] = source[from + i];
  else target.set(source.subarray(from, from + n), at);
}

function putWrites(buf: Uint8Array, view: DataView, at: number, writes: readonly MemoryWrite[]): void {
  for (const w of writes) {
    const bytes = w.bytes;
    const n = bytes.byteLength;
    view.setBigUint64(at, w.address, true);
    view.setUint32(at + 8, n, true);
    view.setUint32(at + 12, w.kept ? WRITE_KEPT : 0, true);
    const start = at + REGION_HEADER;
    copyBytes(buf, start, bytes, 0, n);
    at = start + align8(n);
    for (let i = start + n; i < at; i++) buf[i] = 0; // the padding (the buffer may be reused memory)
  }
}

export function answerSize(writes: readonly MemoryWrite[]): number {
  return ANSWER_HEADER + writesSize(writes);
}

/** Encodes an answer at the start of `target` (at least answerSize(writes) bytes). */
export function encodeAnswerInto(target: Buffer, status: number, writes: readonly MemoryWrite[], eventsBefore: number): void {
  writeAnswer(target, viewOf(target), status, writes, eventsBefore);
}

function writeAnswer(target: Uint8Array, view: DataView, status: number, writes: readonly MemoryWrite[], eventsBefore: number): void {
  view.setUint32(0, answerSize(writes), true);
  view.setUint32(4, writes.length, true);
  // Status values are small integers: two words instead of a BigInt per call.
  view.setInt32(8, status | 0, true);
  view.setInt32(12, status < 0 ? -1 : 0, true);
  view.setUint32(16, eventsBefore >>> 0, true);
  view.setUint32(20, 0, true);
  putWrites(target, view, ANSWER_HEADER, writes);
}

export function encodeAnswer(status: number, writes: readonly MemoryWrite[], eventsBefore: number): Buffer {
  const buf = Buffer.allocUnsafe(answerSize(writes));
  // A fresh buffer per answer: its own view, not one remembered in `views`.
  writeAnswer(buf, new DataView(buf.buffer, buf.byteOffset, buf.byteLength), status, writes, eventsBefore);
  return buf;
}

export function eventSize(writes: readonly MemoryWrite[]): number {
  return EVENT_HEADER + writesSize(writes);
}

/** Encodes an event at `at` in `target` (at least eventSize(writes) bytes from there). */
export function encodeEventInto(target: Buffer, at: number, type: number, irq: number, writes: readonly MemoryWrite[]): void {
  const view = viewOf(target);
  view.setUint32(at, eventSize(writes), true);
  view.setUint32(at + 4, type, true);
  view.setUint32(at + 8, irq, true);
  view.setUint32(at + 12, writes.length, true);
  putWrites(target, view, at + EVENT_HEADER, writes);
}

/**
 * Bytes appended to one reused buffer that doubles when it runs out (what was appended moves
 * with it; views handed out before keep the old buffer): the bridge's unsent events, and each
 * call's encoded write-backs, without a buffer and a DataView per item.
 */
export class GrowingBuffer {
  bytes: Buffer;
  view: DataView;
  used = 0;

  constructor(size = 4096) {
    this.bytes = Buffer.allocUnsafeSlow(size);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Room for `length` more bytes: where they start in `bytes` and `view`. */
  reserve(length: number): number {
    const at = this.used;
    const end = at + length;
    if (end > this.bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.bytes.length, end));
      this.bytes.copy(grown, 0, 0, at);
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.used = end;
    return at;
  }

  /** Appends a copy of `source`; where it starts. */
  copy(source: Uint8Array): number {
    const at = this.reserve(source.byteLength);
    copyBytes(this.bytes, at, source, 0, source.byteLength);
    return at;
  }

  /** A view of `length` bytes from `at` (valid until they are overwritten). */
  slice(at: number, length: number): Uint8Array {
    return this.bytes.subarray(at, at + length);
  }
}

/** Cuts a byte stream into length-prefixed frames (the first u32 of each is its length). */
export class FrameReader {
  private pending: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    // The common case: one whole request in one chunk, nothing left over.
    if (this.size === 0 && chunk.length >= 4 && chunk.readUInt32LE(0) === chunk.length) {
      onFrame(chunk);
      return;
    }
    this.pending.push(chunk);
    this.size += chunk.length;
    for (;;) {
      if (this.size < 4) return;
      const head = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
      this.pending = [head];
      const length = head.readUInt32LE(0);
      if (length < REQUEST_HEADER) throw new Error(`malformed frame of ${length} bytes from the firmware`);
      if (this.size < length) return;
      onFrame(head.subarray(0, length));
      const rest = head.subarray(length);
      this.pending = rest.length ? [rest] : [];
      this.size = rest.length;
    }
  }
}
