/**
 * Generator benchmark: `mvgen generate` (which validates first) in a fresh Node process per
 * repetition, into an empty temp dir, for the real spec and for synthetic specs scaled by
 * `scaleSpec`; then a no-change regeneration into a finished output dir, whose written files
 * are counted twice: from mvgen's report and from the files' own inode/mtime/size on disk.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MVGEN, REAL_SPEC, REPO_ROOT } from '../paths.js';
import { median, round } from '../stats.js';
import { scaleSpec } from './scale-spec.js';

export interface GeneratorOptions {
  /** Repetitions of the real spec's full generation and of the no-change regeneration. */
  reps: number;
  /** Scale factors besides 1 (the real spec), each with its own number of repetitions. */
  scales: { factor: number; reps: number }[];
  log: (line: string) => void;
}

interface MvgenRun {
  wallMs: number;
  /** User + system CPU time of the mvgen process (all its threads), when /proc tells it. */
  cpuMs?: number;
  /** The time mvgen reports for itself (after Node has started and loaded it). */
  internalMs: number;
  files: number;
  written: number;
}

/**
 * CPU time (user + system, ms) of this process's children that have ended, from /proc/self/stat
 * (`cutime` + `cstime`, in clock ticks of 10 ms): the difference around a spawnSync is the child's.
 * CPU time counts what the machine did, so it stays comparable on a loaded machine, where wall
 * time does not; it is also what a second thread adds. Undefined where there is no /proc.
 */
