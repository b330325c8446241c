/**
 * CPU profile of one runtime case: the same worker as the benchmark, its measured phase alone
 * profiled (V8's sampling profiler through node:inspector, every 100 µs: what `node --cpu-prof`
 * records, without start-up and warm-up), then the functions with the most self time and the
 * packages they belong to.
 *
 *   node --import tsx bench/src/profile.ts [--broker aedes|mosquitto] [--kind qos0|qos1|latency]
 *        [--side emulated|raw] [--count N] [--top N]
 *
 * The .cpuprofile is kept (its path is printed): open it in Chrome DevTools or speedscope for
 * the flame graph.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startMosquitto, type MosquittoHarness } from '../../test/support/brokers.js';
import { runWorker } from './fork.js';
import { REPO_ROOT } from './paths.js';
import { publishWindow } from './runtime/window.js';
import type { CaseResult, RuntimeCase } from './runtime/worker.js';

const WORKER = fileURLToPath(new URL('./runtime/worker.ts', import.meta.url));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Where a frame's code lives, shortly: our packages by path, dependencies by package name. */
function place(url: string): string {
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length).split('/').slice(0, path.slice(nm + 13).startsWith('@') ? 2 : 1).join('/');
  return path.startsWith(REPO_ROOT) ? relative(REPO_ROOT, path) : path;
}

function summarize(file: string, top: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] };
  const totalSamples = profile.samples.length;
  const usPerSample = (profile.endTime - profile.startTime) / totalSamples;
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    const where = place(n.callFrame.url);
    const key = `${n.callFrame.functionName || '(anonymous)'}  ${where}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
    const group = where.startsWith('packages/') || where.startsWith('bench/') ? where.split('/').slice(0, 3).join('/') : where;
    byPlace.set(group, (byPlace.get(group) ?? 0) + hits);
  }
  const pct = (h: number) => `${((h / totalSamples) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`${totalSamples} samples, ${(usPerSample / 1000).toFixed(2)} ms apart`, '', 'self time by place:'];
  for (const [k, h] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(h)}  ${k}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const [k, h] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(h)}  ${k}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      broker: { type: 'string', default: 'aedes' },
      kind: { type: 'string', default: 'qos0' },
      side: { type: 'string', default: 'emulated' },
      count: { type: 'string', default: '100000' },
      top: { type: 'string', default: '30' },
    },
    strict: true,
  });
  const broker = values.broker as RuntimeCase['broker'];
  const kind = values.kind as RuntimeCase['kind'];
  const side = values.side as 'raw' | 'emulated';
  if (!['aedes', 'mosquitto'].includes(broker) || !['qos0', 'qos1', 'latency'].includes(kind) || !['raw', 'emulated'].includes(side)) throw new Error('bad --broker, --kind or --side');
  const file = join(mkdtempSync(join(tmpdir(), 'mvmqtt-profile-')), `${broker}-${kind}-${side}.cpuprofile`);
  let mosquitto: MosquittoHarness | undefined;
  if (broker === 'mosquitto') mosquitto = await startMosquitto({ extraConfig: ['max_connections -1'] });
  try {
    const count = Number(values.count);
    const c: RuntimeCase = { broker, url: mosquitto?.url, kind, pub: side, sub: side, count, warmup: Math.min(5000, count / 10), window: publishWindow(), payloadSize: 100, protocolVersion: 4 };
    const r = await runWorker<CaseResult>(WORKER, c, { env: { MVMQTT_CPU_PROFILE: file }, timeoutMs: 600_000 });
    console.log(`${broker} ${kind} ${side}: ${'throughput' in r ? `${Math.round(r.throughput.msgPerSec)} msg/s` : `p50 ${r.latency.p50Us.toFixed(1)} µs`}, ${r.cpuUsPerMsg.toFixed(2)} CPU µs/msg`);
  } finally {
    await mosquitto?.close();
  }
  console.log(`profile: ${file}\n`);
  console.log(summarize(file, Number(values.top)));
}

main().catch((err) => {
  console.error(`profile: ${(err as Error).message}`);
  process.exitCode = 1;
});
