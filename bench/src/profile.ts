/**
 * CPU profile of one runtime case: the same worker as the benchmark, its measured phase alone
 * profiled (V8's sampling profiler through node:inspector, every 100 µs: what `node --cpu-prof`
 * records, without start-up and warm-up), then the functions with the most self time and the
 * packages they belong to.
 *
 *   node --import tsx bench/src/profile.ts [--broker aedes|mosquitto] [--kind qos0|qos1|latency]
 *        [--side emulated|raw] [--count N] [--top N] [--alloc]
 *
 * --alloc samples allocations instead (bytes per message by allocating function): where the
 * garbage the collector spends its time on comes from.
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
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  // Where the CPU went: samples per node, idle ones set apart. (Weighting samples by the time
  // since the previous one would charge the time this process was not even scheduled — on a
  // busy machine, a lot — to whatever ran next.)
  const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const selfUs = new Map<number, number>();
  let idle = 0;
  for (const id of profile.samples) {
    if (idleIds.has(id)) idle++;
    else selfUs.set(id, (selfUs.get(id) ?? 0) + 1);
  }
  const totalUs = profile.samples.length - idle;
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  for (const n of profile.nodes) {
    const us = selfUs.get(n.id) ?? 0;
    if (!us) continue;
    const where = place(n.callFrame.url);
    const key = `${n.callFrame.functionName || '(anonymous)'}  ${where}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const group = where.startsWith('packages/') || where.startsWith('bench/') ? where.split('/').slice(0, 3).join('/') : where.startsWith('node:') ? 'node (built-in modules)' : where;
    byPlace.set(group, (byPlace.get(group) ?? 0) + us);
  }
  const pct = (us: number) => `${((us / totalUs) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`${profile.samples.length} samples, ${((idle / profile.samples.length) * 100).toFixed(0)}% idle; shares below are of the busy ones`, '', 'self time by place:'];
  for (const [k, us] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(us)}  ${k}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const [k, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${k}`);
  return lines.join('\n');
}

interface AllocNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocNode[];
}

/** Bytes allocated per function (self) during the measured phase, from the sampling heap profile. */
function summarizeAllocations(file: string, top: number, messages: number): string {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: AllocNode };
  const byFunction = new Map<string, number>();
  let total = 0;
  const walk = (n: AllocNode) => {
    if (n.selfSize) {
      const key = `${n.callFrame.functionName || '(anonymous)'}  ${place(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + n.selfSize);
      total += n.selfSize;
    }
    n.children.forEach(walk);
  };
  walk(head);
  const lines = [`allocated ≈ ${(total / 2 ** 20).toFixed(1)} MB, ≈ ${Math.round(total / messages)} bytes per message; top ${top} allocating functions:`];
  for (const [k, b] of [...byFunction].sort((x, y) => y[1] - x[1]).slice(0, top))
    lines.push(`  ${((b / total) * 100).toFixed(1).padStart(5)}%  ${String(Math.round(b / messages)).padStart(5)} B/msg  ${k}`);
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
      alloc: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const broker = values.broker as RuntimeCase['broker'];
  const kind = values.kind as RuntimeCase['kind'];
  const side = values.side as 'raw' | 'emulated';
  if (!['aedes', 'mosquitto'].includes(broker) || !['qos0', 'qos1', 'latency'].includes(kind) || !['raw', 'emulated'].includes(side)) throw new Error('bad --broker, --kind or --side');
  const dir = mkdtempSync(join(tmpdir(), 'mvmqtt-profile-'));
  const file = join(dir, `${broker}-${kind}-${side}.${values.alloc ? 'heapprofile' : 'cpuprofile'}`);
  let mosquitto: MosquittoHarness | undefined;
  if (broker === 'mosquitto') mosquitto = await startMosquitto({ extraConfig: ['max_connections -1'] });
  try {
    const count = Number(values.count);
    const c: RuntimeCase = { broker, url: mosquitto?.url, kind, pub: side, sub: side, count, warmup: Math.min(5000, count / 10), window: publishWindow(), payloadSize: 100, protocolVersion: 4 };
    const r = await runWorker<CaseResult>(WORKER, c, { env: values.alloc ? { MVMQTT_ALLOC_PROFILE: file } : { MVMQTT_CPU_PROFILE: file }, timeoutMs: 600_000 });
    console.log(`${broker} ${kind} ${side}: ${'throughput' in r ? `${Math.round(r.throughput.msgPerSec)} msg/s` : `p50 ${r.latency.p50Us.toFixed(1)} µs`}, ${r.cpuUsPerMsg.toFixed(2)} CPU µs/msg`);
  } finally {
    await mosquitto?.close();
  }
  console.log(`profile: ${file}\n`);
  console.log(values.alloc ? summarizeAllocations(file, Number(values.top), Number(values.count)) : summarize(file, Number(values.top)));
}

main().catch((err) => {
  console.error(`profile: ${(err as Error).message}`);
  process.exitCode = 1;
});
