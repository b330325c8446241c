#!/usr/bin/env node
// The CLI runs from dist/: shipped built in the published package, and built by `npm ci` /
// `npm install` in the repository (the root `prepare` script). A no-change `generate`/`check`
// is answered from the stamp before the CLI and its emitters load (src/quick.ts).
import { existsSync } from 'node:fs';

const quick = new URL('../dist/quick.js', import.meta.url);
const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli) || !existsSync(quick)) {
  console.error('mvgen: the generator is not built (no dist/cli.js): run `npm run build` at the repository root');
  process.exit(1);
}
const argv = process.argv.slice(2);
const answered = (await import(quick.href)).quickExit(argv);
if (answered !== undefined) process.exitCode = answered;
else process.exitCode = await (await import(cli.href)).main(argv);
