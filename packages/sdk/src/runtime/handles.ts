/**
 * Handles as a Microvisor kernel hands them out: non-zero 32-bit values, never reused during
 * the runtime's life, and unique across kinds, so a handle of the wrong kind finds nothing
 * (the call then returns INVALIDHANDLE). Shared by the device core and the mock.
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

/** The live objects of one kind, by handle. */
export class HandleTable<T> {
  private readonly live = new Map<number, T>();
  /**
   * The last handle found and its object (0: none; zero is never a handle). Calls name the same
   * few objects over and over, and half of all handles are above 2^30: heap numbers, whose Map
   * look-up hashes a double. Every call's argument check looks its handle up.
   */
  private lastHandle = 0;
  private lastObject: T | undefined;
  constructor(private readonly allocator: HandleAllocator) {}

  add(object: T): number {
    const h = this.allocator.next();
    this.live.set(h, object);
    return h;
  }

  /** The object behind `h`, or undefined for zero, a stale value, a non-number, or another kind's handle. */
  get(h: unknown): T | undefined {
    if (h === this.lastHandle) return this.lastObject;
    if (typeof h !== 'number') return undefined;
    const object = this.live.get(h);
    if (object !== undefined) {
      this.lastHandle = h;
      this.lastObject = object;
    }
    return object;
  }

  delete(h: number): boolean {
    if (h === this.lastHandle) {
      this.lastHandle = 0;
      this.lastObject = undefined;
    }
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

/** A small deterministic generator (mulberry32): the same seed gives the same handles everywhere. */
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

/** What a runtime's kernel holds, as plain data: for tests that a call changed nothing, and for inspectors. */
export interface KernelState {
  centres: number[];
  networks: number[];
  channels: { handle: number; closed: boolean; unread: number }[];
}

/** The live handles of a kernel's tables as plain data (`kernelState()` of both runtimes). */
export function kernelStateOf(k: { centres: HandleTable<unknown>; networks: HandleTable<unknown>; channels: HandleTable<{ readonly closed: boolean; readonly unread: number }> }): KernelState {
  return {
    centres: [...k.centres.entries()].map(([h]) => h),
    networks: [...k.networks.entries()].map(([h]) => h),
    channels: [...k.channels.entries()].map(([handle, ch]) => ({ handle, closed: ch.closed, unread: ch.unread })),
  };
}
