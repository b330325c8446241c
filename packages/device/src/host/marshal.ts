/**
 * Turns a firmware's system-call request into the arguments the device core takes (the shapes
 * of @mvmqtt/sdk: boxes for scalar pointers, objects for struct pointers, typed arrays for
 * counted buffers), and afterwards turns what the device wrote into memory writes for the
 * firmware. Driven entirely by the generated tables: the regions arrive in the order the C
 * walker visited pointers, and this walk visits them in the same order.
 */
import { HOST_TABLES, type HostFunction, type HostPointer, type HostScalar, type HostStruct } from './generated/tables.js';
import { trackKeptWrites, type KeptWrites } from '@mvmqtt/sdk/runtime';
import { GrowingBuffer, REGION_HEADER, REGION_READABLE, REGION_WRITABLE, REQUEST_HEADER, align8, type MemoryWrite } from './protocol.js';

interface Region {
  address: bigint;
  length: number;
  flags: number;
  /** The bytes the application had there (a view into the request). */
  bytes: Uint8Array | undefined;
}

/** Something the device may have changed, and how to turn it back into bytes. */
interface WriteBack {
  address: bigint;
  original: Uint8Array;
  encode(scratch: GrowingBuffer): Uint8Array;
}

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

/*
 * The tables again with every scalar, pointer, field and parameter in one object shape each (the
 * generated ones omit absent members, so each kind has several shapes): the walk's property
 * loads then stay monomorphic instead of going through megamorphic inline caches.
 */
function uniformScalar(s: HostScalar): HostScalar {
  const any = s as { kind: HostScalar['kind']; size?: number; signed?: boolean; struct?: number };
  return { kind: any.kind, size: any.size ?? 0, signed: any.signed ?? false, struct: any.struct ?? -1 } as HostScalar;
}
function uniformPointer(p: HostPointer): HostPointer {
  return { to: uniformScalar(p.to), elementSize: p.elementSize, writable: p.writable, count: p.count, kept: p.kept };
}
const STRUCTS: readonly HostStruct[] = HOST_TABLES.structs.map((st) => ({
  name: st.name,
  size: st.size,
  fields: st.fields.map((f) => ({
    path: f.path,
    offset: f.offset,
    value: f.value && uniformScalar(f.value),
    pointer: f.pointer && uniformPointer(f.pointer),
    guard: f.guard,
  })),
}));
const FUNCTIONS: readonly HostFunction[] = HOST_TABLES.functions.map((fn) => ({
  name: fn.name,
  id: fn.id,
  returns: fn.returns,
  params: fn.params.map((p) => ({ name: p.name, value: p.value && uniformScalar(p.value), pointer: p.pointer && uniformPointer(p.pointer) })),
  unsupported: fn.unsupported,
}));

function readScalar(view: DataView, at: number, s: HostScalar): number | bigint {
  switch (s.kind) {
    case 'int':
      switch (s.size) {
        case 1:
          return s.signed ? view.getInt8(at) : view.getUint8(at);
        case 2:
          return s.signed ? view.getInt16(at, true) : view.getUint16(at, true);
        case 4:
          return s.signed ? view.getInt32(at, true) : view.getUint32(at, true);
        default:
          return s.signed ? view.getBigInt64(at, true) : view.getBigUint64(at, true);
      }
    case 'enum':
      return s.size === 1 ? view.getUint8(at) : s.size === 2 ? view.getUint16(at, true) : view.getUint32(at, true);
    case 'handle':
      return s.size === 8 ? Number(view.getBigUint64(at, true)) : view.getUint32(at, true);
    case 'address':
      return s.size === 8 ? view.getBigUint64(at, true) : BigInt(view.getUint32(at, true));
    case 'struct':
      throw new Error('readScalar: struct');
  }
}

function readUnsigned(view: DataView, at: number, size: number): number {
  return size === 1 ? view.getUint8(at) : size === 2 ? view.getUint16(at, true) : size === 4 ? view.getUint32(at, true) : Number(view.getBigUint64(at, true));
}

