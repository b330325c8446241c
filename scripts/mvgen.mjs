#!/usr/bin/env node
// Root entry for `npm run generate|generate:check|validate`: brings the generator's build up to
// date through turbo (cached, and silent unless it fails), then runs mvgen with the given arguments.
import { spawnSync } from 'node:child_process';

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const build = spawnSync('npx', ['turbo', 'run', '@mvmqtt/generator#build', '--output-logs=errors-only'], { env, encoding: 'utf8' });
if (build.status !== 0) {
  process.stdout.write(build.stdout ?? '');
  process.stderr.write(build.stderr ?? '');
  console.error('mvgen: building the generator failed (see above)');
  process.exit(build.status ?? 1);
}
const run = spawnSync(process.execPath, ['generator/bin/mvgen.js', ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(run.status ?? 1);
