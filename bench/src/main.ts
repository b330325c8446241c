/**
 * `npm run bench [-- --quick] [--only generator,runtime,fleet] [--out FILE]`
 * Runs the three sections in one go, prints Markdown tables and writes bench/results.json
 * (only for a full run of every section, unless --out names another file).
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { benchGenerator } from './generator/bench-generator.js';
import { availableBrokers, benchRuntime } from './runtime/bench-runtime.js';
import { benchFleet } from './fleet/bench-fleet.js';
import { machineInfo } from './machine.js';
import { checkTargets, renderReport } from './report.js';
import { RESULTS_PATH } from './paths.js';
import { round } from './stats.js';
import { publishWindow } from './runtime/window.js';

type Section = 'generator' | 'runtime' | 'fleet';
const SECTIONS: Section[] = ['generator', 'runtime', 'fleet'];

interface Args {
  quick: boolean;
  only: Section[];
  out?: string;
  verbose: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, only: SECTIONS, verbose: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') a.quick = true;
    else if (arg === '--quiet') a.verbose = false;
    else if (arg === '--only') a.only = argv[++i].split(',').map((s) => s.trim() as Section);
    else if (arg === '--out') a.out = argv[++i];
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm run bench [-- --quick] [--only generator,runtime,fleet] [--out FILE] [--quiet]');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  for (const s of a.only) if (!SECTIONS.includes(s)) throw new Error(`unknown section "${s}" (sections: ${SECTIONS.join(', ')})`);
  return a;
}

/** Counts for a full run and for --quick (which must stay under a minute). */
function plan(quick: boolean) {
  return quick
    ? {
        generator: { reps: 1, scales: [10] },
        runtime: { reps: 1, count: 4000, warmup: 1000, latencyCount: 400, latencyWarmup: 100, diagnostics: false },
        fleet: { sizes: [20, 100], durationS: 4 },
      }
    : {
        generator: { reps: 3, scales: [10, 100] },
        runtime: { reps: 5, count: 30_000, warmup: 4000, latencyCount: 2000, latencyWarmup: 300, diagnostics: true },
        fleet: { sizes: [100, 1000], durationS: 30 },
      };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const p = plan(args.quick);
  const log = args.verbose ? (line: string) => console.log(line) : () => undefined;
  const started = Date.now();
  const results: Record<string, unknown> = { date: new Date().toISOString(), quick: args.quick, machine: machineInfo() };

  if (args.only.includes('generator')) {
    log('== generator');
    results.generator = await benchGenerator({ ...p.generator, log });
  }
  if (args.only.includes('runtime')) {
    log('== runtime');
    results.runtime = await benchRuntime({ ...p.runtime, window: publishWindow(), payloadSize: 100, brokers: availableBrokers(), log });
  }
  if (args.only.includes('fleet')) {
    log('== fleet');
    results.fleet = await benchFleet({ ...p.fleet, log });
  }
  results.load_average_1m_end = round(loadavg()[0], 2);
  results.duration_s = round((Date.now() - started) / 1000, 1);
  results.targets = checkTargets(results);

  console.log('\n' + renderReport(results));
  const complete = !args.quick && args.only.length === SECTIONS.length;
  const out = args.out ?? (complete ? RESULTS_PATH : undefined);
  if (out) {
    writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
    console.log(`results written to ${out}`);
  } else {
    console.log(`(${args.quick ? '--quick' : 'partial'} run: ${RESULTS_PATH} left as it is; pass --out FILE to keep these numbers)`);
  }
  console.log(`total ${results.duration_s} s`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
