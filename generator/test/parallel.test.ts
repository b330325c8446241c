/**
 * `mvgen generate`/`check` render the docs in a worker thread (src/parallel.ts). The worker path
 * must write exactly what one thread writes, report the same, and fail the same way: a spec
 * problem as diagnostics, a file-system refusal in the worker as the generator's one-line error
 * with its exit code, never a stack trace. Runs the real CLI (compiled) in child processes;
 * MVGEN_THREADS=1 is the one-thread run it is compared with.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copySpec, REPO, SPEC_DIR, type SpecCopy } from './support/spec-copy.js';
import { generate, TARGETS } from '../src/index.js';

const MVGEN = join(REPO, 'generator/bin/mvgen.js');
// A stamp from an earlier run must not answer for the CLI: every run here does the full work.
const cacheDir = mkdtempSync(join(tmpdir(), 'mvgen-stamps-'));
const mvgen = (threads: 'worker' | 'one', ...args: string[]) =>
  spawnSync(process.execPath, [MVGEN, ...args], {
    encoding: 'utf8',
    cwd: REPO,
    env: { ...process.env, MVGEN_CACHE_DIR: mkdtempSync(join(cacheDir, 'run-')), MVGEN_THREADS: threads === 'one' ? '1' : '', MVGEN_DEBUG: '' },
  });

let spec: SpecCopy | undefined;
const temps: string[] = [cacheDir];
afterEach(() => {
  spec?.dispose();
  spec = undefined;
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mvgen-par-'));
  temps.push(d);
  return d;
};

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'latin1'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** A line of a JavaScript stack trace (diagnostics have "at (document root)" lines of their own). */
const STACK_FRAME = /^\s+at .*(file:|node:|\.js:\d+)/m;

/** The CLI's per-target report lines with the timing taken out. */
const report = (stdout: string) => stdout.replace(/\(\d+ ms\)/g, '(… ms)').replace(/into \S+/, 'into …');

beforeAll(() => {
  execFileSync('npx', ['tsc', '-p', join(REPO, 'generator')], { stdio: 'inherit' });
  return () => {
    for (const t of temps) rmSync(t, { recursive: true, force: true });
  };
}, 180_000);

describe('the worker thread', () => {
  it('is used by the CLI: the docs target is marked to start on it', () => {
    expect(TARGETS.filter((t) => t.ownThread).map((t) => t.target)).toEqual(['docs']);
  });

  it('writes byte for byte what one thread writes, and what the library writes, with the same report', () => {
    const [withWorker, oneThread, library] = [tempDir(), tempDir(), tempDir()];
    const a = mvgen('worker', 'generate', '--spec', SPEC_DIR, '--out', withWorker);
    const b = mvgen('one', 'generate', '--spec', SPEC_DIR, '--out', oneThread);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    expect(report(a.stdout)).toEqual(report(b.stdout));
    expect(a.stdout).toMatch(/docs +\d+ files, \d+ written/);
    generate({ specPath: join(SPEC_DIR, 'index.json'), outRoot: library, mode: 'write' });
    const files = snapshot(withWorker);
    expect(files.size).toBeGreaterThan(100);
    expect([...files.keys()].some((p) => p.startsWith('packages/docs/reference/functions/'))).toBe(true);
    expect(snapshot(oneThread)).toEqual(files);
    expect(snapshot(library)).toEqual(files);
  });

  it('finds drift in the docs from the worker in check mode, and repairs only that file', () => {
    const out = tempDir();
    expect(mvgen('worker', 'generate', '--spec', SPEC_DIR, '--out', out).status).toBe(0);
    const page = join(out, 'packages/docs/reference/README.md');
    writeFileSync(page, `${readFileSync(page, 'utf8')}hand edit\n`);
    for (const threads of ['worker', 'one'] as const) {
      const check = mvgen(threads, 'check', '--spec', SPEC_DIR, '--out', out);
      expect(check.status).toBe(1);
      expect(check.stderr).toMatch(/stale: {3}packages\/docs\/reference\/README\.md differs/);
    }
    const fix = mvgen('worker', 'generate', '--spec', SPEC_DIR, '--out', out);
    expect(fix.stdout).toMatch(/docs +\d+ files, 1 written/);
    expect(fix.stdout).toMatch(/c +\d+ files, 0 written/);
    expect(mvgen('worker', 'check', '--spec', SPEC_DIR, '--out', out).status).toBe(0);
  });

  it('reports a write the worker cannot make as a one-line error like one thread gives, exit 1, no stack trace', () => {
    const runs = (['worker', 'one'] as const).map((threads) => {
      const out = tempDir();
      // A file where the docs directory must be: the worker's mkdir fails.
      mkdirSync(join(out, 'packages/docs'), { recursive: true });
      writeFileSync(join(out, 'packages/docs/reference'), 'not a directory\n');
      return { out, run: mvgen(threads, 'generate', '--quiet', '--spec', SPEC_DIR, '--out', out) };
    });
    for (const { out, run } of runs) {
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/^mvgen: cannot (scandir|mkdir|open) \S*packages\/docs\/reference\S*: (ENOTDIR|EEXIST)/m);
      expect(run.stderr).not.toMatch(STACK_FRAME);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(readFileSync(join(out, 'packages/docs/reference'), 'utf8')).toBe('not a directory\n');
    }
    // The worker writes pages as it renders them (items first), one thread in path order: the
    // first directory each fails to make differs, the file in the way is the same.
  });

  it('gives the diagnostics, and writes nothing, for a spec the worker cannot even build a model from', () => {
    spec = copySpec();
    const out = tempDir();
    // No `functions` list: invalid for the validator, and a TypeError for the worker's model builder.
    spec.edit('mqtt.json', (d) => delete d.functions);
    const run = mvgen('worker', 'generate', '--spec', spec.index, '--out', out);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/mqtt\.json.*error: .*functions/);
    expect(run.stderr).toMatch(/nothing was written/);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(snapshot(out).size).toBe(0);
  });

  it('refuses product.outputs that give two targets the same directory, before writing anything', () => {
    spec = copySpec();
    const out = tempDir();
    spec.edit('index.json', (d) => (d.product.outputs = { ...d.product.outputs, mock: 'packages/sdk/src/generated' }));
    const run = mvgen('worker', 'generate', '--spec', spec.index, '--out', out);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/targets "ts" and "mock" would share packages\/sdk\/src\/generated/);
    expect(snapshot(out).size).toBe(0);
  });
});
