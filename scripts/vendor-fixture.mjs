#!/usr/bin/env node
// The vendor facts the tests use as an oracle, kept inside the repository so that `npm test`
// passes in a clone with nothing beside it. They are taken from `../shared/reference` (the
// project's read-only reference material, present on developer machines and in CI;
// MVMQTT_SHARED_DIR names another place):
//
//   node scripts/vendor-fixture.mjs           rewrite test/fixtures/vendor/ from ../shared/reference
//   node scripts/vendor-fixture.mjs --check   exit 1 if the fixture differs from ../shared/reference
//   node scripts/vendor-fixture.mjs --from DIR   read the reference from DIR instead
//
// Only facts are kept: the sections of microvisor-abi.json the tests read (names, values,
// layouts, prototypes, error tables, call addresses, the source's identity), and the list of
// identifiers the vendor's web page names. The page's prose is not copied.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURE_DIR = join(REPO, 'test/fixtures/vendor');
/** `../shared` beside the repository; MVMQTT_SHARED_DIR points elsewhere (a git worktree, say). */
export const SHARED_DIR = resolve(REPO, process.env.MVMQTT_SHARED_DIR || '../shared');
export const SHARED_REFERENCE = join(SHARED_DIR, 'reference');

/** Top-level sections of microvisor-abi.json the tests read. Add a section here, then refresh. */
export const ABI_SECTIONS = [
  'source',
  'header',
  'implementation',
  'status',
  'enums',
  'structs',
  'typedefs',
  'functions',
  'functions_other',
  'all_functions_by_area',
  'counts',
  'doc_discrepancies',
];

/** Identifiers on the vendor page: Microvisor names (Mv…, MV_…, mv…) and MQTT-prefixed ones. */
export const PAGE_IDENTIFIER = /\b(?:Mv|MV_|mv|Mqtt|MQTT)[A-Za-z0-9_]*[a-z_][A-Za-z0-9_]*\b/g;

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

/** The fixture files, as path → content, computed from a reference directory. */
export function fixtureFrom(referenceDir) {
  const abiBytes = readFileSync(join(referenceDir, 'microvisor-abi.json'));
  const pageBytes = readFileSync(join(referenceDir, 'microvisor-mqtt-syscalls.txt'));
  const abi = JSON.parse(abiBytes.toString('utf8'));
  const missing = ABI_SECTIONS.filter((k) => !(k in abi));
  if (missing.length) throw new Error(`microvisor-abi.json has no section ${missing.join(', ')}`);
  const facts = Object.fromEntries(ABI_SECTIONS.map((k) => [k, abi[k]]));
  const names = [...new Set(pageBytes.toString('utf8').match(PAGE_IDENTIFIER) ?? [])].sort();
  const provenance = {
    taken_from: {
      'microvisor-abi.json': { sha256: sha256(abiBytes), sections: ABI_SECTIONS },
      'microvisor-mqtt-syscalls.txt': { sha256: sha256(pageBytes), kept: 'identifiers only' },
    },
    sdk_version: abi.source?.sdk_version,
    header: { repo: abi.source?.repo, path: abi.source?.path, commit: abi.source?.commit, sha256: abi.source?.header_sha256 },
  };
  return {
    'microvisor-abi.json': json(facts),
    'vendor-page-identifiers.json': json(names),
    'provenance.json': json(provenance),
  };
}

/** Fixture files that differ from what `referenceDir` gives (names only). */
export function staleFiles(referenceDir = SHARED_REFERENCE) {
  return Object.entries(fixtureFrom(referenceDir))
    .filter(([name, content]) => !existsSync(join(FIXTURE_DIR, name)) || readFileSync(join(FIXTURE_DIR, name), 'utf8') !== content)
    .map(([name]) => name);
}

function main() {
  let opts;
  try {
    opts = parseArgs({ options: { check: { type: 'boolean', default: false }, from: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } }).values;
  } catch (e) {
    console.error(`vendor-fixture: ${e.message}\nusage: node scripts/vendor-fixture.mjs [--check] [--from DIR]`);
    return 2;
  }
  if (opts.help) {
    console.log('usage: node scripts/vendor-fixture.mjs [--check] [--from DIR]');
    return 0;
  }
  const from = resolve(opts.from ?? SHARED_REFERENCE);
  if (!existsSync(join(from, 'microvisor-abi.json'))) {
    console.error(`vendor-fixture: no microvisor-abi.json in ${from} (pass --from DIR)`);
    return 1;
  }
  if (opts.check) {
    const stale = staleFiles(from);
    for (const f of stale) console.error(`stale: ${relative(REPO, join(FIXTURE_DIR, f))} (run node scripts/vendor-fixture.mjs)`);
    if (!stale.length) console.log(`test/fixtures/vendor matches ${from}`);
    return stale.length ? 1 : 0;
  }
  mkdirSync(FIXTURE_DIR, { recursive: true });
  for (const [name, content] of Object.entries(fixtureFrom(from))) {
    const path = join(FIXTURE_DIR, name);
    if (existsSync(path) && readFileSync(path, 'utf8') === content) continue;
    writeFileSync(path, content);
    console.log(`wrote ${relative(REPO, path)}`);
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