function writeScalar(view: DataView, at: number, s: HostScalar, v: unknown): void {
  const size = s.kind === 'struct' ? 0 : s.size;
  // Numbers stay numbers: a BigInt per written word cost more than the rest of a call.
  if (typeof v === 'number') {
    if (size === 8) {
      view.setUint32(at, v >>> 0, true);
      view.setUint32(at + 4, Math.floor(v / 0x1_0000_0000) >>> 0, true);
    } else if (size === 4) view.setUint32(at, v >>> 0, true);
    else if (size === 2) view.setUint16(at, v & 0xffff, true);
    else if (size === 1) view.setUint8(at, v & 0xff);
  } else if (typeof v === 'bigint') {
    if (size === 8) view.setBigUint64(at, BigInt.asUintN(64, v), true);
    else writeScalar(view, at, s, Number(BigInt.asUintN(size * 8, v)));
  }
}

/**
 * A value parameter (u64 on the wire, as its two 32-bit halves) as the device takes it. BigInt
 * only for 64-bit integers: a BigInt per argument cost more than the rest of the decode.
 */
function valueArgument(lo: number, hi: number, s: HostScalar): number | bigint {
  const size = s.kind === 'struct' ? 8 : s.size;
  if (s.kind === 'int' && size === 8) {
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    return s.signed ? BigInt.asIntN(64, v) : v;
  }
  if (size === 8) return hi * 0x1_0000_0000 + lo;
  const signed = s.kind === 'int' && s.signed;
  switch (size) {
    case 1:
      return signed ? (lo << 24) >> 24 : lo & 0xff;
    case 2:
      return signed ? (lo << 16) >> 16 : lo & 0xffff;
    default:
      return signed ? lo | 0 : lo;
  }
}

