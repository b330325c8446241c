/**
 * Turns a firmware's system-call request into the arguments the device core takes (the shapes
 * of @mvmqtt/sdk: boxes for scalar pointers, objects for struct pointers, typed arrays for
 * counted buffers), and afterwards turns what the device wrote into memory writes for the
 * firmware. What to read where is generated per function (generated/decoders.ts, from the
 * same lowering as the C walker's tables); this is the runtime half the decoders call: the
 * regions, in the order the C walker visited pointers, the write-backs, and the kept memory.
 */
import { HOST_TABLES } from './generated/tables.js';
import { DECODERS } from './generated/decoders.js';
import { trackKeptWrites, type KeptWrites } from '@mvmqtt/sdk/runtime';
import { GrowingBuffer, REGION_HEADER, REGION_READABLE, REGION_WRITABLE, REQUEST_HEADER, align8, copyBytes, type MemoryWrite } from './protocol.js';

/**
 * Memory the application lends the kernel beyond the call (a `kept` pointer: the notification
 * ring, a channel's receive and send buffers). The device keeps `shadow` as that memory and
 * writes into it whenever it likes; `synced` is what the firmware has.
 */
export interface RetainedBuffer {
  address: bigint;
  shadow: Uint8Array;
  synced: Uint8Array;
  /** Bytes per element (a record of a ring; 1 for byte buffers): writes cover whole elements. */
  unit: number;
  /** Set by the device's writers into `shadow`: only then can it differ from `synced` (absent: compared every time). */
  writes?: KeptWrites;
}

/**
 * Writes scalar `v` of `size` bytes at `at` (a decoder's struct writer calls it per member).
 * Numbers stay numbers: a BigInt per written word cost more than the rest of a call.
 */
export function putScalar(view: DataView, at: number, size: number, v: unknown): void {
  if (typeof v === 'number') {
    if (size === 8) {
      view.setUint32(at, v >>> 0, true);
      view.setUint32(at + 4, Math.floor(v / 0x1_0000_0000) >>> 0, true);
    } else if (size === 4) view.setUint32(at, v >>> 0, true);
    else if (size === 2) view.setUint16(at, v & 0xffff, true);
    else if (size === 1) view.setUint8(at, v & 0xff);
  } else if (typeof v === 'bigint') {
    if (size === 8) view.setBigUint64(at, BigInt.asUintN(64, v), true);
    else putScalar(view, at, size, Number(BigInt.asUintN(size * 8, v)));
  }
}

export class HostMemory {
  /** Retained record buffers by `address:length`, so the device sees the same buffer every call. */
  readonly retained = new Map<string, RetainedBuffer>();

  /** @param place tells the device core the application address a buffer it gets mirrors (for alignment rules). */
  constructor(readonly place: (buffer: ArrayBufferLike, address: number) => void = () => undefined) {}

  /**
   * Where `finish` encodes the current call's write-backs (a copy of the region's bytes with the
   * device's values written over it); valid until the next call's `finish` (the answer is encoded first).
   */
  readonly scratch = new GrowingBuffer();

  /**
   * Where call arguments are copied: slices of one chunk, 8-aligned, handed out in turn and never
   * reused (a slice the device keeps keeps its chunk alive; a full chunk is replaced, not
   * rewound), so a copy costs no ArrayBuffer of its own.
   */
  private copyChunk = new Uint8Array(COPY_CHUNK_BYTES);
  private copyUsed = 0;

  /** `length` bytes of fresh copy space (contents undefined). */
  copySpace(length: number): Uint8Array {
    if (length > COPY_CHUNK_BYTES / 4) return new Uint8Array(length);
    let at = this.copyUsed;
    if (at + length > COPY_CHUNK_BYTES) {
      this.copyChunk = new Uint8Array(COPY_CHUNK_BYTES);
      at = 0;
    }
    this.copyUsed = (at + length + 7) & ~7;
    return this.copyChunk.subarray(at, at + length);
  }

  /** Views of the whole buffer the last request came in (the call channel's: the same every call). */
  private buffer: ArrayBufferLike | undefined;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private bytes: Uint8Array<ArrayBufferLike> = new Uint8Array(0);

  /** Decodes one request. `finish()` gives the writes for the answer once the device has run. */
  decode(request: Buffer): DecodedCall {
    return this.decodeAt(request.buffer, request.byteOffset, request.byteLength);
  }

