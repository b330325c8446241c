/**
 * The workload, identical for raw mqtt.js and the emulated device:
 * - throughput: keep at most `window` publishes outstanding (issued, `done` not yet called),
 *   issue the next one as soon as one completes; time from the first measured publish to
 *   the subscriber receiving the last message.
 * - latency: one message at a time; the next is published from the subscriber's handler as
 *   soon as the previous one arrives; the sample is publish call → handler.
 * Payloads are `payloadSize` bytes with a 32-bit sequence number in front, so duplicates and
 * gaps are counted rather than assumed away.
 */
import { performance } from 'node:perf_hooks';
import type { Publisher, Subscriber } from './endpoints.js';
import { percentile } from '../stats.js';

/**
 * The messages of one batch, sequence numbers `first…first+count−1`, as views of one block.
 * The caller builds them before anything is timed or profiled: building 30,000 buffers costs
 * more CPU than some of the runs it would be charged to.
 */
export function makePayloads(size: number, first: number, count: number): Buffer[] {
  const block = Buffer.alloc(size * count, 0x61);
  return Array.from({ length: count }, (_, i) => {
    const b = block.subarray(i * size, (i + 1) * size);
    b.writeUInt32BE((first + i) >>> 0, 0);
    return b;
  });
}

/** A batch: its first sequence number and its payloads (from makePayloads). */
export interface Batch {
  first: number;
  payloads: Buffer[];
}

export interface ThroughputResult {
  sent: number;
  received: number;
  duplicates: number;
  elapsedMs: number;
  msgPerSec: number;
}

/**
 * Publishes the batch; resolves when all arrived, or when nothing happened for `stallMs`.
 * Progress is a message received or a publish completed: on a loaded machine the first
 * message can take longer than `stallMs` to reach the subscriber while the publisher is still
 * busy, and that is slowness to measure, not a stall.
 */
export async function throughput(pub: Publisher, sub: Subscriber, opts: Batch & { window: number; stallMs?: number }): Promise<ThroughputResult> {
  const { first, payloads, window } = opts;
  const count = payloads.length;
  const seen = new Uint8Array(count);
  let received = 0;
  let duplicates = 0;
  let lastProgress = performance.now();
  let lastReceived = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  sub.onMessage = (payload) => {
    const i = payload.readUInt32BE(0) - first;
    if (i < 0 || i >= count) return; // a late message of an earlier batch
    if (seen[i]) duplicates++;
    else {
      seen[i] = 1;
      received++;
      lastProgress = lastReceived = performance.now();
      if (received === count) finish();
    }
  };

  let sent = 0;
  let inFlight = 0;
  let pumping = false;
  let drained: (() => void) | undefined;
  const done = () => {
    inFlight--;
    lastProgress = performance.now();
    if (inFlight === 0 && drained) drained();
    pump();
  };
  // `done` may run synchronously inside `publish` (mqtt.js does at QoS 0): loop, don't recurse.
  const pump = () => {
    if (pumping) return;
    pumping = true;
    while (inFlight < window && sent < count) {
      inFlight++;
      pub.publish(payloads[sent++], done);
    }
    pumping = false;
  };

  const stallMs = opts.stallMs ?? 3000;
  const t0 = performance.now();
  const watchdog = setInterval(() => {
    if (performance.now() - lastProgress > stallMs) finish();
  }, 100);
  pump();
  await finished;
  clearInterval(watchdog);
  const elapsedMs = (received === count ? lastReceived : performance.now() - stallMs) - t0;
  // The next batch must start with an empty window: wait for the last completions (untimed).
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  return { sent, received, duplicates, elapsedMs, msgPerSec: (received / elapsedMs) * 1000 };
}

/** The reference ceiling: publish without completions while the socket takes data, wait for 'drain' otherwise. */
export async function throughputUnbounded(
  pub: Publisher & { needsDrain(): boolean; drained(): Promise<void> },
  sub: Subscriber,
  opts: Batch,
): Promise<ThroughputResult> {
  const { payloads } = opts;
  const count = payloads.length;
  const seen = new Uint8Array(count);
  let received = 0;
  let duplicates = 0;
  let last = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  sub.onMessage = (payload) => {
    const i = payload.readUInt32BE(0) - opts.first;
    if (i < 0 || i >= count) return;
    if (seen[i]) duplicates++;
    else {
      seen[i] = 1;
      received++;
      last = performance.now();
      if (received === count) finish();
    }
  };
  const t0 = performance.now();
  const watchdog = setInterval(() => {
    if (last && performance.now() - last > 3000) finish();
  }, 100);
  const noop = () => undefined;
  let sent = 0;
  while (sent < count) {
    pub.publish(payloads[sent++], noop);
    if (pub.needsDrain()) await pub.drained();
  }
  await finished;
  clearInterval(watchdog);
  const elapsedMs = last - t0;
  return { sent, received, duplicates, elapsedMs, msgPerSec: (received / elapsedMs) * 1000 };
}

export interface LatencyResult {
  samples: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
}

export async function latency(pub: Publisher, sub: Subscriber, opts: Batch & { timeoutMs?: number }): Promise<LatencyResult> {
  const { first, payloads } = opts;
  const count = payloads.length;
  const samples = new Float64Array(count);
  let i = 0;
  let t0 = 0;
  let finish!: (err?: Error) => void;
  const finished = new Promise<void>((resolve, reject) => (finish = (err) => (err ? reject(err) : resolve())));
  const noop = () => undefined;
  const sendNext = () => {
    t0 = performance.now();
    pub.publish(payloads[i], noop);
  };
  sub.onMessage = (payload) => {
    const t1 = performance.now();
    if (payload.readUInt32BE(0) !== first + i) return; // not the message we wait for
    samples[i++] = (t1 - t0) * 1000;
    if (i === count) finish();
    else sendNext();
  };
  const timer = setTimeout(() => finish(new Error(`latency run stalled after ${i} of ${count} messages`)), opts.timeoutMs ?? 60_000);
  sendNext();
  await finished;
  clearTimeout(timer);
  const xs = Array.from(samples);
  return { samples: count, p50Us: percentile(xs, 50), p99Us: percentile(xs, 99), meanUs: xs.reduce((a, b) => a + b, 0) / count };
}
