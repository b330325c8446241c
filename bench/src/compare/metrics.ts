/**
 * What `bench:compare` reads from each tree's results file and how it sums up the rounds. Only
 * fields that both the current harness and older ones (before the shared kernel, b9a4a59) write
 * are read, so a base commit's own harness can be compared with this one's.
 */
import { median, round } from '../stats.js';
import type { CaseResult } from '../runtime/worker.js';

/** Which way is better for a metric. */
export type Better = 'higher' | 'lower';

export interface Metric {
  /** `aedes qos0 emulated msg/s`, `mosquitto latency p50 emulated/raw`, … */
  name: string;
  value: number;
  better: Better;
}

type Json = Record<string, unknown>;

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

/**
 * The runtime section's figures, per broker: throughput of the emulated device and of raw mqtt.js
 * (QoS 0 and 1), their ratio, CPU per message, and the emulated/raw latency ratios. Raw mqtt.js
 * does not change between the trees: its figures show how much the machine moved between runs.
 */
export function runtimeMetrics(results: unknown): Metric[] {
  const runtime = isObject(results) ? results.runtime : undefined;
  if (!isObject(runtime)) throw new Error('the results have no runtime section');
  const out: Metric[] = [];
  const add = (name: string, value: unknown, better: Better) => {
    const v = num(value);
    if (v !== undefined) out.push({ name, value: v, better });
  };
  for (const [broker, r] of Object.entries(runtime)) {
    if (broker === 'settings' || !isObject(r)) continue;
    for (const qos of ['qos0', 'qos1'] as const) {
      const t = r[qos];
      if (!isObject(t)) continue;
      add(`${broker} ${qos} emulated msg/s`, t.emulated_msg_s, 'higher');
      add(`${broker} ${qos} raw msg/s`, t.raw_msg_s, 'higher');
      add(`${broker} ${qos} emulated/raw`, t.ratio, 'higher');
      add(`${broker} ${qos} emulated CPU µs/msg`, t.cpu_us_per_msg_emulated, 'lower');
    }
    const latency = isObject(r.latency) ? r.latency : {};
    const emulated = isObject(latency.emulated) ? latency.emulated : {};
    add(`${broker} latency p50 emulated µs`, emulated.p50_us, 'lower');
    add(`${broker} latency p99 emulated µs`, emulated.p99_us, 'lower');
    add(`${broker} latency p50 emulated/raw`, r.latency_p50_ratio, 'lower');
    add(`${broker} latency p99 emulated/raw`, r.latency_p99_ratio, 'lower');
  }
  if (out.length === 0) throw new Error('the runtime section has no broker results');
  return out;
}

/** `bench:compare --steady`: one emulated case's figures as metrics (`raw`: this round's raw mqtt.js result of the same kind, for the ratio). */
export function steadyMetrics(broker: string, r: CaseResult, raw: CaseResult): Metric[] {
  const kind = r.case.kind;
  const out: Metric[] = [{ name: `${broker} ${kind} emulated CPU µs/msg`, value: round(r.cpuUsPerMsg, 2), better: 'lower' }];
  if ('throughput' in r && 'throughput' in raw) {
    if (r.throughput.received !== r.throughput.sent) throw new Error(`${broker} ${kind}: ${r.throughput.sent - r.throughput.received} messages never arrived`);
    out.push({ name: `${broker} ${kind} emulated msg/s`, value: Math.round(r.throughput.msgPerSec), better: 'higher' });
    out.push({ name: `${broker} ${kind} emulated/raw`, value: round(r.throughput.msgPerSec / raw.throughput.msgPerSec, 3), better: 'higher' });
  } else if ('latency' in r && 'latency' in raw) {
    out.push({ name: `${broker} latency p50 emulated µs`, value: round(r.latency.p50Us, 1), better: 'lower' });
    out.push({ name: `${broker} latency p99 emulated µs`, value: round(r.latency.p99Us, 1), better: 'lower' });
    out.push({ name: `${broker} latency p50 emulated/raw`, value: round(r.latency.p50Us / raw.latency.p50Us, 3), better: 'lower' });
  }
  out.push({ name: `${broker} ${kind} emulated/raw CPU`, value: round(r.cpuUsPerMsg / raw.cpuUsPerMsg, 3), better: 'lower' });
  return out;
}