  /** `decode` for the request of `length` bytes at `offset` in `buffer` (the call channel's, without a view per call). */
  decodeAt(buffer: ArrayBufferLike, offset: number, length: number): DecodedCall {
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.view = new DataView(buffer);
      this.bytes = new Uint8Array(buffer);
    }
    const view = this.view;
    const fn = view.getUint32(offset + 4, true);
    const description = HOST_TABLES.functions[fn];
    if (!description) throw new Error(`the firmware called unknown function #${fn}`);
    const argCount = view.getUint32(offset + 8, true);
    if (description.params.length > argCount) throw new Error(`${description.name}: the firmware sent ${argCount} arguments`);
    const call = new Decoding(this, view, this.bytes, fn, offset, argCount, view.getUint32(offset + 12, true), offset + length);
    call.args = DECODERS[fn](call);
    if (call.regionsLeft !== 0) throw new Error(`${description.name}: the firmware sent ${call.regionCount} regions, the tables account for ${call.regionCount - call.regionsLeft}`);
    return call;
  }

  /**
   * The firmware's address of a view the device handed out (a `T **` out): it must lie in memory
   * the application lent the kernel, the only application memory the device holds.
   */
  addressOf(view: Uint8Array): bigint {
    for (const r of this.retained.values()) {
      if (view.buffer !== r.shadow.buffer) continue;
      const offset = view.byteOffset - r.shadow.byteOffset;
      if (offset >= 0 && offset + view.byteLength <= r.shadow.byteLength) return r.address + BigInt(offset);
    }
    throw new Error('the device core handed out a pointer to memory the application did not lend it');
  }

  /** What the device wrote into retained buffers since the firmware last got them (appended to `writes`). */
  retainedWrites(writes: MemoryWrite[] = []): MemoryWrite[] {
    for (const r of this.retained.values()) {
      // Not written since the last sync: no 8 KB comparison per buffer per call and interrupt.
      const w = r.writes;
      if (w !== undefined) {
        if (!w.dirty) continue;
        w.dirty = false;
      }
      if (!findDifference(r.shadow, r.synced)) continue;
      // Send the changed span only (usually one 16-byte record), in whole elements: the
      // application may have changed its copy since (a consumed record's type cleared), so bytes
      // of a new record that equal the last ones sent must be sent again all the same.
      let start = differenceStart;
      let end = differenceEnd;
      start -= start % r.unit;
      end = Math.min(r.shadow.byteLength, end + ((r.unit - (end % r.unit)) % r.unit));
      r.synced.set(r.shadow.subarray(start, end), start);
      // A view, not a copy: callers encode it before the next sync can change those bytes.
      writes.push({ address: r.address + BigInt(start), bytes: r.synced.subarray(start, end), kept: true });
    }
    return writes;
  }
}

/** `bytes` (8-aligned in its buffer) as whole elements of `size` bytes. */
function elements(bytes: Uint8Array, size: number, signed: boolean): ArrayBufferView {
  const { buffer, byteOffset } = bytes;
  const n = Math.floor(bytes.byteLength / size);
  switch (size) {
    case 1:
      return new Int8Array(buffer, byteOffset, n);
    case 2:
      return signed ? new Int16Array(buffer, byteOffset, n) : new Uint16Array(buffer, byteOffset, n);
    case 4:
      return signed ? new Int32Array(buffer, byteOffset, n) : new Uint32Array(buffer, byteOffset, n);
    default:
      return signed ? new BigInt64Array(buffer, byteOffset, n) : new BigUint64Array(buffer, byteOffset, n);
  }
}

/** The copy pool's chunks; a copy larger than a quarter of one gets memory of its own. */
const COPY_CHUNK_BYTES = 64 * 1024;

/** Where the last findDifference found `a` and `b` to differ: [start, end). */
let differenceStart = 0;
let differenceEnd = 0;

/**
 * Whether `a` and `b` (of one length) differ, and where (differenceStart/End). A word at a time
 * where both allow it: a kept ring or channel buffer is compared on every interrupt it was
 * written before, and a byte loop over 256 bytes (8 KB for a channel buffer) was most of that.
 */
