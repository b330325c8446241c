/**
 * `npm run bench [-- --quick] [--repeat N] [--only generator,runtime,fleet,firmware,inspector] [--out FILE] [--max-load X]`
 * Runs the sections in one go, prints Markdown tables and writes bench/results.json
 * (only for a full, quiet run of every section, unless --out names another file) and the
 * README tables generated from it. A noisy run goes to bench/results.noisy.json instead.
 */
import { statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
// The sections are imported when they run (they load the generator, the device, brokers), so
// a usage error costs nothing.
import { machineInfo } from './machine.js';
import { checkTargets, renderReport } from './report.js';
import { NOISY_RESULTS_PATH, RESULTS_PATH } from './paths.js';
import { LoadMonitor } from './load.js';
import { updateReadmes } from './readme.js';
import { round } from './stats.js';

type Section = 'generator' | 'runtime' | 'fleet' | 'firmware' | 'inspector';
const SECTIONS: Section[] = ['generator', 'runtime', 'fleet', 'firmware', 'inspector'];

interface Args {
  quick: boolean;
  only: Section[];
  out?: string;
  verbose: boolean;
  /** Repetitions of every generator and runtime measurement (default in a full run: 5, and 3 for the 100x spec). */
  repeat?: number;
  /** Other processes' 1-minute load above which the run is noisy. */
  maxLoad: number;
}

const USAGE = 'usage: npm run bench [-- --quick] [--repeat N] [--only generator,runtime,fleet,firmware,inspector] [--out FILE] [--max-load X] [--quiet]';

class UsageError extends Error {}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, only: SECTIONS, verbose: true, maxLoad: 1.0 };
  const value = (i: number, flag: string) => {
    if (i >= argv.length || argv[i].startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return argv[i];
  };
  const positive = (text: string, flag: string, integer: boolean) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`${flag} takes a positive ${integer ? 'whole ' : ''}number, not "${text}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') a.quick = true;
    else if (arg === '--quiet') a.verbose = false;
    else if (arg === '--only') a.only = value(++i, arg).split(',').map((s) => s.trim() as Section);
    else if (arg === '--out') a.out = value(++i, arg);
    else if (arg === '--repeat') a.repeat = positive(value(++i, arg), arg, true);
    else if (arg === '--max-load') a.maxLoad = positive(value(++i, arg), arg, false);
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new UsageError(`unknown argument ${arg}`);
  }
  for (const s of a.only) if (!SECTIONS.includes(s)) throw new UsageError(`unknown section "${s}" (sections: ${SECTIONS.join(', ')})`);
  if (a.out !== undefined) checkOut(a.out);
  return a;
}

/** `--out FILE` is checked before a run of minutes, not when the results are written at its end. */
function checkOut(out: string): void {
  const kind = (path: string) => {
    try {
      return statSync(path).isDirectory() ? 'dir' : 'file';
    } catch {
      return 'none';
    }
  };
  if (kind(out) === 'dir') throw new UsageError(`--out ${out} is a directory; name a file`);
  const parent = dirname(resolve(out));
  if (kind(parent) !== 'dir') throw new UsageError(`--out ${out}: the folder ${parent} does not exist`);
}

/** Counts for a full run (about 10 minutes) and for --quick (which must stay under a minute). */
function plan(quick: boolean, repeat?: number) {
  const p = quick
    ? {
        generator: { reps: 1, scales: [{ factor: 10, reps: 1 }] },
        runtime: { reps: 1, count: 4000, warmup: 1000, latencyCount: 400, latencyWarmup: 1000, diagnostics: false },
        fleet: { sizes: [20, 100], durationS: 4 },
        firmware: { calls: 2000, warmup: 500, irqs: 50, publishes: 500, publishReps: 1 },
        inspector: { reps: 1, count: 3000, warmup: 1000 },
      }
    : {
        // The 100x spec takes seconds a run: three of them (after the warm-up) keep the section near a minute.
        generator: { reps: 5, scales: [{ factor: 10, reps: 5 }, { factor: 100, reps: 3 }] },
        // Latency sends one message per turn of the event loop, so the per-message path gets its
        // invocations (and V8 its reasons to optimize) one at a time: measured over message index,
        // both raw mqtt.js and the device keep compiling and their p50 and CPU per message keep
        // falling until about 2,500–3,500 messages (aedes and mosquitto; the device's path is
        // longer, so a short warm-up leaves more of its compilation in the measured phase). The
        // latency warm-up is therefore as long as the throughput one, for both sides alike.
        runtime: { reps: 5, count: 30_000, warmup: 4000, latencyCount: 2000, latencyWarmup: 4000, diagnostics: true },
        fleet: { sizes: [1000, 10_000], durationS: 20 },
        firmware: { calls: 20_000, warmup: 2000, irqs: 300, publishes: 5000, publishReps: 3 },
        inspector: { reps: 5, count: 20_000, warmup: 4000 },
      };
  if (repeat !== undefined) {
    p.generator.reps = repeat;
    for (const s of p.generator.scales) s.reps = repeat;
    p.runtime.reps = repeat;
    p.inspector.reps = repeat;
  }
  return p;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const p = plan(args.quick, args.repeat);
  const log = args.verbose ? (line: string) => console.log(line) : () => undefined;
  const started = Date.now();
  const results: Record<string, unknown> = { date: new Date().toISOString(), quick: args.quick, machine: machineInfo() };
  const load = new LoadMonitor(args.maxLoad);
  log('== load: measuring what the rest of the machine does (2 s)');
  await load.start();
  log(`  other processes: ${load.othersNow ?? 'unknown (no /proc)'} cores`);

  if (args.only.includes('generator')) {
    log('== generator');
    const { benchGenerator } = await import('./generator/bench-generator.js');
    results.generator = await benchGenerator({ ...p.generator, log });
  }
  if (args.only.includes('runtime')) {
    log('== runtime');
    const { availableBrokers, benchRuntime } = await import('./runtime/bench-runtime.js');
    const { publishWindow } = await import('./runtime/window.js');
    results.runtime = await benchRuntime({ ...p.runtime, window: publishWindow(), payloadSize: 100, brokers: availableBrokers(), log });
  }
  if (args.only.includes('fleet')) {
    log('== fleet');
    const { benchFleet } = await import('./fleet/bench-fleet.js');
    results.fleet = await benchFleet({ ...p.fleet, log });
  }
  if (args.only.includes('firmware')) {
    log('== firmware (host build of C firmware through the host bridge)');
    const { benchFirmware } = await import('./firmware/bench-firmware.js');
    results.firmware = await benchFirmware({ ...p.firmware, log });
  }
  if (args.only.includes('inspector')) {
    log('== inspector (what attaching the live inspector costs the device)');
    const { benchInspector } = await import('./inspector/bench-inspector.js');
    const { publishWindow } = await import('./runtime/window.js');
    results.inspector = await benchInspector({ ...p.inspector, window: publishWindow(), payloadSize: 100, log });
  }
  const loadReport = load.stop();
  results.load = loadReport;
  results.duration_s = round((Date.now() - started) / 1000, 1);
  results.targets = checkTargets(results);

  console.log('\n' + renderReport(results));
  const complete = !args.quick && args.only.length === SECTIONS.length;
  if (loadReport.noisy)
    console.log(
      `\n${'!'.repeat(78)}\nNOISY RUN: ${loadReport.reason}.\nThese numbers say more about the other processes than about mvmqtt; ${RESULTS_PATH} and the README tables are NOT updated.\n${'!'.repeat(78)}`,
    );
  const out = args.out ?? (complete ? (loadReport.noisy ? NOISY_RESULTS_PATH : RESULTS_PATH) : undefined);
  if (out) {
    writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
    console.log(`results written to ${out}`);
    if (out === RESULTS_PATH) for (const f of updateReadmes()) console.log(`${f} updated from it (commit both)`);
  } else {
    console.log(`(${args.quick ? '--quick' : 'partial'} run: ${RESULTS_PATH} left as it is; pass --out FILE to keep these numbers)`);
  }
  console.log(`total ${results.duration_s} s`);
}

main().catch((err) => {
  if (err instanceof UsageError) console.error(`bench: ${err.message}\n${USAGE}`);
  // A section that cannot run (a broker missing, a file not writable): one line; MVMQTT_DEBUG=1 shows the stack.
  else if (process.env.MVMQTT_DEBUG) console.error(err);
  else console.error(`bench: failed: ${err instanceof Error ? err.message : String(err)} (MVMQTT_DEBUG=1 shows where)`);
  process.exitCode = err instanceof UsageError ? 2 : 1;
});
