#!/usr/bin/env node
// `npm run conformance`: provokes every (function, status) row of the spec's error tables on the
// emulated device core and on the mock (test/conformance/error-tables.test.ts), then prints one
// line per row and a total. Exit code: non-zero if any row is neither triggered nor waived.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (process.argv.length > 2) {
  const help = ['--help', '-h'].includes(process.argv[2]);
  (help ? console.log : console.error)(`${help ? '' : `conformance: unexpected argument ${process.argv[2]}\n`}usage: npm run conformance (takes no arguments)`);
  process.exit(help ? 0 : 2);
}

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const dir = mkdtempSync(join(tmpdir(), 'mvmqtt-conformance-'));
const out = join(dir, 'results.json');

const built = spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { stdio: 'inherit', env }).status;
if (built !== 0) {
  console.error('conformance: the build failed');
  process.exit(1);
}
const run = spawnSync('npx', ['vitest', 'run', '--project', 'test', 'test/conformance/error-tables.test.ts'], {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...env, MVMQTT_CONFORMANCE_OUT: out },
  encoding: 'utf8',
});
if (!existsSync(out)) {
  process.stdout.write(run.stdout ?? '');
  process.stderr.write(run.stderr ?? '');
  console.error('conformance: the suite wrote no results');
  process.exit(1);
}
const { results } = JSON.parse(readFileSync(out, 'utf8'));
rmSync(dir, { recursive: true, force: true });

const RUNTIMES = ['device', 'mock'];
const LABEL = { triggered: 'triggered', forced: 'triggered*', waived: 'waived', failed: 'FAILED', missing: 'MISSING' };
const rows = new Map();
for (const r of results) {
  const key = `${r.fn}\u0000${r.name}`;
  if (!rows.has(key)) rows.set(key, { fn: r.fn, name: r.name });
  rows.get(key)[r.runtime] = r;
}

const table = [...rows.values()].map((row) => [row.fn, row.name, ...RUNTIMES.map((rt) => LABEL[row[rt]?.outcome ?? 'missing'])]);
const header = ['function', 'status', 'device core', 'mock'];
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const t of table) console.log(line(t));

const count = (rt, ...outcomes) => [...rows.values()].filter((row) => outcomes.includes(row[rt]?.outcome ?? 'missing')).length;
const bad = RUNTIMES.reduce((n, rt) => n + count(rt, 'failed', 'missing'), 0);
console.log('');
console.log(
  `total: ${rows.size} rows; ` +
    RUNTIMES.map((rt) => `${rt === 'device' ? 'device core' : rt} ${count(rt, 'triggered', 'forced')} triggered (${count(rt, 'forced')} forced*), ${count(rt, 'waived')} waived, ${count(rt, 'failed', 'missing')} neither`).join('; '),
);
console.log('* triggered* = the mock returned the status because the test forced it: no condition the mock simulates produces it.');

const waived = results.filter((r) => r.outcome === 'waived');
console.log(`\nwaivers (${waived.length}):`);
for (const w of waived) console.log(`  ${w.fn} ${w.name} on the ${w.runtime === 'device' ? 'device core' : w.runtime}: ${w.detail}`);
const problems = results.filter((r) => r.outcome === 'failed' || r.outcome === 'missing');
if (problems.length) {
  console.log(`\nrows neither triggered nor waived (${problems.length}):`);
  for (const p of problems) console.log(`  ${p.fn} ${p.name} on the ${p.runtime}: ${p.detail}`);
}
process.exit(bad > 0 || run.status !== 0 ? 1 : 0);
