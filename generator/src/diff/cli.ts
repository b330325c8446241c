/**
 * mvgen diff OLD NEW [--json] [--changeset]
 * Prints one classified line per change and a final `bump:` line. Exit codes: 0 compared
 * (the bump is data, not a failure), 1 a spec is invalid, 2 usage error.
 */
import { relative } from 'node:path';
import { formatDiagnostic } from '../spec/diagnostics.js';
import { findRepoRoot } from '../generate.js';
import { diffSpecs, formatReport, SpecsInvalidError, type DiffResult } from './diff.js';
import { packageBumps, writeChangeset } from './changeset.js';

export const DIFF_USAGE = `Usage: mvgen diff OLD NEW [--json] [--changeset]
  OLD, NEW     two specs: index.json files or the directories holding them
  --json       print the result as JSON instead of lines
  --changeset  also write .changeset/spec-<old>-<new>.md (in the repository found from the
               current directory) bumping every affected package`;

export function diffMain(argv: string[]): number {
  const paths: string[] = [];
  let json = false;
  let changeset = false;
  for (const arg of argv) {
    if (arg === '--json') json = true;
    else if (arg === '--changeset') changeset = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(DIFF_USAGE);
      return 0;
    } else if (arg.startsWith('-')) return usage(`unknown option ${arg}`);
    else paths.push(arg);
  }
  if (paths.length !== 2) return usage(`diff needs two specs, OLD and NEW (got ${paths.length})`);
  const root = changeset ? findRepoRoot() : undefined;
  if (changeset && !root) return usage('--changeset needs to run inside a repository holding api-spec/spec/index.json');

  let result: DiffResult;
  try {
    result = diffSpecs(paths[0], paths[1]);
  } catch (e) {
    if (!(e instanceof SpecsInvalidError)) throw e;
    for (const p of e.problems) {
      console.error(`mvgen diff: the ${p.role} spec ${relative(process.cwd(), p.path) || p.path} is invalid:`);
      for (const d of p.diagnostics) console.error(formatDiagnostic(d));
      console.error(`${p.diagnostics.length} problem${p.diagnostics.length === 1 ? '' : 's'} in the ${p.role} spec; nothing compared.`);
    }
    return 1;
  }

  const written = root ? writeChangeset(result, root) : undefined;
  if (json) console.log(JSON.stringify(toJson(result), null, 2));
  else process.stdout.write(formatReport(result));
  if (changeset) {
    const where = written ? relative(process.cwd(), written.path) || written.path : undefined;
    console.error(where ? `mvgen diff: wrote ${where} (${[...written!.bumps].map(([n, l]) => `${n} ${l}`).join(', ')})` : 'mvgen diff: no change, no changeset written');
  }
  return 0;
}

function usage(message: string): number {
  console.error(`mvgen diff: ${message}\n\n${DIFF_USAGE}`);
  return 2;
}

export function toJson(r: DiffResult) {
  return {
    before: r.before,
    after: r.after,
    bump: r.bump,
    packages: Object.fromEntries([...packageBumps(r.changes)].sort(([a], [b]) => (a < b ? -1 : 1))),
    changes: r.changes.map((c) => ({ level: c.level, side: c.where.side, file: c.where.file, pointer: c.where.pointer, message: c.message, facets: [...c.facets] })),
  };
}
