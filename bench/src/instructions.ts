/**
 * Instructions per message of one runtime case, counted by valgrind's callgrind: unlike time,
 * the count hardly moves when the machine is busy, so it decides micro-optimisations that a
 * loaded machine's timings cannot.
 *
 *   node --import tsx bench/src/instructions.ts [--side emulated|raw] [--kind qos0|qos1] [--counts 2000,6000] [--warmup 5000] [--reps N] [--keep DIR]
 *
 * --keep DIR keeps callgrind's output files there (callgrind_annotate shows V8's builtins and C++ by name; JIT code is unnamed).
 *
 * The same workload as the runtime bench (bench/src/runtime/worker.ts: both ends on one side,
 * the embedded aedes broker in the same process, window and payload as the bench), run under
 * callgrind once per count. Start-up, connect and warm-up cost the same in every run, so the
 * difference between two runs divided by the difference in messages is the cost of one
 * message: publisher, broker and subscriber together. Raw and emulated side by side give what
 * the emulation adds.
 *
 * Warm up long enough: with 500 warm-up messages and counts 500,1500, `callgrind_annotate` of
 * the kept files showed the difference dominated by V8 still compiling (TurboFan's graph
 * reducers, the parser, inline-cache misses), and repeated runs of the same tree differed by
 * ±10 %. Under callgrind a message takes tens of milliseconds (the whole 500 + 1,500 run took
 * about 5 minutes on a busy 2-core machine), so the defaults (5,000 warm-up, counts 2,000 and
 * 6,000) take tens of minutes per run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { publishWindow } from './runtime/window.js';
import type { RuntimeCase, Side } from './runtime/worker.js';

const SELF = fileURLToPath(import.meta.url);
const TSX_LOADER = import.meta.resolve('tsx');

/** Inside valgrind: run one case and exit. */
async function runCase(c: RuntimeCase): Promise<void> {
  const { run } = await import('./runtime/worker.js');
  const r = await run(c);
  if ('throughput' in r && r.throughput.received !== r.throughput.sent) throw new Error(`${r.throughput.sent - r.throughput.received} messages lost`);
}

/** Instructions the whole process executed (callgrind's "Collected" total). */
function instructions(c: RuntimeCase, keep: string | undefined): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'mvmqtt-callgrind-'));
  const out = keep ? join(keep, `${c.pub}-${c.kind}-${c.count}.callgrind`) : join(dir, 'out');
  return new Promise<number>((resolve, reject) => {
    const child = spawn(
      'valgrind',
      ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, '--import', TSX_LOADER, SELF, '--case', JSON.stringify(c)],
      { stdio: ['ignore', 'inherit', 'pipe'] },
    );
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      const m = /Collected : (\d+)/.exec(err);
      if (code === 0 && m) resolve(Number(m[1]));
      else reject(new Error(`valgrind exited with ${code}:\n${err.slice(-2000)}`));
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      case: { type: 'string' },
      side: { type: 'string', default: 'emulated' },
      kind: { type: 'string', default: 'qos1' },
      counts: { type: 'string', default: '2000,6000' },
      warmup: { type: 'string', default: '5000' },
      reps: { type: 'string', default: '1' },
      keep: { type: 'string' },
    },
  });
  if (values.case) return runCase(JSON.parse(values.case) as RuntimeCase);
  if (spawnSync('valgrind', ['--version']).status !== 0) throw new Error('valgrind is not installed');
  const side = values.side as Side;
  const kind = values.kind as 'qos0' | 'qos1';
  const [n1, n2] = values.counts.split(',').map(Number);
  const base: Omit<RuntimeCase, 'count'> = { broker: 'aedes', kind, pub: side, sub: side, warmup: Number(values.warmup), window: publishWindow(), payloadSize: 100, protocolVersion: 4 };
  for (let rep = 0; rep < Number(values.reps); rep++) {
    const i1 = await instructions({ ...base, count: n1 }, values.keep);
    const i2 = await instructions({ ...base, count: n2 }, values.keep);
    const perMessage = (i2 - i1) / (n2 - n1);
    console.log(JSON.stringify({ side, kind, counts: [n1, n2], instructions: [i1, i2], instructions_per_message: Math.round(perMessage) }));
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
