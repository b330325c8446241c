#!/usr/bin/env node
// CI check: a change under api-spec/spec/ must come with a changeset whose bumps are at least
// what `mvgen diff` says (base spec → current spec, per package).
//
//   node scripts/check-changeset.mjs [--base REF]      (default REF: main)
//
// Compares the working tree (committed or not) with the merge base of REF and HEAD, and looks
// for changesets added since then. Exit codes: 0 ok, 1 missing or too small changeset,
// 2 cannot check (not a git repository, unknown ref, generator not built).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import parseChangeset from '@changesets/parse';

const SPEC_DIR = 'api-spec/spec';
const RANK = { none: 0, patch: 1, minor: 2, major: 3 };
const cwd = process.cwd();

const fail = (code, message) => {
  console.error(`check-changeset: ${message}`);
  process.exit(code);
};
const git = (...args) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const lines = (s) => s.split('\n').filter(Boolean);

let base = 'main';
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--base' && process.argv[i + 1]) base = process.argv[++i];
  else if (a.startsWith('--base=')) base = a.slice('--base='.length);
  else fail(2, `unknown argument ${a}\nusage: node scripts/check-changeset.mjs [--base REF]`);
}

let root;
let since;
try {
  root = git('rev-parse', '--show-toplevel');
  since = git('merge-base', base, 'HEAD');
} catch (e) {
  fail(2, `cannot compare with "${base}": ${String(e.stderr ?? e.message).trim()}`);
}

// Changed = differs from the merge base in the working tree, or is new and untracked.
const changedSince = (path) => [
  ...lines(git('diff', '--name-only', since, '--', path)),
  ...lines(git('ls-files', '--others', '--exclude-standard', '--', path)),
];
const specChanged = changedSince(SPEC_DIR);
if (!specChanged.length) {
  console.log(`check-changeset: ${SPEC_DIR} unchanged since ${base} (${since.slice(0, 8)}); nothing to check.`);
  process.exit(0);
}

const changesets = [...new Set(changedSince('.changeset'))].filter((f) => f.endsWith('.md') && !f.endsWith('/README.md')).filter((f) => {
  try {
    readFileSync(join(root, f));
    return true; // deleted files show up in the diff too
  } catch {
    return false;
  }
});
const howTo = [
  `  mkdir -p /tmp/spec-base && git archive ${since.slice(0, 12)} ${SPEC_DIR} | tar -x -C /tmp/spec-base`,
  `  npx mvgen diff /tmp/spec-base/${SPEC_DIR} ${SPEC_DIR} --changeset`,
].join('\n');
// A release (`npm run version-packages`) consumes the changesets and writes the packages' new
// version into the spec: that one change is the release itself and needs no changeset.
if (!changesets.length && isReleaseVersionOnly()) {
  console.log(`check-changeset: release — the spec's version now follows the packages' version; nothing else in ${SPEC_DIR} changed.`);
  process.exit(0);
}
if (!changesets.length)
  fail(1, `${specChanged.length} spec file(s) changed since ${base} (${specChanged.join(', ')}) but no changeset was added.\nWrite one with:\n${howTo}`);

// What each package must get, from the generator's own classification.
// CI may call this before anything is built: build the generator when its dist/ is missing.
const generatorDir = join(dirname(fileURLToPath(import.meta.url)), '../generator');
const generatorEntry = join(generatorDir, 'dist/index.js');
if (!existsSync(generatorEntry)) {
  console.log('check-changeset: building the generator to classify the change');
  try {
    execFileSync('npx', ['tsc', '-p', generatorDir], { stdio: 'inherit' });
  } catch {
    if (!existsSync(generatorEntry)) fail(2, 'cannot build the generator (npx tsc -p generator)');
  }
}
const gen = await import(generatorEntry);
const baseDir = mkdtempSync(join(tmpdir(), 'spec-base-'));
let required = new Map();
let summary = '';
try {
  const files = lines(git('ls-tree', '-r', '--name-only', since, '--', SPEC_DIR));
  if (!files.length) {
    console.log(`check-changeset: ${SPEC_DIR} is new since ${base}; a changeset is present (${changesets.join(', ')}).`);
    process.exit(0);
  }
  for (const f of files) {
    const out = join(baseDir, f);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, execFileSync('git', ['show', `${since}:${f}`], { cwd }));
  }
  try {
    const result = gen.diffSpecs(join(baseDir, SPEC_DIR), join(root, SPEC_DIR));
    const present = gen.workspacePackages(root); // mvgen diff --changeset names only these
    required = new Map([...gen.packageBumps(result.changes)].filter(([name]) => present.has(name)));
    summary = `mvgen diff says ${result.bump} (${result.changes.length} change(s))`;
  } catch (e) {
    if (!(e instanceof gen.SpecsInvalidError)) throw e;
    // An invalid spec on either side is the validator's job to report; here presence is enough.
    console.warn(`check-changeset: cannot classify the change (${e.message}); checking only that a changeset exists.`);
  }
} finally {
  rmSync(baseDir, { recursive: true, force: true });
}

const given = new Map();
for (const f of changesets) {
  for (const { name, type } of parseChangeset(readFileSync(join(root, f), 'utf8')).releases)
    if ((RANK[type] ?? 0) > (RANK[given.get(name)] ?? 0)) given.set(name, type);
}
const short = [...required].filter(([name, level]) => (RANK[given.get(name)] ?? 0) < RANK[level]);
if (short.length)
  fail(
    1,
    `${summary}; the changesets (${changesets.join(', ')}) bump too little:\n` +
      short.map(([name, level]) => `  ${name}: needs ${level}, has ${given.get(name) ?? 'nothing'}`).join('\n') +
      `\nRegenerate the changeset with:\n${howTo}`,
  );
console.log(`check-changeset: ok — ${summary || 'spec changed'}; covered by ${changesets.join(', ')}.`);

/** Only the spec's `version` changed, to the packages' version, and changesets were consumed. */
function isReleaseVersionOnly() {
  const index = `${SPEC_DIR}/index.json`;
  const consumed = lines(git('diff', '--name-only', '--diff-filter=D', since, '--', '.changeset')).filter((f) => f.endsWith('.md') && !f.endsWith('/README.md'));
  if (!consumed.length || specChanged.length !== 1 || specChanged[0] !== index) return false;
  const before = JSON.parse(git('show', `${since}:${index}`));
  const after = JSON.parse(readFileSync(join(root, index), 'utf8'));
  const packageVersion = JSON.parse(readFileSync(join(root, 'api-spec/package.json'), 'utf8')).version;
  return after.version === packageVersion && JSON.stringify({ ...before, version: after.version }) === JSON.stringify(after);
}
