/**
 * Generator benchmark: `mvgen generate` (which validates first) in a fresh Node process per
 * repetition, into an empty temp dir, for the real spec and for synthetic specs scaled by
 * `scaleSpec`; then a no-change regeneration into a finished output dir, whose written files
 * are counted twice: from mvgen's report and from the files' own inode/mtime/size on disk.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MVGEN, REAL_SPEC, REPO_ROOT } from '../paths.js';
import { median, round } from '../stats.js';
import { scaleSpec } from './scale-spec.js';

export interface GeneratorOptions {
  reps: number;
  /** Scale factors besides 1 (the real spec), e.g. [10, 100]. */
  scales: number[];
  log: (line: string) => void;
}

interface MvgenRun {
  wallMs: number;
  /** The time mvgen reports for itself (after Node has started and loaded it). */
  internalMs: number;
  files: number;
  written: number;
}

function mvgen(args: string[]): { stdout: string; stderr: string; wallMs: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [MVGEN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`mvgen ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr, wallMs };
}

function generate(spec: string, out: string): MvgenRun {
  const { stdout, wallMs } = mvgen(['generate', '--quiet', '--spec', spec, '--out', out]);
  const m = /mvgen generate: (\d+) files, (\d+) written.*\((\d+) ms\)/.exec(stdout);
  if (!m) throw new Error(`cannot read mvgen's summary line:\n${stdout}`);
  return { wallMs, files: Number(m[1]), written: Number(m[2]), internalMs: Number(m[3]) };
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
  wall_ms: number;
  wall_ms_min: number;
  wall_ms_max: number;
  internal_ms: number;
  runs_ms: number[];
  files: number;
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
    log(`  generator ${label} #${i + 1}: ${Math.round(r.wallMs)} ms wall, ${r.internalMs} ms inside mvgen, ${r.files} files`);
  }
  return {
    wall_ms: round(median(runs.map((r) => r.wallMs)), 1),
    wall_ms_min: round(Math.min(...runs.map((r) => r.wallMs)), 1),
    wall_ms_max: round(Math.max(...runs.map((r) => r.wallMs)), 1),
    internal_ms: median(runs.map((r) => r.internalMs)),
    runs_ms: runs.map((r) => round(r.wallMs, 1)),
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
    let noopReported = 0;
    let noopTouched = 0;
    for (let i = 0; i < opts.reps; i++) {
      const before = snapshot(full.lastOut);
      const r = generate(REAL_SPEC, full.lastOut);
      noopTouched = Math.max(noopTouched, touchedFiles(before, snapshot(full.lastOut)));
      noopReported = Math.max(noopReported, r.written);
      noopRuns.push(r.wallMs);
      opts.log(`  generator no-change #${i + 1}: ${Math.round(r.wallMs)} ms, ${r.written} written (mvgen), ${noopTouched} touched on disk`);
    }

    const scaled: Record<string, SeriesResult & { validate_ms: number; items: ReturnType<typeof scaleSpec>['counts'] }> = {};
    for (const factor of opts.scales) {
      const { indexPath, counts } = scaleSpec(REAL_SPEC, factor, join(tmp, `spec-${factor}x`));
      // The synthetic spec must be a valid spec, or the timing means nothing.
      const v = mvgen(['validate', indexPath]);
      opts.log(`  generator ${factor}x spec: ${v.stdout.trim()}`);
      const s = series(indexPath, opts.reps, tmp, `${factor}x`, opts.log);
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
      noop_files_written: Math.max(noopReported, noopTouched),
      noop_files_written_reported: noopReported,
      noop_files_touched_on_disk: noopTouched,
      scaled,
    };
    for (const factor of opts.scales) {
      result[`scale_${factor}x_ms`] = scaled[`${factor}x`].wall_ms;
      result[`ratio_${factor}x`] = round(scaled[`${factor}x`].wall_ms / full.wall_ms, 2);
      result[`ratio_${factor}x_internal`] = round(scaled[`${factor}x`].internal_ms / Math.max(1, full.internal_ms), 2);
    }
    return result;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
