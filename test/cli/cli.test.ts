/**
 * Every command-line entry point of the repository (the `bin` of every workspace package, and
 * the root scripts behind `npm start` and friends) answers a bad command line the same way: a
 * one-line error naming the problem, the usage, a non-zero exit code, no stack trace, and
 * nothing started.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, workspacePackages } from '../pack/workspace.js';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}
const run = (file: string, args: string[]): Run => {
  const r = spawnSync(process.execPath, [file, ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** A refusal as the brief for every CLI has it. */
function expectUsageError(r: Run, name: string, problem: RegExp): void {
  const what = `${r.stdout}${r.stderr}`;
  expect(r.status, what).toBe(2);
  const [first] = r.stderr.split('\n');
  expect(first, what).toMatch(new RegExp(`^${name}: `));
  expect(first, what).toMatch(problem);
  expect(r.stderr, what).toMatch(/usage/i);
  expect(what, 'a stack trace').not.toMatch(/^\s+at .+[:(]/m);
  expect(r.stdout, 'nothing else happens').toBe('');
}

const bins = workspacePackages().flatMap(({ dir, manifest }) => Object.entries(manifest.bin ?? {}).map(([name, file]) => ({ name, file: join(REPO, dir, file) })));

describe('the bins of the workspace packages', () => {
  it('include mvgen and mvdevice', () => expect(bins.map((b) => b.name)).toEqual(expect.arrayContaining(['mvgen', 'mvdevice'])));

  for (const { name, file } of bins) {
    describe(name, () => {
      it('--help prints the usage and exits 0', () => {
        const r = run(file, ['--help']);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/usage/i);
      });

      it('refuses an unknown option', () => expectUsageError(run(file, ['--no-such-option']), name, /--no-such-option/));

      it('refuses an unknown command', () => expectUsageError(run(file, ['frobnicate']), name, /frobnicate/));

      it('without its build (no dist/) says how to build, in one line', () => {
        const dir = mkdtempSync(join(tmpdir(), 'mvmqtt-unbuilt-'));
        try {
          mkdirSync(join(dir, 'bin'));
          cpSync(file, join(dir, 'bin', basename(file)));
          const r = run(join(dir, 'bin', basename(file)), ['--help']);
          expect(r.status).toBe(1);
          expect(r.stderr).toMatch(new RegExp(`^${name}: .*not built.*npm run build.*\n$`));
          expect(r.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|^\s+at /m);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  }
});

describe('mvgen', () => {
  const mvgen = join(REPO, 'generator/bin/mvgen.js');
  it('diff refuses an unknown option', () => expectUsageError(run(mvgen, ['diff', '--bogus']), 'mvgen diff', /--bogus/));
});

describe('npm start (scripts/start.mjs)', () => {
  const start = join(REPO, 'scripts/start.mjs');
  const cases: [string[], RegExp][] = [
    [['--bogus'], /--bogus/],
    [['--protocol', '7'], /--protocol 7/],
    [['--broker', 'http://127.0.0.1:1883'], /mqtt:\/\/ or mqtts:\/\//],
    [['--broker', 'not a url'], /not a URL/],
    [['--readings', 'many'], /--readings many/],
    [['surprise'], /surprise/],
  ];
  for (const [args, problem] of cases) it(`refuses ${args.join(' ')}`, () => expectUsageError(run(start, args), 'start', problem));
});

describe('npm run bench (bench/src/main.ts)', () => {
  // As `npm run bench -- ARGS` runs it, without the build step in front.
  const bench = (args: string[]): Run => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'bench/src/main.ts'), ...args], { cwd: join(REPO, 'bench'), encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const cases: [string[], RegExp][] = [
    [['--bogus'], /unknown argument --bogus/],
    [['--only', 'generator,nope'], /unknown section "nope"/],
    [['--repeat', '2.5'], /--repeat takes a positive whole number/],
    [['--only'], /--only needs a value/],
    // Checked before minutes of measuring, not when the results are written at the end.
    [['--quick', '--out', join(tmpdir(), 'no-such-dir-mvmqtt', 'r.json')], /--out .*: the folder .*no-such-dir-mvmqtt does not exist/],
    [['--quick', '--out', tmpdir()], /--out .* is a directory; name a file/],
  ];
  for (const [args, problem] of cases) it(`refuses ${args.join(' ')}`, () => expectUsageError(bench(args), 'bench', problem));
});

describe('the other root scripts', () => {
  it('npm run conformance refuses arguments', () => expectUsageError(run(join(REPO, 'scripts/conformance.mjs'), ['--bogus']), 'conformance', /--bogus/));
  it('scripts/check-changeset.mjs refuses an unknown option', () => expectUsageError(run(join(REPO, 'scripts/check-changeset.mjs'), ['--bogus']), 'check-changeset', /--bogus/));
  it('scripts/vendor-fixture.mjs refuses an unknown option', () => expectUsageError(run(join(REPO, 'scripts/vendor-fixture.mjs'), ['--bogus']), 'vendor-fixture', /--bogus/));
});
