#!/usr/bin/env node
// The mvdevice command. In a fresh clone the package is not built yet: build it once (turbo,
// cached afterwards) so that `npx mvdevice` works right after `npm ci`.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  process.stderr.write('mvdevice: first run, building @mvmqtt/device…\n');
  const built = spawnSync('npx', ['turbo', 'run', 'build', '--filter=@mvmqtt/device', '--output-logs=errors-only'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (built.status !== 0 || !existsSync(entry)) {
    process.stderr.write('mvdevice: building @mvmqtt/device failed (run `npm run build` to see why)\n');
    process.exit(1);
  }
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
