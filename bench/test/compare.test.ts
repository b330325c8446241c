import { describe, expect, it } from 'vitest';
import { compareRounds, renderComparison, runtimeMetrics, steadyMetrics, type Metric } from '../src/compare/metrics.js';

/** A runtime section as both the current harness and the one before the shared kernel (b9a4a59) write it. */
function results(emulatedQos0: number, p50Ratio: number) {
  const throughput = (emulated: number) => ({ raw_msg_s: 5000, emulated_msg_s: emulated, ratio: emulated / 5000, cpu_us_per_msg_raw: 50, cpu_us_per_msg_emulated: 70, runs_msg_s: {} });
  return {
    runtime: {
      settings: { reps: 1 },
      aedes: {
        qos0: throughput(emulatedQos0),
        qos1: throughput(2000),
        latency_p50_ratio: p50Ratio,
        latency_p99_ratio: 1.5,
        latency: { raw: { p50_us: 100, p99_us: 400 }, emulated: { p50_us: 100 * p50Ratio, p99_us: 600 }, cpu_ratio: 1.2 },
      },
    },
  };
}

const value = (ms: Metric[], name: string) => ms.find((m) => m.name === name)?.value;

describe('bench:compare metrics', () => {
  it('reads throughput, CPU and latency figures per broker, and nothing from settings', () => {
    const ms = runtimeMetrics(results(4000, 1.1));
    expect(value(ms, 'aedes qos0 emulated msg/s')).toBe(4000);
    expect(value(ms, 'aedes qos0 emulated/raw')).toBe(0.8);
    expect(value(ms, 'aedes qos1 emulated CPU µs/msg')).toBe(70);
    expect(value(ms, 'aedes latency p50 emulated/raw')).toBe(1.1);
    expect(value(ms, 'aedes latency p99 emulated µs')).toBe(600);
    expect(ms.some((m) => m.name.startsWith('settings'))).toBe(false);
    expect(ms.find((m) => m.name === 'aedes latency p50 emulated/raw')?.better).toBe('lower');
  });

  it('refuses results without a runtime section', () => {
    expect(() => runtimeMetrics({ generator: {} })).toThrow(/no runtime section/);
  });

  it('gives medians, ranges, after/before and per-round ratios', () => {
    const before = [4000, 3000, 5000].map((q) => runtimeMetrics(results(q, 1.1)));
    const after = [4400, 3300, 2000].map((q) => runtimeMetrics(results(q, 1.1)));
    const row = compareRounds(before, after).find((r) => r.name === 'aedes qos0 emulated msg/s')!;
    expect(row.before).toMatchObject({ median: 4000, min: 3000, max: 5000 });
    expect(row.after).toMatchObject({ median: 3300, min: 2000, max: 4400 });
    expect(row.ratio).toBe(0.825);
    expect(row.roundRatioMin).toBe(0.4);
    expect(row.roundRatioMax).toBe(1.1);
    // The ranges overlap: not called worse.
    expect(row.worse).toBe(false);
  });

  it('calls a metric worse only when every round is, and only from three rounds on', () => {
    const worseLatency = (rounds: number) => {
      const before = Array.from({ length: rounds }, (_, i) => runtimeMetrics(results(4000, 1.0 + i * 0.01)));
      const after = Array.from({ length: rounds }, (_, i) => runtimeMetrics(results(4000, 1.5 + i * 0.01)));
      return compareRounds(before, after).find((r) => r.name === 'aedes latency p50 emulated/raw')!.worse;
    };
    expect(worseLatency(3)).toBe(true);
    expect(worseLatency(2)).toBe(false);
  });

  it('calls a metric worse in every pair when each round lost to the base run beside it, ranges overlapping', () => {
    // The machine drifts: both sides speed up round by round, the after side always ~10 % behind.
    const rates = [1000, 1100, 1200, 1300, 1400, 1500];
    const row = (n: number, afterFactor: (i: number) => number) => {
      const before = rates.slice(0, n).map((q) => runtimeMetrics(results(q, 1.1)));
      const after = rates.slice(0, n).map((q, i) => runtimeMetrics(results(Math.round(q * afterFactor(i)), 1.1)));
      return compareRounds(before, after).find((r) => r.name === 'aedes qos0 emulated msg/s')!;
    };
    const lost = row(6, () => 0.9);
    expect(lost.worse).toBe(false);
    expect(lost.worseInEveryPair).toBe(true);
    expect(renderComparison([lost], { before: 'b', after: 'a' })).toContain('**worse in every pair**');
    // One round won: not called worse; five rounds: too few to judge.
    expect(row(6, (i) => (i === 3 ? 1.05 : 0.9)).worseInEveryPair).toBe(false);
    expect(row(5, () => 0.9).worseInEveryPair).toBe(false);
  });

  it('renders one table row per metric', () => {
    const rounds = [runtimeMetrics(results(4000, 1.1))];
    const table = renderComparison(compareRounds(rounds, rounds), { before: 'before', after: 'after' });
    expect(table.split('\n')).toHaveLength(2 + rounds[0].length);
    expect(table).toContain('| aedes qos0 emulated msg/s | 4000 (4000–4000) | 4000 (4000–4000) | 1 | 1–1 | higher |');
  });
});

describe('bench:compare --steady metrics', () => {
  const base = { broker: 'mosquitto' as const, pub: 'emulated' as const, sub: 'emulated' as const, count: 100, warmup: 10, window: 16, payloadSize: 100, protocolVersion: 4 as const };
  const tp = (side: 'raw' | 'emulated', msgPerSec: number, cpu: number, received = 100) => ({
    case: { ...base, kind: 'qos0' as const, pub: side, sub: side },
    cpuUsPerMsg: cpu,
    throughput: { sent: 100, received, duplicates: 0, elapsedMs: 1, msgPerSec },
  });
  const lat = (side: 'raw' | 'emulated', p50Us: number, cpu: number) => ({
    case: { ...base, kind: 'latency' as const, pub: side, sub: side },
    cpuUsPerMsg: cpu,
    latency: { samples: 100, p50Us, p99Us: 2 * p50Us, meanUs: p50Us },
  });

  it('gives CPU per message, throughput and the ratios to the round’s raw mqtt.js', () => {
    const ms = steadyMetrics('mosquitto', tp('emulated', 9000, 12), tp('raw', 10_000, 10));
    expect(value(ms, 'mosquitto qos0 emulated CPU µs/msg')).toBe(12);
    expect(value(ms, 'mosquitto qos0 emulated msg/s')).toBe(9000);
    expect(value(ms, 'mosquitto qos0 emulated/raw')).toBe(0.9);
    expect(value(ms, 'mosquitto qos0 emulated/raw CPU')).toBe(1.2);
    expect(ms.find((m) => m.name === 'mosquitto qos0 emulated/raw CPU')?.better).toBe('lower');
  });

  it('gives latency percentiles and the p50 ratio', () => {
    const ms = steadyMetrics('mosquitto', lat('emulated', 44, 30), lat('raw', 40, 24));
    expect(value(ms, 'mosquitto latency p50 emulated µs')).toBe(44);
    expect(value(ms, 'mosquitto latency p99 emulated µs')).toBe(88);
    expect(value(ms, 'mosquitto latency p50 emulated/raw')).toBe(1.1);
    expect(value(ms, 'mosquitto latency emulated/raw CPU')).toBe(1.25);
  });

  it('refuses a throughput run that lost messages', () => {
    expect(() => steadyMetrics('mosquitto', tp('emulated', 9000, 12, 99), tp('raw', 10_000, 10))).toThrow(/never arrived/);
  });
});