export interface SideSummary {
  median: number;
  min: number;
  max: number;
  values: number[];
}

export interface MetricComparison {
  name: string;
  better: Better;
  before: SideSummary;
  after: SideSummary;
  /** median(after) / median(before). */
  ratio: number;
  /** after/before of each round (the two ran back to back), lowest and highest. */
  roundRatioMin: number;
  roundRatioMax: number;
  /**
   * With 3 rounds or more: every round of this tree did worse than every round of the base (the
   * two sides' ranges do not overlap, the bad way). Fewer rounds judge nothing.
   */
  worse: boolean;
  /**
   * With 6 rounds or more: in every round this tree did worse than the base run next to it. The
   * ranges may still overlap (the machine drifts between rounds), but a change that loses every
   * back-to-back pair is real: 6 of 6 by chance is 1 in 64.
   */
  worseInEveryPair: boolean;
}

/** Rounds below which no metric is called worse: one or two runs a side say nothing about their spread. */
export const MIN_ROUNDS_TO_JUDGE = 3;
/** Rounds below which losing every back-to-back pair is not called worse. */
export const MIN_PAIRS_TO_JUDGE = 6;

function side(values: number[]): SideSummary {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), values };
}

/**
 * One row per metric that every round of both sides reported, in the order the first round
 * lists them. `before[i]` and `after[i]` are round i's metrics of each tree.
 */
export function compareRounds(before: Metric[][], after: Metric[][]): MetricComparison[] {
  if (before.length === 0 || before.length !== after.length) throw new Error('compareRounds: one set of metrics per round and side');
  const valuesOf = (rounds: Metric[][], name: string) => rounds.map((r) => r.find((m) => m.name === name)?.value);
  const rows: MetricComparison[] = [];
  for (const { name, better } of before[0]) {
    const b = valuesOf(before, name);
    const a = valuesOf(after, name);
    if (b.some((v) => v === undefined) || a.some((v) => v === undefined)) continue;
    const bs = side(b as number[]);
    const as = side(a as number[]);
    const perRound = (a as number[]).map((v, i) => v / (b as number[])[i]);
    // Worse only when the ranges do not even overlap in the bad direction: a noisy machine moves medians.
    const worse = before.length >= MIN_ROUNDS_TO_JUDGE && (better === 'higher' ? as.max < bs.min : as.min > bs.max);
    const worseInEveryPair = before.length >= MIN_PAIRS_TO_JUDGE && perRound.every((r) => (better === 'higher' ? r < 1 : r > 1));
    rows.push({
      name,
      better,
      before: bs,
      after: as,
      ratio: round(as.median / bs.median, 3),
      roundRatioMin: round(Math.min(...perRound), 3),
      roundRatioMax: round(Math.max(...perRound), 3),
      worse,
      worseInEveryPair,
    });
  }
  return rows;
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? String(Math.round(x)) : String(round(x, 2)));

/** The comparison as a Markdown table. */
export function renderComparison(rows: MetricComparison[], labels: { before: string; after: string }): string {
  const lines = [
    `| metric | ${labels.before}: median (min–max) | ${labels.after}: median (min–max) | after/before | per round | better |`,
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const cell = (s: SideSummary) => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
    const flag = r.worse ? ' **worse**' : r.worseInEveryPair ? ' **worse in every pair**' : '';
    lines.push(`| ${r.name} | ${cell(r.before)} | ${cell(r.after)} | ${r.ratio}${flag} | ${r.roundRatioMin}–${r.roundRatioMax} | ${r.better} |`);
  }
  return lines.join('\n');
}
