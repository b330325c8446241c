#!/usr/bin/env node
// `npm run version-packages`: the release step. One version number names a release everywhere:
// the npm version of every public package (one changesets `fixed` group), the spec's `version`
// (api-spec/spec/index.json), and from the spec the header's MVMQTT_SPEC_VERSION_* macros and
// the CMake package version (`find_package(mvmqtt 0.2 CONFIG)`). This script
//   1. runs `changeset version` (consumes the changesets, bumps the packages, writes changelogs),
//   2. writes the packages' new version into the spec,
//   3. regenerates, so every generated file carries the new version in its banner and macros.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const INDEX = join(root, 'api-spec/spec/index.json');

if (process.argv.length > 2) {
  const help = ['--help', '-h'].includes(process.argv[2]);
  (help ? console.log : console.error)(`${help ? '' : `version-packages: unexpected argument ${process.argv[2]}\n`}usage: npm run version-packages (takes no arguments)`);
  process.exit(help ? 0 : 2);
}

const run = (what, cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`version-packages: ${what} failed`);
    process.exit(r.status ?? 1);
  }
};

run('changeset version', process.execPath, [join(root, 'node_modules/@changesets/cli/bin.js'), 'version']);

const version = JSON.parse(readFileSync(join(root, 'api-spec/package.json'), 'utf8')).version;
const text = readFileSync(INDEX, 'utf8');
const spec = JSON.parse(text);
if (spec.version !== version) {
  // Edit the one top-level member in place, so the file keeps its layout.
  const updated = text.replace(/^(  "version": )"[^"]*"/m, `$1${JSON.stringify(version)}`);
  if (JSON.parse(updated).version !== version) {
    console.error('version-packages: could not find the top-level "version" of api-spec/spec/index.json');
    process.exit(1);
  }
  writeFileSync(INDEX, updated);
  console.log(`version-packages: spec version ${spec.version} → ${version}`);
}
run('mvgen generate', process.execPath, [join(root, 'generator/bin/mvgen.js'), 'generate', '--quiet']);
console.log(`version-packages: everything is at ${version}; review, commit, then \`npx changeset publish\``);
