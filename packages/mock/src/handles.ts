/**
 * Handles: non-zero 32-bit values, never reused during the mock's life, unique across kinds (so
 * a handle of the wrong kind finds nothing). Drawn from a seeded generator: the same seed gives
 * the same handles, and nothing can come to rely on them being small or sequential.
 */

export class HandleAllocator {
  private readonly issued = new Set<number>();
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    for (;;) {
      const h = this.random();
      if (h !== 0 && !this.issued.has(h)) {
        this.issued.add(h);
        return h;
      }
    }
  }

  /** mulberry32: small, fast, and the same on every platform. */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
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

  /** The object behind `h`: undefined for zero, a stale value, a non-number or another kind's handle. */
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
