/**
 * Simulated application memory, shared by the device core and the mock. C hands the kernel raw
 * addresses; a TypeScript application hands typed-array views. Each ArrayBuffer gets a base
 * address the first time a runtime sees it, and a view's address is base + byteOffset, so the
 * spec's alignment rules behave as on hardware: a fresh `new Uint8Array(n)` satisfies every
 * alignment limit, and `buf.subarray(1)` is not even 2-aligned.
 */
import { LIMITS } from '../generated/index.js';

/** Where the first buffer lands (the start of SRAM on the STM32U5 memory map). */
const FIRST_BASE = 0x2000_0000;

/** Bases are aligned to a page, or to the strictest alignment limit in the spec if that is larger. */
const BASE_ALIGNMENT = (() => {
  let a = 4096;
  for (const l of Object.values(LIMITS) as { kind: string; value?: number }[]) if (l.kind === 'alignment' && l.value) a = Math.max(a, l.value);
  return 2 ** Math.ceil(Math.log2(a));
})();

export interface AddressRange {
  start: number;
  end: number;
}

/** A buffer's base in one SimulatedMemory, kept on the buffer under that memory's own key. */
type Based = ArrayBufferLike & Record<symbol, number | undefined>;

export class SimulatedMemory {
  /*
   * The base lives on the buffer itself, under a key of this memory's (two memories give one buffer
   * two bases, as a WeakMap each would): a host bridge places a fresh copy per call argument, and
   * a WeakMap entry per buffer cost the device core ephemeron work on every set and collection.
   * A buffer that takes no properties (frozen) falls back to the map.
   */
  private readonly key: symbol = Symbol('base');
  private readonly sealedBases = new WeakMap<ArrayBufferLike, number>();
  private next = FIRST_BASE;

  private baseOf(buffer: ArrayBufferLike): number | undefined {
    return (buffer as Based)[this.key] ?? this.sealedBases.get(buffer);
  }

  private setBase(buffer: ArrayBufferLike, base: number): void {
    if (Object.isExtensible(buffer)) (buffer as Based)[this.key] = base;
    else this.sealedBases.set(buffer, base);
  }

  /** The simulated address of the first byte of `view`. */
  addressOf(view: ArrayBufferView): number {
    const buffer = view.buffer;
    let base = this.baseOf(buffer);
    if (base === undefined) {
      base = this.next;
      // Leave a gap between buffers so that no two allocations ever touch.
      this.next += (Math.ceil(buffer.byteLength / BASE_ALIGNMENT) + 1) * BASE_ALIGNMENT;
      this.setBase(buffer, base);
    }
    return base + view.byteOffset;
  }

  /**
   * Pins `buffer` at `address`: it mirrors application memory whose address is known (a host
   * firmware's), so alignment rules see the real address. A buffer already placed keeps its base.
   */
  place(buffer: ArrayBufferLike, address: number): void {
    if (this.baseOf(buffer) === undefined) this.setBase(buffer, address);
  }

  isAligned(view: ArrayBufferView, alignment: number): boolean {
    return this.addressOf(view) % alignment === 0;
  }

  /** The address range [start, end) the kernel would touch for `length` bytes from `view`. */
  range(view: ArrayBufferView, length: number): AddressRange {
    const start = this.addressOf(view);
    return { start, end: start + length };
  }
}

/**
 * A buffer a host bridge mirrors: its copy of a firmware's notification ring or channel buffer,
 * which the kernel writes between calls. The runtime's writers into such memory (notification
 * centres, byte rings) set `dirty` after each write, so the bridge compares only buffers
 * written since it last sent them to the firmware, instead of every kept buffer on every call
 * and interrupt. Buffers nobody tracks cost their writers nothing (looked up once, on creation).
 */
export interface KeptWrites {
  dirty: boolean;
}

const keptWrites = new WeakMap<ArrayBufferLike, KeptWrites>();

/** Starts tracking writes into `buffer` (before any writer is made over it). */
export function trackKeptWrites(buffer: ArrayBufferLike): KeptWrites {
  let t = keptWrites.get(buffer);
  if (!t) keptWrites.set(buffer, (t = { dirty: false }));
  return t;
}

/** The tracker a writer over `view` must mark, if someone tracks its buffer. */
export function keptWritesOf(view: ArrayBufferView): KeptWrites | undefined {
  return keptWrites.get(view.buffer);
}

export function overlaps(a: AddressRange, b: AddressRange): boolean {
  return a.start < b.end && b.start < a.end;
}
