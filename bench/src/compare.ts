/**
 * `npm run bench:compare -- --base <ref> [--rounds N] [--only runtime] [--max-load X] [--out FILE]`
 *
 * Before/after on the same machine, side by side: the runtime section of the bench harness of
 * `<ref>` (built once in a git worktree under the cache folder, reused by later runs) and of this
 * tree (as it is on disk, uncommitted changes included), alternately, N rounds, each run a fresh
 * `--quick` runtime section writing its own results file. The order flips every round (B A, A B,
 * B A, …) so that a machine drifting one way hits both sides alike. Prints, per metric, the median
 * and range of each side, after/before, and the per-round after/before range; with the load of
 * other processes over the whole comparison (the bench's rule: over `--max-load` it is noisy).
 * Nothing is written to the repository; `--out FILE` keeps the numbers.
 *
 * `--steady`: instead of a `--quick` section (whose figures are mostly JIT warm-up: a few thousand
 * messages), each round runs the emulated device of each tree at steady state — one fresh worker
 * process per case (that tree's `bench/src/runtime/worker.ts`), QoS 0 and QoS 1 throughput
 * (30,000 messages after 5,000 of warm-up) and latency (4,000 samples after 4,000 of warm-up) —
 * and reports CPU µs per message, throughput and latency per tree. Raw mqtt.js runs once per
 * round (this tree) for the emulated/raw ratios. One mosquitto serves every case (its CPU is not
 * counted); without mosquitto, each worker's embedded aedes (whose CPU is).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoadMonitor } from './load.js';
import { machineInfo } from './machine.js';
import { REPO_ROOT } from './paths.js';
import { compareRounds, MIN_ROUNDS_TO_JUDGE, MIN_PAIRS_TO_JUDGE, renderComparison, runtimeMetrics, steadyMetrics, type Metric } from './compare/metrics.js';
import { runWorker } from './fork.js';
import type { CaseResult, RuntimeCase } from './runtime/worker.js';
import { publishWindow } from './runtime/window.js';
import { round } from './stats.js';
import { startMosquitto, type MosquittoHarness } from '../../test/support/brokers.js';
import { hasTool } from '../../test/support/tools.js';

const USAGE = 'usage: npm run bench:compare -- --base <git ref> [--rounds N] [--only runtime] [--steady] [--max-load X] [--out FILE] [--keep]';
/** Sections that can be compared: the harness of an older tree may lack the others or write them differently. */
const COMPARABLE = ['runtime'];

class UsageError extends Error {}

interface Args {
  base: string;
  rounds: number;
  maxLoad: number;
  out?: string;
  /** Keep the per-run results and logs (their folder is printed). */
  keep: boolean;
  /** Steady-state cases of the emulated device instead of `--quick` runtime sections. */
  steady: boolean;
}

