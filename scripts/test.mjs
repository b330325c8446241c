#!/usr/bin/env node
// `npm test`: build the generator, check the committed generated files against the spec,
// build every package, type-check the test folders, then run every suite in one vitest run.
// Exit code: non-zero on any failure.
import { spawnSync } from 'node:child_process';

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', env, ...opts }).status ?? 1;
const step = (title) => console.log(`\n=== ${title}`);

step('build the generator');
if (run('npx', ['turbo', 'run', '@mvmqtt/generator#build', '--output-logs=errors-only'])) process.exit(1);

step('generated files match the spec (mvgen check)');
const stale = run('node', ['generator/bin/mvgen.js', 'check']);

step('build all packages');
if (run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'])) process.exit(1);

// vitest runs the tests without checking their types: a test could call an API that no longer exists as typed.
step('type-check the tests (tsconfig.tests.json)');
const testTypes = run('npx', ['tsc', '-p', 'tsconfig.tests.json']);

step('tests');
const extra = process.argv.slice(2);
const tests = run('npx', ['vitest', 'run', ...extra]);

if (stale) console.error('\nFAILED: committed generated files are out of date (run `npm run generate` and commit).');
if (testTypes) console.error('\nFAILED: the tests have type errors (npx tsc -p tsconfig.tests.json).');
process.exit(tests || stale || testTypes ? 1 : 0);
