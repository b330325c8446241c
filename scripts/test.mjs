#!/usr/bin/env node
// `npm test`: build the generator, check the committed generated files against the spec,
// build every package, then run every suite in one vitest run. Exit code: non-zero on any failure.
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

step('tests');
const extra = process.argv.slice(2);
const tests = run('npx', ['vitest', 'run', ...extra]);

if (stale) console.error('\nFAILED: committed generated files are out of date (run `npm run generate` and commit).');
process.exit(tests || stale ? 1 : 0);