function parseArgs(argv: string[]): Args {
  let base: string | undefined;
  const a: Omit<Args, 'base'> = { rounds: 3, maxLoad: 1.0, keep: false, steady: false };
  const value = (i: number, flag: string) => {
    if (i >= argv.length || argv[i].startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return argv[i];
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--base') base = value(++i, arg);
    else if (arg === '--rounds') {
      a.rounds = Number(value(++i, arg));
      if (!Number.isInteger(a.rounds) || a.rounds < 1) throw new UsageError(`--rounds takes a positive whole number, not "${argv[i]}"`);
    } else if (arg === '--max-load') {
      a.maxLoad = Number(value(++i, arg));
      if (!(a.maxLoad > 0)) throw new UsageError(`--max-load takes a positive number, not "${argv[i]}"`);
    } else if (arg === '--only') {
      const only = value(++i, arg).split(',').map((s) => s.trim());
      const other = only.find((s) => !COMPARABLE.includes(s));
      if (other !== undefined) throw new UsageError(`--only: "${other}" cannot be compared (sections: ${COMPARABLE.join(', ')})`);
    } else if (arg === '--out') a.out = value(++i, arg);
    else if (arg === '--keep') a.keep = true;
    else if (arg === '--steady') a.steady = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new UsageError(`unknown argument ${arg}`);
  }
  if (base === undefined) throw new UsageError('--base <git ref> is required');
  return { base, ...a };
}

function git(args: string[], cwd = REPO_ROOT): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Where prepared base trees live between runs (one folder per commit). */
function cacheDir(): string {
  if (process.env.MVMQTT_BENCH_CACHE) return process.env.MVMQTT_BENCH_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mvmqtt-bench');
}

/** Runs a command with its output to `log` (and a line saying so); throws with the log's tail when it fails. */
function run(cmd: string, args: string[], cwd: string, log: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(log, { flags: 'a' });
    out.write(`\n$ ${cmd} ${args.join(' ')}   (in ${cwd})\n`);
    const child = spawn(cmd, args, { cwd, env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on('error', reject);
    child.on('close', (code) => {
      out.end(() => {
        if (code === 0) return resolve();
        const tail = readFileSync(log, 'utf8').split('\n').slice(-25).join('\n');
        reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}) in ${cwd}; the end of ${log}:\n${tail}`));
      });
    });
  });
}

const READY = '.mvmqtt-bench-ready';

/**
 * A built tree of commit `sha`: a detached git worktree under the cache folder, with its own
 * `npm ci` (its lockfile, not ours) and the build its bench needs. A marker file says it is
 * complete; an interrupted preparation starts again.
 */
async function prepareBase(sha: string, log: (line: string) => void): Promise<string> {
  const dir = join(cacheDir(), sha);
  if (existsSync(join(dir, READY))) {
    log(`base tree: ${dir} (prepared earlier)`);
    return dir;
  }
  mkdirSync(cacheDir(), { recursive: true });
  const prepLog = join(cacheDir(), `${sha}.prepare.log`);
  log(`base tree: preparing ${dir} (git worktree, npm ci, build; a few minutes; log: ${prepLog})`);
  if (existsSync(dir)) {
    await run('git', ['worktree', 'remove', '--force', dir], REPO_ROOT, prepLog).catch(() => rmSync(dir, { recursive: true, force: true }));
  }
  git(['worktree', 'prune']);
  await run('git', ['worktree', 'add', '--detach', dir, sha], REPO_ROOT, prepLog);
  await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], dir, prepLog);
  await run('npx', ['turbo', 'run', 'build', '--filter=@mvmqtt/bench^...', '--output-logs=errors-only'], dir, prepLog);
  writeFileSync(join(dir, READY), `${sha}\n`);
  return dir;
}

interface Side {
  label: string;
  root: string;
  rounds: Metric[][];
}

/** One quick runtime section of the tree at `root`, with that tree's own harness; returns its results. */
async function runRuntimeSection(root: string, out: string, log: string): Promise<unknown> {
  await run(process.execPath, ['--import', 'tsx', 'bench/src/main.ts', '--only', 'runtime', '--quick', '--quiet', '--out', out], root, log);
  return JSON.parse(readFileSync(out, 'utf8'));
}

/** `--steady` counts: long enough that the measured phase is past JIT compilation on both sides (see main.ts). */
const STEADY = { count: 30_000, warmup: 5000, latencyCount: 4000, latencyWarmup: 4000 };
const STEADY_KINDS = ['qos0', 'qos1', 'latency'] as const;

/** One steady-state case in a fresh process of the tree at `root` (its own worker and build). */
function runSteadyCase(root: string, c: RuntimeCase): Promise<CaseResult> {
  const worker = join(root, 'bench/src/runtime/worker.ts');
  if (!existsSync(worker)) throw new Error(`${root} has no bench/src/runtime/worker.ts: --steady needs a base with the forked runtime worker`);
  return runWorker<CaseResult>(worker, c, { timeoutMs: 300_000 });
}

function steadyCase(broker: RuntimeCase['broker'], url: string | undefined, kind: RuntimeCase['kind'], side: 'raw' | 'emulated'): RuntimeCase {
  const latency = kind === 'latency';
  return {
    broker,
    url,
    kind,
    pub: side,
    sub: side,
    count: latency ? STEADY.latencyCount : STEADY.count,
    warmup: latency ? STEADY.latencyWarmup : STEADY.warmup,
    window: publishWindow(),
    payloadSize: 100,
    protocolVersion: 4,
  };
}

/**
 * `--steady` rounds: per round, raw mqtt.js once per kind (this tree), then each tree's emulated
 * cases, the trees' order flipping every round. Fills `before.rounds` and `after.rounds`.
 */
async function runSteadyRounds(before: Side, after: Side, rounds: number, say: (line: string) => void): Promise<string> {
  const broker: RuntimeCase['broker'] = hasTool('mosquitto') ? 'mosquitto' : 'aedes';
  let mosquitto: MosquittoHarness | undefined;
  if (broker === 'mosquitto') mosquitto = await startMosquitto({ extraConfig: ['max_connections -1'] });
  try {
    for (let i = 0; i < rounds; i++) {
      const raw = new Map<string, CaseResult>();
      for (const kind of STEADY_KINDS) raw.set(kind, await runSteadyCase(REPO_ROOT, steadyCase(broker, mosquitto?.url, kind, 'raw')));
      say(`round ${i + 1}/${rounds} raw mqtt.js (this tree)      CPU µs/msg: ${STEADY_KINDS.map((k) => `${k} ${round(raw.get(k)!.cpuUsPerMsg, 2)}`).join(', ')}`);
      for (const s of i % 2 === 0 ? [before, after] : [after, before]) {
        const metrics: Metric[] = [];
        for (const kind of STEADY_KINDS) metrics.push(...steadyMetrics(broker, await runSteadyCase(s.root, steadyCase(broker, mosquitto?.url, kind, 'emulated')), raw.get(kind)!));
        s.rounds.push(metrics);
        const cpu = metrics.filter((m) => m.name.endsWith('emulated CPU µs/msg')).map((m) => `${m.name.split(' ')[1]} ${m.value}`);
        say(`round ${i + 1}/${rounds} ${s.label.padEnd(24)} emulated CPU µs/msg: ${cpu.join(', ')}`);
      }
    }
  } finally {
    await mosquitto?.close();
  }
  return broker;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const say = (line: string) => console.log(line);
  let sha: string;
  try {
    sha = git(['rev-parse', '--verify', `${args.base}^{commit}`]);
  } catch {
    throw new UsageError(`--base ${args.base} is not a commit of this repository`);
  }
  const baseRoot = await prepareBase(sha, say);
  const head = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  const before: Side = { label: `before ${sha.slice(0, 7)}`, root: baseRoot, rounds: [] };
  const after: Side = { label: `after ${head}${dirty ? '+changes' : ''}`, root: REPO_ROOT, rounds: [] };

  const work = mkdtempSync(join(tmpdir(), 'mvmqtt-bench-compare-'));
  const started = Date.now();
  const load = new LoadMonitor(args.maxLoad);
  say('load: measuring what the rest of the machine does (2 s)');
  await load.start();
  say(`  other processes: ${load.othersNow ?? 'unknown (no /proc)'} cores`);
  let what = `${args.rounds} round${args.rounds === 1 ? '' : 's'} of --quick each, alternating`;
  try {
    if (args.steady) {
      const broker = await runSteadyRounds(before, after, args.rounds, say);
      what = `${args.rounds} round${args.rounds === 1 ? '' : 's'} at steady state on ${broker} (${STEADY.count} messages after ${STEADY.warmup}, latency ${STEADY.latencyCount} after ${STEADY.latencyWarmup}), alternating`;
    } else {
      for (let i = 0; i < args.rounds; i++) {
        const order = i % 2 === 0 ? [before, after] : [after, before];
        for (const s of order) {
          const tag = `${s === before ? 'before' : 'after'}-${i + 1}`;
          const t0 = Date.now();
          const results = await runRuntimeSection(s.root, join(work, `${tag}.json`), join(work, `${tag}.log`));
          const metrics = runtimeMetrics(results);
          s.rounds.push(metrics);
          const ratios = metrics.filter((m) => m.name.endsWith('emulated/raw') && m.name.includes('qos')).map((m) => `${m.name.replace(' emulated/raw', '')} ${m.value}`);
          say(`round ${i + 1}/${args.rounds} ${s.label.padEnd(24)} ${round((Date.now() - t0) / 1000, 0)} s   emulated/raw: ${ratios.join(', ')}`);
        }
      }
    }
  } finally {
    if (!args.keep) rmSync(work, { recursive: true, force: true });
  }
  const loadReport = load.stop();
  const rows = compareRounds(before.rounds, after.rounds);
  const duration = round((Date.now() - started) / 1000, 0);

  say('');
  say(`## Runtime before/after: ${before.label} vs ${after.label}, ${what}`);
  say('');
  say(renderComparison(rows, { before: before.label, after: after.label }));
  say('');
  say(
    `load: 1-minute load average ${loadReport.loadavg_1m_before} before, max ${loadReport.loadavg_1m_max}, ${loadReport.loadavg_1m_after} after; other processes ${loadReport.others_1m_start ?? '?'} at the start, max ${loadReport.others_1m_max ?? '?'} (threshold ${args.maxLoad}); ${duration} s`,
  );
  if (loadReport.noisy) say(`NOISY COMPARISON: ${loadReport.reason}. The medians say as much about the other processes as about the change.`);
  const worse = rows.filter((r) => r.worse).map((r) => r.name);
  if (args.rounds < MIN_ROUNDS_TO_JUDGE) say(`(${args.rounds} round${args.rounds === 1 ? '' : 's'}: too few to call any metric worse; use --rounds ${MIN_ROUNDS_TO_JUDGE} or more)`);
  else {
    const pairs = rows.filter((r) => !r.worse && r.worseInEveryPair).map((r) => r.name);
    say(worse.length ? `worse in every round (ranges apart): ${worse.join('; ')}` : 'no metric has its range apart from the base\'s, the bad way');
    if (args.rounds < MIN_PAIRS_TO_JUDGE) say(`(${args.rounds} rounds: too few to judge back-to-back pairs; use --rounds ${MIN_PAIRS_TO_JUDGE} or more)`);
    else say(pairs.length ? `worse in every back-to-back pair (ranges overlap): ${pairs.join('; ')}` : 'no metric is worse in every back-to-back pair');
  }
  if (args.keep) say(`per-run results and logs: ${work}`);
  if (args.out) {
    writeFileSync(args.out, JSON.stringify({ date: new Date().toISOString(), machine: machineInfo(), base: sha, head, dirty, rounds: args.rounds, steady: args.steady, load: loadReport, rows }, null, 2) + '\n');
    say(`written to ${args.out}`);
  }
}

main().catch((err) => {
  if (err instanceof UsageError) console.error(`bench:compare: ${err.message}\n${USAGE}`);
  else console.error(`bench:compare: failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = err instanceof UsageError ? 2 : 1;
});
