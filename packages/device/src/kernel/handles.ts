/**
 * Handles: random, non-zero 32-bit values that are never reused during the device's life.
 * Each kind of object has its own table, and every value is unique across kinds, so a
 * handle of the wrong kind finds nothing and the call returns INVALIDHANDLE.
 */

export type Random = () => number;

export class HandleAllocator {
  private readonly issued = new Set<number>();
  constructor(private readonly random: Random) {}

  next(): number {
    for (;;) {
      const h = (this.random() * 0x1_0000_0000) >>> 0;
      if (h !== 0 && !this.issued.has(h)) {
        this.issued.add(h);
        return h;
      }
    }
  }
}

export class HandleTable<T> {
  private readonly live = new Map<number, T>();
  constructor(private readonly allocator: HandleAllocator) {}

  add(object: T): number {
    const h = this.allocator.next();
    this.live.set(h, object);
    return h;
  }

  /** The object behind `h`, or undefined for zero, a stale value, a non-number, or another kind's handle. */
  get(h: unknown): T | undefined {
    return typeof h === 'number' ? this.live.get(h) : undefined;
  }

  delete(h: number): boolean {
    return this.live.delete(h);
  }

  get size(): number {
    return this.live.size;
  }

  values(): IterableIterator<T> {
    return this.live.values();
  }

  entries(): IterableIterator<[number, T]> {
    return this.live.entries();
  }
}

/** A small deterministic generator (mulberry32) for reproducible handles in tests. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}
