/** Small statistics helpers shared by every section. */

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of an unsorted sample. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = Float64Array.from(xs).sort();
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}

export function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A figure over repetitions: its median and the range it moved in. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(xs: number[], digits = 3): Spread {
  return { median: round(median(xs), digits), min: round(Math.min(...xs), digits), max: round(Math.max(...xs), digits) };
}

/** Element-wise a[i] / b[i]: ratios of runs paired by repetition (measured minutes apart, not across the whole run). */
export function pairedRatios(a: number[], b: number[]): number[] {
  if (a.length !== b.length) throw new Error(`cannot pair ${a.length} runs with ${b.length}`);
  return a.map((x, i) => x / b[i]);
}
