#!/usr/bin/env node
// The CLI runs from dist/: shipped built in the published package, and built by `npm ci` /
// `npm install` in the repository (the root `prepare` script).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('mvgen: the generator is not built (no dist/cli.js): run `npm run build` at the repository root');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = main(process.argv.slice(2));
