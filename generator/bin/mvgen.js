#!/usr/bin/env node
// Answers a no-change `generate`/`check` from the stamp before loading the CLI (src/quick.ts),
// and says so plainly when the generator has not been compiled yet.
let quick;
try {
  quick = await import('../dist/quick.js');
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
  console.error('mvgen: the generator is not built yet (generator/dist is missing): run `npm run build` first.');
  process.exit(2);
}
const argv = process.argv.slice(2);
const answered = quick.quickExit(argv);
if (answered !== undefined) process.exitCode = answered;
else {
  const { main } = await import('../dist/cli.js');
  process.exitCode = main(argv);
}