function findDifference(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.byteLength;
  let start = 0;
  let end = n;
  if (n >= 64 && (n & 3) === 0 && (a.byteOffset & 3) === 0 && (b.byteOffset & 3) === 0) {
    const words = n >> 2;
    const a32 = new Uint32Array(a.buffer, a.byteOffset, words);
    const b32 = new Uint32Array(b.buffer, b.byteOffset, words);
    let i = 0;
    while (i < words && a32[i] === b32[i]) i++;
    if (i === words) return false;
    let j = words;
    while (j > i && a32[j - 1] === b32[j - 1]) j--;
    start = i << 2;
    end = j << 2;
  }
  while (start < end && a[start] === b[start]) start++;
  while (end > start && a[end - 1] === b[end - 1]) end--;
  differenceStart = start;
  differenceEnd = end;
  return start < end;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  // Most regions are a word or a small struct: a loop beats a native call there.
  if (a.byteLength <= 64) {
    for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  return Buffer.compare(a, b) === 0;
}

/** A decoded request: the function, the arguments the device takes, and (`finish`) the writes its run made. */
export interface DecodedCall {
  readonly fn: number;
  readonly args: unknown[];
  /** Appends the writes into the call's own regions (call after the device has run). */
  finish(writes: MemoryWrite[]): void;
}

/** A write-back kind: what `Decoding.finish` re-encodes over the region's original bytes. */
const enum Back {
  /** A scalar box (`value`). */
  Scalar,
  /** A `T **` box: a view of kept memory, written back as its application address. */
  Address,
  /** Structs (`objects`), `size` bytes apart, through their generated writer. */
  Structs,
  /** A typed array the device wrote into in place. */
  Array,
}

interface WriteBack {
  kind: Back;
  /** The region's header offset in the request (its address and original bytes are there). */
  region: number;
  /** A scalar's size; the stride between structs. */
  size: number;
  box: { value: unknown } | undefined;
  write: ((view: DataView, at: number, object: Record<string, unknown>) => void) | undefined;
  objects: Record<string, unknown>[] | undefined;
  array: ArrayBufferView | undefined;
}

/**
 * One request being decoded, for the generated decoder of its function, then (as a
 * DecodedCall) the call's arguments and its write-backs. Regions are taken in order, one per
 * non-NULL pointer the decoder meets, as the C walker wrote them; offsets are into `view`, which
 * spans the whole buffer the request lies in.
 */
export class Decoding implements DecodedCall {
  args: unknown[] = [];
  /** The next region's header. */
  private next: number;
  regionsLeft: number;
  private writeBacks: WriteBack[] | undefined;

  constructor(
    private readonly memory: HostMemory,
    readonly view: DataView,
    /** The same buffer as bytes. */
    private readonly requestBytes: Uint8Array,
    readonly fn: number,
    private readonly base: number,
    argCount: number,
    readonly regionCount: number,
    /** Where the request ends: no region may reach past it. */
    private readonly end: number,
  ) {
    this.next = base + REQUEST_HEADER + 8 * argCount;
    this.regionsLeft = regionCount;
  }

  /** The low and high halves of argument `i`, and all of it as a u64. */
  lo(i: number): number {
    return this.view.getUint32(this.base + REQUEST_HEADER + 8 * i, true);
  }
  hi(i: number): number {
    return this.view.getUint32(this.base + REQUEST_HEADER + 8 * i + 4, true);
  }
  u64(i: number): bigint {
    return this.view.getBigUint64(this.base + REQUEST_HEADER + 8 * i, true);
  }

  /** The region of pointer argument `i`: its header offset, or -1 for NULL. */
  argRegion(i: number): number {
    return this.region(this.lo(i), this.hi(i));
  }

  /** The region of the pointer member at `at`. */
  fieldRegion(at: number): number {
    return this.region(this.view.getUint32(at, true), this.view.getUint32(at + 4, true));
  }

  private region(lo: number, hi: number): number {
    if (lo === 0 && hi === 0) return -1;
    const view = this.view;
    const r = this.next;
    if (this.regionsLeft === 0 || r + REGION_HEADER > this.end || view.getUint32(r, true) !== lo || view.getUint32(r + 4, true) !== hi)
      throw new Error("the firmware's regions are out of step with the tables");
    const length = view.getUint32(r + 8, true);
    const next = view.getUint32(r + 12, true) & REGION_READABLE ? r + REGION_HEADER + align8(length) : r + REGION_HEADER;
    if (next > this.end) throw new Error('a region beyond the end of the request');
    this.next = next;
    this.regionsLeft--;
    return r;
  }

  readable(r: number): boolean {
    return (this.view.getUint32(r + 12, true) & REGION_READABLE) !== 0;
  }
  writable(r: number): boolean {
    return (this.view.getUint32(r + 12, true) & REGION_WRITABLE) !== 0;
  }
  length(r: number): number {
    return this.view.getUint32(r + 8, true);
  }
  /** A struct's guard: the unsigned `size`-byte value at `at`. */
  unsigned(at: number, size: number): number {
    const view = this.view;
    return size === 1 ? view.getUint8(at) : size === 2 ? view.getUint16(at, true) : size === 4 ? view.getUint32(at, true) : Number(view.getBigUint64(at, true));
  }
  /** A struct or scalar that would end beyond its region. */
  beyondRegion(): never {
    throw new RangeError('a value beyond the end of its region');
  }

  /** The region's bytes, as a view of the request (nothing writes to it). */
  private bytes(r: number): Uint8Array {
    const start = r + REGION_HEADER;
    return this.requestBytes.subarray(start, start + this.length(r));
  }
  private address(r: number): bigint {
    return this.view.getBigUint64(r, true);
  }

  /**
   * A counted buffer's elements, copied (the device may keep them, and the request area is the
   * next call's) into a slice of the memory's copy pool: no ArrayBuffer per argument.
   */
  array(r: number, size: number, signed: boolean): ArrayBufferView {
    const n = this.length(r);
    const copy = this.memory.copySpace(n);
    copyBytes(copy, 0, this.requestBytes, r + REGION_HEADER, n);
    return size === 1 && !signed ? copy : elements(copy, size, signed);
  }

  /**
   * `array` in memory of its own, placed at the application's address: for a buffer whose
   * address the device uses (an alignment limit names it).
   */
  placedArray(r: number, size: number, signed: boolean): ArrayBufferView {
    const copy = new Uint8Array(this.bytes(r));
    this.memory.place(copy.buffer, Number(this.address(r)));
    return size === 1 && !signed ? copy : elements(copy, size, signed);
  }

  /** Memory lent to the kernel beyond the call: one buffer per application buffer, kept across calls. */
  retain(r: number, unit: number): Uint8Array {
    const memory = this.memory;
    const bytes = this.bytes(r);
    const address = this.address(r);
    const key = `${address}:${bytes.byteLength}`;
    let kept = memory.retained.get(key);
    if (!kept) {
      const shadow = new Uint8Array(bytes);
      // Tracked before the device sees it, so every writer it makes over it marks its writes.
      kept = { address, shadow, synced: new Uint8Array(bytes), unit, writes: trackKeptWrites(shadow.buffer) };
      memory.place(shadow.buffer, Number(address));
      memory.retained.set(key, kept);
    } else if (!sameBytes(bytes, kept.synced)) {
      // The application changed its buffer (e.g. cleared consumed records): that is the truth now.
      kept.shadow.set(bytes);
      kept.synced.set(bytes);
    }
    return kept.shadow;
  }

  private track(kind: Back, region: number, size: number, box: { value: unknown } | undefined, write: WriteBack['write'], objects: WriteBack['objects'], array: ArrayBufferView | undefined): void {
    (this.writeBacks ??= []).push({ kind, region, size, box, write, objects, array });
  }
  trackScalar(r: number, box: { value: unknown }, size: number): void {
    this.track(Back.Scalar, r, size, box, undefined, undefined, undefined);
  }
  trackAddress(r: number, box: { value: unknown }, size: number): void {
    this.track(Back.Address, r, size, box, undefined, undefined, undefined);
  }
  trackStructs(r: number, write: NonNullable<WriteBack['write']>, stride: number, objects: Record<string, unknown>[]): void {
    this.track(Back.Structs, r, stride, undefined, write, objects, undefined);
  }
  trackArray(r: number, array: ArrayBufferView): void {
    this.track(Back.Array, r, 0, undefined, undefined, undefined, array);
  }

  /** Appends the writes into the call's own regions (call after the device has run). */
  finish(writes: MemoryWrite[]): void {
    const backs = this.writeBacks;
    if (backs === undefined) return;
    const scratch = this.memory.scratch;
    scratch.used = 0;
    const request = this.requestBytes;
    for (const w of backs) {
      const start = w.region + REGION_HEADER;
      const n = this.length(w.region);
      if (w.kind === Back.Array) {
        const now = new Uint8Array(w.array!.buffer, w.array!.byteOffset, n);
        if (!sameBytes(now, request.subarray(start, start + n))) writes.push({ address: this.address(w.region), bytes: now, kept: false });
        continue;
      }
      // The region's bytes with the device's values written over them, compared where they lie
      // (no view of either unless they differ: most outs come back as they went).
      const at = scratch.reserve(n);
      const bytes = scratch.bytes;
      copyBytes(bytes, at, request, start, n);
      if (w.kind === Back.Structs) {
        const objects = w.objects!;
        for (let i = 0; i < objects.length; i++) w.write!(scratch.view, at + i * w.size, objects[i]);
      } else {
        let v = w.box!.value;
        if (w.kind === Back.Address) v = v instanceof Uint8Array ? this.memory.addressOf(v) : v === null || v === undefined ? 0n : BigInt(v as number | bigint);
        putScalar(scratch.view, at, w.size, v);
      }
      let i = 0;
      while (i < n && bytes[at + i] === request[start + i]) i++;
      if (i < n) writes.push({ address: this.address(w.region), bytes: scratch.slice(at, n), kept: false });
    }
  }
}
