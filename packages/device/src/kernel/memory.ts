/**
 * Simulated application memory. C hands the kernel raw addresses; here the application hands
 * typed-array views. Each ArrayBuffer gets a base address the first time the device sees it
 * (bases are 4096-aligned and spaced apart), and a view's address is base + byteOffset, so
 * alignment rules behave as on hardware: a fresh `new Uint8Array(n)` is 4096-aligned, and
 * `buf.subarray(1)` is not even 2-aligned.
 */

/** Where the first buffer lands (the start of SRAM on the STM32U5 memory map). */
const FIRST_BASE = 0x2000_0000;
const PAGE = 4096;

export class SimulatedMemory {
  private readonly bases = new WeakMap<ArrayBufferLike, number>();
  private next = FIRST_BASE;

  /** The simulated address of the first byte of `view`. */
  addressOf(view: ArrayBufferView): number {
    const buffer = view.buffer;
    let base = this.bases.get(buffer);
    if (base === undefined) {
      base = this.next;
      // Leave a page between buffers so that no two allocations ever touch.
      this.next += (Math.ceil(buffer.byteLength / PAGE) + 1) * PAGE;
      this.bases.set(buffer, base);
    }
    return base + view.byteOffset;
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

export interface AddressRange {
  start: number;
  end: number;
}

export function overlaps(a: AddressRange, b: AddressRange): boolean {
  return a.start < b.end && b.start < a.end;
}

/** True when `x` is a live (not detached) view of the wanted element type. */
export function isBytes(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array;
}

export function isWords(x: unknown): x is Uint32Array {
  return x instanceof Uint32Array;
}