function typedArrayFor(s: HostScalar, bytes: Uint8Array): ArrayBufferView {
  const copy = new Uint8Array(bytes); // own memory: the device may keep it; aligned for any element
  if (s.kind !== 'int') return new Uint32Array(copy.buffer, 0, copy.byteLength >> 2);
  const n = copy.byteLength / s.size;
  switch (s.size) {
    case 1:
      return s.signed ? new Int8Array(copy.buffer) : copy;
    case 2:
      return s.signed ? new Int16Array(copy.buffer, 0, Math.floor(n)) : new Uint16Array(copy.buffer, 0, Math.floor(n));
    case 4:
      return s.signed ? new Int32Array(copy.buffer, 0, Math.floor(n)) : new Uint32Array(copy.buffer, 0, Math.floor(n));
    default:
      return s.signed ? new BigInt64Array(copy.buffer, 0, Math.floor(n)) : new BigUint64Array(copy.buffer, 0, Math.floor(n));
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

  /** A view of the whole buffer the last request came in (the call channel's: the same every call). */
  private view: DataView | undefined;

  private viewOf(buffer: ArrayBufferLike): DataView {
    let view = this.view;
    if (view === undefined || view.buffer !== buffer) this.view = view = new DataView(buffer);
    return view;
  }

  /** Decodes one request. `finish()` gives the writes for the answer once the device has run. */
  decode(request: Buffer): DecodedCall {
    const fn = request.readUInt32LE(4);
    const argCount = request.readUInt32LE(8);
    const regionCount = request.readUInt32LE(12);
    let at = REQUEST_HEADER;
    const argsAt = at;
    at += 8 * argCount;
    const regions: Region[] = new Array(regionCount);
    const buffer = request.buffer;
    const offset = request.byteOffset;
    for (let i = 0; i < regionCount; i++) {
      const address = request.readBigUInt64LE(at);
      const length = request.readUInt32LE(at + 8);
      const flags = request.readUInt32LE(at + 12);
      at += REGION_HEADER;
      let bytes: Uint8Array | undefined;
      if (flags & REGION_READABLE) {
        bytes = new Uint8Array(buffer, offset + at, length);
        at += align8(length);
      }
      regions[i] = { address, length, flags, bytes };
    }
    const description = FUNCTIONS[fn];
    if (!description) throw new Error(`the firmware called unknown function #${fn}`);
    const params = description.params;
    if (params.length > argCount) throw new Error(`${description.name}: the firmware sent ${argCount} arguments`);
    const args: unknown[] = new Array(params.length);
    const walk = new Walk(fn, args, regions, this, this.viewOf(buffer));
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const lo = request.readUInt32LE(argsAt + 8 * i);
      const hi = request.readUInt32LE(argsAt + 8 * i + 4);
      args[i] = p.pointer ? walk.pointer(lo === 0 && hi === 0 ? 0n : (BigInt(hi) << 32n) | BigInt(lo), p.pointer) : valueArgument(lo, hi, p.value!);
    }
    if (walk.next !== regions.length) throw new Error(`${description.name}: the firmware sent ${regions.length} regions, the tables account for ${walk.next}`);
    return walk;
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

class Walk implements DecodedCall {
  next = 0;
  readonly writeBacks: WriteBack[] = [];

  /** @param view views the whole buffer the regions' bytes lie in (one DataView per request, not one per struct or word). */
  constructor(
    readonly fn: number,
    readonly args: unknown[],
    private readonly regions: Region[],
    private readonly memory: HostMemory,
    private readonly view: DataView,
  ) {}

  finish(writes: MemoryWrite[]): void {
    const scratch = this.memory.scratch;
    scratch.used = 0;
    for (const w of this.writeBacks) {
      const now = w.encode(scratch);
      if (!sameBytes(now, w.original)) writes.push({ address: w.address, bytes: now, kept: false });
    }
  }

  pointer(address: bigint, p: HostPointer): unknown {
    if (address === 0n) return null;
    const region = this.regions[this.next++];
    if (!region || region.address !== address) throw new Error('the firmware\'s regions are out of step with the tables');
    if (!region.bytes) return null;
    const value = this.pointee(region, region.bytes, p);
    // A pointer the kernel writes through must be to memory the application can write.
    if (p.writable && !(region.flags & REGION_WRITABLE)) return null;
    return value;
  }

  private pointee(region: Region, bytes: Uint8Array, p: HostPointer): unknown {
    const to = p.to;
    const writable = p.writable && (region.flags & REGION_WRITABLE) !== 0;
    // Lent to the kernel, which writes it later, in place: one buffer kept across calls.
    if (p.kept) {
      if (to.kind === 'struct') for (let at = 0; at + p.elementSize <= bytes.byteLength; at += p.elementSize) this.struct(STRUCTS[to.struct], bytes, at);
      return this.retain(region, bytes, to.kind === 'struct' ? Math.max(1, p.elementSize) : 1);
    }
    if (to.kind === 'address') {
      // A `T **` out: the device answers with a view of kept memory (or null), written back as its address.
      const box: { value: unknown } = { value: this.scalar(bytes, to) };
      if (writable)
        this.track(region, bytes, (scratch) => {
          const at = scratch.copy(bytes);
          const v = box.value;
          const address = v instanceof Uint8Array ? this.memory.addressOf(v) : v === null || v === undefined ? 0n : BigInt(v as number | bigint);
          writeScalar(scratch.view, at, to, address);
          return scratch.slice(at, bytes.byteLength);
        });
      return box;
    }
    if (p.count) {
      if (to.kind === 'struct') {
        const elements: Record<string, unknown>[] = [];
        for (let at = 0; at + p.elementSize <= bytes.byteLength; at += p.elementSize) elements.push(this.struct(STRUCTS[to.struct], bytes, at));
        if (writable) this.track(region, bytes, (scratch) => encodeStructs(scratch, STRUCTS[to.struct], bytes, elements));
        return elements;
      }
      const array = typedArrayFor(to, bytes);
      this.memory.place(array.buffer, Number(region.address));
      if (writable) this.track(region, bytes, () => new Uint8Array(array.buffer, array.byteOffset, bytes.byteLength));
      return array;
    }
    if (to.kind === 'struct') {
      const object = this.struct(STRUCTS[to.struct], bytes, 0);
      if (writable) this.track(region, bytes, (scratch) => encodeStructs(scratch, STRUCTS[to.struct], bytes, [object]));
      return object;
    }
    const box = { value: this.scalar(bytes, to) };
    if (writable)
      this.track(region, bytes, (scratch) => {
        const at = scratch.copy(bytes);
        writeScalar(scratch.view, at, to, box.value);
        return scratch.slice(at, bytes.byteLength);
      });
    return box;
  }

  /** The scalar at the start of `bytes` (a region's). */
  private scalar(bytes: Uint8Array, s: HostScalar): number | bigint {
    // The shared view does not stop at the region's end: check as a view of the region would.
    if ((s.kind === 'struct' ? 0 : s.size) > bytes.byteLength) throw new RangeError('a scalar beyond the end of its region');
    return readScalar(this.view, bytes.byteOffset - this.view.byteOffset, s);
  }

  /** The struct at `base` in `bytes` (a region's). */
  private struct(s: HostStruct, bytes: Uint8Array, base: number): Record<string, unknown> {
    if (base + s.size > bytes.byteLength) throw new RangeError('a struct beyond the end of its region');
    return this.structAt(s, bytes.byteOffset - this.view.byteOffset + base);
  }

  /** The struct at offset `at` of the shared view (inside a region: `struct` checked). */
  private structAt(s: HostStruct, at: number): Record<string, unknown> {
    const view = this.view;
    const object: Record<string, unknown> = {};
    for (const f of s.fields) {
      if (f.guard && readUnsigned(view, at + f.guard.offset, f.guard.size) !== f.guard.value) continue;
      let value: unknown;
      if (f.pointer) value = this.pointer(view.getBigUint64(at + f.offset, true), f.pointer);
      else if (f.value!.kind === 'struct') value = this.structAt(STRUCTS[f.value!.struct], at + f.offset);
      else value = readScalar(view, at + f.offset, f.value!);
      setPath(object, f.path, value);
    }
    return object;
  }

  private track(region: Region, original: Uint8Array, encode: (scratch: GrowingBuffer) => Uint8Array): void {
    // `original` views the request, which nothing writes to: no copy needed.
    this.writeBacks.push({ address: region.address, original, encode });
  }

  private retain(region: Region, bytes: Uint8Array, unit: number): Uint8Array {
    const key = `${region.address}:${region.length}`;
    let r = this.memory.retained.get(key);
    if (!r) {
      const shadow = new Uint8Array(bytes);
      // Tracked before the device sees it, so every writer it makes over it marks its writes.
      r = { address: region.address, shadow, synced: new Uint8Array(bytes), unit, writes: trackKeptWrites(shadow.buffer) };
      this.memory.place(r.shadow.buffer, Number(region.address));
      this.memory.retained.set(key, r);
    } else if (!sameBytes(bytes, r.synced)) {
      // The application changed its buffer (e.g. cleared consumed records): that is the truth now.
      r.shadow.set(bytes);
      r.synced.set(bytes);
    }
    return r.shadow;
  }
}

/** Each field's path split at its dots, once (a split per field per call was a good part of the decode). */
const PATH_PARTS = new Map<string, readonly string[]>();
function pathParts(path: string): readonly string[] {
  let parts = PATH_PARTS.get(path);
  if (!parts) PATH_PARTS.set(path, (parts = path.split('.')));
  return parts;
}

function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  // Most fields are top-level members: no split, no lookup.
  if (path.indexOf('.') < 0) {
    object[path] = value;
    return;
  }
  const parts = pathParts(path);
  let o = object;
  for (let i = 0; i < parts.length - 1; i++) o = (o[parts[i]] ??= {}) as Record<string, unknown>;
  o[parts[parts.length - 1]] = value;
}

function getPath(object: Record<string, unknown>, path: string): unknown {
  if (path.indexOf('.') < 0) return object[path];
  let o: unknown = object;
  for (const part of pathParts(path)) o = (o as Record<string, unknown> | undefined)?.[part];
  return o;
}

/** Re-encodes the scalar members of structs (pointers are the application's, never rewritten). */
function encodeStructs(scratch: GrowingBuffer, s: HostStruct, original: Uint8Array, objects: Record<string, unknown>[]): Uint8Array {
  const at = scratch.copy(original);
  for (let i = 0; i < objects.length; i++) encodeStruct(s, scratch.view, at + i * s.size, objects[i]);
  return scratch.slice(at, original.byteLength);
}

function encodeStruct(s: HostStruct, view: DataView, base: number, object: Record<string, unknown>): void {
  for (const f of s.fields) {
    if (f.pointer || !f.value) continue;
    const v = getPath(object, f.path);
    if (v === undefined) continue;
    if (f.value.kind === 'struct') encodeStruct(STRUCTS[f.value.struct], view, base + f.offset, v as Record<string, unknown>);
    else writeScalar(view, base + f.offset, f.value, v);
  }
}
