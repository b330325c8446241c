#!/usr/bin/env node
// The CLI runs from dist/: shipped built in the published package, and built by `npm ci` /
// `npm install` in the repository (the root `prepare` script).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('mvdevice: @mvmqtt/device is not built (no dist/cli/main.js): run `npm run build` at the repository root');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
