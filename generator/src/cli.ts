/**
 * mvgen — validate the Microvisor MQTT spec and generate everything from it.
 *   mvgen validate [SPEC]
 *   mvgen generate [--spec SPEC] [--target NAME]... [--out DIR]
 *   mvgen check    [--spec SPEC] [--target NAME]... [--out DIR]
 *   mvgen targets
 *   mvgen diff OLD NEW [--json] [--changeset]
 * Exit codes: 0 ok, 1 spec invalid or check found drift, 2 usage error.
 */
import { performance } from 'node:perf_hooks';
import { relative } from 'node:path';
import { runPipeline } from './pipeline.js';
import { formatDiagnostic, SpecInvalidError } from './spec/diagnostics.js';
import { generateParallel } from './parallel.js';
import { findRepoRoot, resolveSpecPath, UsageError } from './locate.js';
import { TARGETS } from './emit/targets.js';
import { GENERATOR_VERSION } from './version.js';
import { diffMain } from './diff/cli.js';
import { writeStamp } from './stamp.js';

const HELP = `mvgen ${GENERATOR_VERSION} — the mvmqtt spec validator and generator

Usage:
  mvgen validate [SPEC]                      check the spec (schema + semantic rules)
  mvgen generate [--spec SPEC] [--target NAME]... [--out DIR]
                                             write every target (or the named ones)
  mvgen check    [--spec SPEC] [--target NAME]... [--out DIR]
                                             exit 1 if generated files differ from the spec
  mvgen targets                              list the targets
  mvgen diff OLD NEW [--json] [--changeset]  classify the changes between two specs
                                             (major/minor/patch) and print the bump

SPEC is api-spec/spec/index.json or its directory (default: found from the current directory).
Output goes into the repository holding the spec, or into --out DIR.
Exit codes: 0 ok; 1 invalid spec or stale output; 2 usage error.
`;

interface Args {
  command?: string;
  positional: string[];
  spec?: string;
  out?: string;
  targets: string[];
  quiet: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { positional: [], targets: [], quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--spec') a.spec = value();
    else if (arg === '--out') a.out = value();
    else if (arg === '--target' || arg === '-t') a.targets.push(...value().split(','));
    else if (arg === '--quiet' || arg === '-q') a.quiet = true;
    else if (arg === '--help' || arg === '-h') a.command = 'help';
    else if (arg === '--version' || arg === '-v') a.command = 'version';
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (!a.command) a.command = arg;
    else a.positional.push(arg);
  }
  return a;
}

function defaultSpec(): string {
  const root = findRepoRoot();
  if (!root) throw new UsageError('no api-spec/spec/index.json found from here: pass the spec path');
  return `${root}/api-spec/spec/index.json`;
}

function printDiagnostics(diags: { length: number } & Parameters<typeof formatDiagnostic>[0][]): void {
  for (const d of diags) console.error(formatDiagnostic(d));
  console.error(`\n${diags.length} problem${diags.length === 1 ? '' : 's'} found; nothing was written.`);
}

const ms = (t0: number) => `${Math.round(performance.now() - t0)} ms`;

export async function main(argv: string[]): Promise<number> {
  const t0 = performance.now();
  // diff has its own options (src/diff/cli.ts).
  if (argv[0] === 'diff') return diffMain(argv.slice(1));
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    console.error(`mvgen: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  try {
    switch (args.command) {
      case undefined:
      case 'help':
        console.log(HELP);
        return args.command ? 0 : 2;
      case 'version':
        console.log(GENERATOR_VERSION);
        return 0;
      case 'targets':
        for (const t of TARGETS) console.log(`${t.target.padEnd(6)} ${t.description}`);
        return 0;
      case 'validate': {
        const spec = args.positional[0] ?? args.spec ?? defaultSpec();
        const { model: m, diagnostics } = runPipeline(spec);
        if (!m) {
          printDiagnostics(diagnostics);
          return 1;
        }
        console.log(
          `mvgen validate: ${m.spec.name} ${m.spec.version} is valid — ${m.areas.length} areas, ${m.functions.length} functions, ` +
            `${m.structs.length} structs, ${m.enums.length} enums, ${m.limits.length} limits (${ms(t0)})`,
        );
        return 0;
      }
      case 'generate':
      case 'check': {
        const check = args.command === 'check';
        const specPath = args.spec ?? args.positional[0] ?? defaultSpec();
        // MVGEN_THREADS=1: everything in one thread (for comparison; the output is the same).
        const threads = process.env.MVGEN_THREADS !== '1';
        const res = await generateParallel({ specPath, outRoot: args.out, targets: args.targets, mode: check ? 'check' : 'write', threads });
        let drift = 0;
        let files = 0;
        let written = 0;
        for (const r of res.results) {
          files += r.files;
          written += r.written;
          const p = r.plan;
          const changes = p.changed.length + p.added.length + p.stale.length;
          drift += changes;
          if (check) {
            for (const f of p.changed) console.error(`stale:   ${f} differs from what the spec gives`);
            for (const f of p.added) console.error(`missing: ${f} is not generated yet`);
            for (const f of p.stale) console.error(`extra:   ${f} is no longer generated`);
          } else if (!args.quiet) {
            const parts = [`${r.files} files`, `${r.written} written`, `${p.unchanged.length} unchanged`];
            if (p.stale.length) parts.push(`${p.stale.length} stale removed`);
            console.log(`  ${r.target.padEnd(6)} ${parts.join(', ')}`);
          }
        }
        const where = relative(process.cwd(), res.outRoot) || '.';
        // The output now matches the spec (written, or checked clean): let the next run skip the work.
        if (!check || !drift)
          writeStamp(
            resolveSpecPath(specPath),
            res.outRoot,
            args.targets,
            { name: res.model.spec.name, version: res.model.spec.version },
            res.results.flatMap((r) => r.hashes),
            res.results.flatMap((r) => r.ownedDirs),
            res.results.map((r) => ({ target: r.target, files: r.files })),
          );
        if (check) {
          if (drift) {
            console.error(`\nmvgen check: ${drift} generated file(s) out of date in ${where}. Run \`npm run generate\` and commit the result.`);
            return 1;
          }
          console.log(`mvgen check: all ${files} generated files match ${res.model.spec.name} ${res.model.spec.version} (${ms(t0)})`);
          return 0;
        }
        console.log(
          written === 0
            ? `mvgen generate: ${files} files, 0 written — everything already up to date (${ms(t0)})`
            : `mvgen generate: ${files} files, ${written} written into ${where} (${ms(t0)})`,
        );
        return 0;
      }
      default:
        console.error(`mvgen: unknown command "${args.command}"\n\n${HELP}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof SpecInvalidError) {
      printDiagnostics(e.diagnostics);
      return 1;
    }
    if (e instanceof UsageError) {
      console.error(`mvgen: ${e.message}`);
      return 2;
    }
    return failure(e);
  }
}

/**
 * Anything else: a file system refusal (permissions, a full disk, a path that is not a
 * directory) or a generator bug. One line, no stack trace (MVGEN_DEBUG=1 shows it).
 */
function failure(e: unknown): number {
  const err = e as NodeJS.ErrnoException;
  if (process.env.MVGEN_DEBUG) console.error(err?.stack ?? err);
  if (err?.code && err.syscall) {
    console.error(`mvgen: cannot ${err.syscall} ${err.path ?? ''}: ${err.code}${err.path ? '' : ` (${err.message})`}`.replace(/ +:/, ':'));
    return 1;
  }
  console.error(`mvgen: internal error: ${err?.message ?? String(e)} (run with MVGEN_DEBUG=1 for details, and please report it)`);
  return 70;
}
