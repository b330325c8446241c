/**
 * Latency histogram with logarithmic buckets (each 2% wider than the last), so a fleet can run
 * for hours without keeping its samples: percentiles are read to within 2%.
 */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Smallest distinguished value (ms); below it everything shares bucket 0. */
const FLOOR_MS = 0.001;
const BUCKETS = Math.ceil(Math.log(1e6 / FLOOR_MS) / LOG_GROWTH) + 1; // up to 1,000 s

export class Histogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  maxMs = 0;

  add(ms: number): void {
    const i = ms <= FLOOR_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / FLOOR_MS) / LOG_GROWTH));
    this.counts[i]++;
    this.count++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** The upper edge of the bucket holding the p-th percentile (nearest rank), in ms; NaN when empty. */
  percentile(p: number): number {
    if (!this.count) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.maxMs, FLOOR_MS * GROWTH ** i);
    }
    return this.maxMs;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.maxMs = 0;
  }
}