function childrenCpuMs(): number | undefined {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // After "pid (comm) ": field 3 (state) is index 0, so cutime (16) and cstime (17) are 13 and 14.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

function mvgen(args: string[]): { stdout: string; stderr: string; wallMs: number; cpuMs?: number } {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [MVGEN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const wallMs = performance.now() - t0;
  const cpu1 = childrenCpuMs();
  if (r.status !== 0) throw new Error(`mvgen ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr, wallMs, cpuMs: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
}

function generate(spec: string, out: string): MvgenRun {
  const { stdout, wallMs, cpuMs } = mvgen(['generate', '--quiet', '--spec', spec, '--out', out]);
  const m = /mvgen generate: (\d+) files, (\d+) written.*\((\d+) ms\)/.exec(stdout);
  if (!m) throw new Error(`cannot read mvgen's summary line:\n${stdout}`);
  return { wallMs, cpuMs, files: Number(m[1]), written: Number(m[2]), internalMs: Number(m[3]) };
}

/** path → identity of the file's current content on disk (a rewrite changes inode or mtime). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p, { bigint: true });
        out.set(relative(dir, p), `${s.ino}:${s.mtimeNs}:${s.size}`);
      }
    }
  };
  walk(dir);
  return out;
}

function touchedFiles(before: Map<string, string>, after: Map<string, string>): number {
  let n = 0;
  for (const [p, id] of after) if (before.get(p) !== id) n++;
  for (const p of before.keys()) if (!after.has(p)) n++;
  return n;
}

interface SeriesResult {
  reps: number;
  wall_ms: number;
  wall_ms_min: number;
  wall_ms_max: number;
  internal_ms: number;
  runs_ms: number[];
  /** User + system CPU of the mvgen process (both its threads), median, min and max. */
  cpu_ms?: number;
  cpu_ms_min?: number;
  cpu_ms_max?: number;
  files: number;
}

function cpuSpread(runs: { cpuMs?: number }[]): Pick<SeriesResult, 'cpu_ms' | 'cpu_ms_min' | 'cpu_ms_max'> {
  const cpu = runs.map((r) => r.cpuMs).filter((c): c is number => c !== undefined);
  if (cpu.length !== runs.length) return {};
  return { cpu_ms: median(cpu), cpu_ms_min: Math.min(...cpu), cpu_ms_max: Math.max(...cpu) };
}

function series(spec: string, reps: number, tmp: string, label: string, log: GeneratorOptions['log']): SeriesResult & { lastOut: string } {
  const runs: MvgenRun[] = [];
  // One discarded run first: it pays for the cold file cache (Node, the generator, the spec), which
  // later runs would not.
  const warm = generate(spec, mkdtempSync(join(tmp, `${label}-warmup-`)));
  log(`  generator ${label} warm-up (discarded): ${Math.round(warm.wallMs)} ms`);
  let lastOut = '';
  for (let i = 0; i < reps; i++) {
    lastOut = mkdtempSync(join(tmp, `${label}-`));
    const r = generate(spec, lastOut);
    if (r.written !== r.files) throw new Error(`${label}: a generate into an empty dir wrote ${r.written} of ${r.files} files`);
    runs.push(r);
    log(`  generator ${label} #${i + 1}: ${Math.round(r.wallMs)} ms wall, ${r.internalMs} ms inside mvgen, ${r.cpuMs ?? '?'} ms CPU, ${r.files} files`);
  }
  return {
    reps,
    wall_ms: round(median(runs.map((r) => r.wallMs)), 1),
    wall_ms_min: round(Math.min(...runs.map((r) => r.wallMs)), 1),
    wall_ms_max: round(Math.max(...runs.map((r) => r.wallMs)), 1),
    internal_ms: median(runs.map((r) => r.internalMs)),
    runs_ms: runs.map((r) => round(r.wallMs, 1)),
    ...cpuSpread(runs),
    files: runs[0].files,
    lastOut,
  };
}

export async function benchGenerator(opts: GeneratorOptions) {
  const tmp = mkdtempSync(join(tmpdir(), 'mvmqtt-bench-gen-'));
  try {
    const targets = mvgen(['targets']).stdout.trim().split('\n').map((l) => l.trim().split(/\s+/)[0]);
    opts.log(`  generator targets: ${targets.join(', ')}`);

    const full = series(REAL_SPEC, opts.reps, tmp, '1x', opts.log);

    // No-change regeneration into the last full output: nothing may be rewritten.
    const noopRuns: number[] = [];
    const noopCpu: { cpuMs?: number }[] = [];
    let noopReported = 0;
    let noopTouched = 0;
    for (let i = 0; i < opts.reps; i++) {
      const before = snapshot(full.lastOut);
      const r = generate(REAL_SPEC, full.lastOut);
      noopTouched = Math.max(noopTouched, touchedFiles(before, snapshot(full.lastOut)));
      noopReported = Math.max(noopReported, r.written);
      noopRuns.push(r.wallMs);
      noopCpu.push(r);
      opts.log(`  generator no-change #${i + 1}: ${Math.round(r.wallMs)} ms, ${r.written} written (mvgen), ${noopTouched} touched on disk`);
    }

    const scaled: Record<string, SeriesResult & { validate_ms: number; items: ReturnType<typeof scaleSpec>['counts'] }> = {};
    for (const { factor, reps } of opts.scales) {
      const { indexPath, counts } = scaleSpec(REAL_SPEC, factor, join(tmp, `spec-${factor}x`));
      // The synthetic spec must be a valid spec, or the timing means nothing.
      const v = mvgen(['validate', indexPath]);
      opts.log(`  generator ${factor}x spec: ${v.stdout.trim()}`);
      const s = series(indexPath, reps, tmp, `${factor}x`, opts.log);
      const { lastOut: _ignored, ...rest } = s;
      scaled[`${factor}x`] = { ...rest, validate_ms: round(v.wallMs, 1), items: counts };
    }

    const { lastOut: _out, ...fullRest } = full;
    const result: Record<string, unknown> = {
      reps: opts.reps,
      warmup_runs: 1,
      targets,
      full_ms: full.wall_ms,
      full: fullRest,
      noop_ms: round(median(noopRuns), 1),
      noop_ms_min: round(Math.min(...noopRuns), 1),
      noop_ms_max: round(Math.max(...noopRuns), 1),
      noop_cpu_ms: cpuSpread(noopCpu).cpu_ms,
      noop_files_written: Math.max(noopReported, noopTouched),
      noop_files_written_reported: noopReported,
      noop_files_touched_on_disk: noopTouched,
      scaled,
    };
    for (const { factor } of opts.scales) {
      const s = scaled[`${factor}x`];
      result[`scale_${factor}x_ms`] = s.wall_ms;
      result[`ratio_${factor}x`] = round(s.wall_ms / full.wall_ms, 2);
      // The ratio's range: the slowest scaled run over the fastest 1x run, and the other way round.
      result[`ratio_${factor}x_min`] = round(s.wall_ms_min / full.wall_ms_max, 2);
      result[`ratio_${factor}x_max`] = round(s.wall_ms_max / full.wall_ms_min, 2);
      result[`ratio_${factor}x_internal`] = round(s.internal_ms / Math.max(1, full.internal_ms), 2);
      // The same in CPU time: how the work grows, whatever the wall clock did on a loaded machine.
      if (s.cpu_ms !== undefined && full.cpu_ms) result[`ratio_${factor}x_cpu`] = round(s.cpu_ms / full.cpu_ms, 2);
    }
    return result;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
