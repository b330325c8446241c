/**
 * Simulated application memory, the same model as the device core's: each ArrayBuffer gets a
 * base address the first time the mock sees it, and a view's address is base + byteOffset. Bases
 * are aligned to the largest alignment any spec limit asks for, so a fresh `new Uint8Array(n)`
 * passes every alignment rule and `buf.subarray(1)` fails them, exactly as on the device core.
 */
import { LIMITS } from '@mvmqtt/sdk';

/** The start of SRAM on the device's memory map: where the first buffer lands. */
const FIRST_BASE = 0x2000_0000;

function largestAlignment(): number {
  let a = 1;
  for (const l of Object.values(LIMITS) as { kind: string; value?: number }[]) if (l.kind === 'alignment' && l.value) a = Math.max(a, l.value);
  // Round up to a power of two, so every smaller power-of-two alignment divides it.
  return 2 ** Math.ceil(Math.log2(a));
}

const BASE_ALIGNMENT = largestAlignment();

export interface AddressRange {
  start: number;
  end: number;
}

export class SimulatedMemory {
  private readonly bases = new WeakMap<ArrayBufferLike, number>();
  private next = FIRST_BASE;

  addressOf(view: ArrayBufferView): number {
    let base = this.bases.get(view.buffer);
    if (base === undefined) {
      base = this.next;
      // Leave a gap so that no two buffers ever touch.
      this.next += (Math.ceil(view.buffer.byteLength / BASE_ALIGNMENT) + 1) * BASE_ALIGNMENT;
      this.bases.set(view.buffer, base);
    }
    return base + view.byteOffset;
  }

  range(view: ArrayBufferView, length: number): AddressRange {
    const start = this.addressOf(view);
    return { start, end: start + length };
  }
}

export function overlaps(a: AddressRange, b: AddressRange): boolean {
  return a.start < b.end && b.start < a.end;
}
