#!/usr/bin/env node
// The CLI runs from dist/: shipped built in the published package, and built by `npm ci` /
// `npm install` in the repository (the root `prepare` script). A no-change `generate`/`check`
// is answered from the stamp before the CLI and its emitters load (src/quick.ts).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

const quick = new URL('../dist/quick.js', import.meta.url);
const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli) || !existsSync(quick)) {
  console.error('mvgen: the generator is not built (no dist/cli.js): run `npm run build` at the repository root');
  process.exit(1);
}
const argv = process.argv.slice(2);
const answered = (await import(quick.href)).quickExit(argv);
if (answered !== undefined) process.exitCode = answered;
else {
  // A full run is one short batch through big view and printer functions whose argument shapes
  // vary item by item: V8 keeps deoptimising them and re-optimising each with all it inlined,
  // which cost about a third of the CPU of a 100x-spec run (perf: TurboFan's own threads).
  // Without inlining, and optimising only functions four times hotter than V8's default, a
  // re-optimisation is small and rarer: measured CPU −30 % on the 100x spec, −10 % on the real
  // one, same output. Set here, before the generator's code is loaded: the flags are
  // process-wide, so the docs worker thread has them too.
  setFlagsFromString('--no-turbo-inlining');
  setFlagsFromString('--interrupt-budget=270336');
  process.exitCode = await (await import(cli.href)).main(argv);
}
