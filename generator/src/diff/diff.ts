/**
 * `mvgen diff`: compares two specs at the model level and classifies every change as
 * major, minor or patch (see README.md in this directory for the rules and why).
 */
import { basename } from 'node:path';
import { runPipeline } from '../pipeline.js';
import { Model } from '../model/model.js';
import { resolveSpecPath } from '../spec/load.js';
import type { Diagnostic } from '../spec/diagnostics.js';
import { ChangeLog, LEVELS, maxBump, type Bump, type Change } from './change.js';
import type { DiffContext } from './context.js';
import { diffEnums } from './enums.js';
import { diffStructs } from './structs.js';
import { diffFunctions } from './functions.js';
import { diffLimits } from './limits.js';
import { diffIndex, diffTypedefs } from './meta.js';

export interface SpecSummary {
  /** The index file that was read. */
  path: string;
  name: string;
  version: string;
  hash: string;
}

export interface DiffResult {
  before: SpecSummary;
  after: SpecSummary;
  /** Sorted: major first, then by file and pointer. */
  changes: Change[];
  bump: Bump;
}

/** Compares two models. `indexFile` names the index files for pointers into them. */
export function diffModels(before: Model, after: Model, indexFile = { before: 'index.json', after: 'index.json' }): { changes: Change[]; bump: Bump } {
  const ctx: DiffContext = { before, after, log: new ChangeLog(), indexFile, renamedFunctions: new Map() };
  if (before.spec.hash !== after.spec.hash) {
    diffIndex(ctx);
    diffTypedefs(ctx);
    diffEnums(ctx);
    diffStructs(ctx);
    diffFunctions(ctx);
    diffLimits(ctx);
  }
  const changes = sortChanges(ctx.log.changes);
  return { changes, bump: changes.reduce<Bump>((b, c) => maxBump(b, c.level), 'none') };
}

export class SpecsInvalidError extends Error {
  constructor(readonly problems: { role: 'old' | 'new'; path: string; diagnostics: Diagnostic[] }[]) {
    super(problems.map((p) => `the ${p.role} spec ${p.path} has ${p.diagnostics.length} problem(s)`).join('; '));
  }
}

/** Validates both specs (reporting every problem of both), then compares them. */
export function diffSpecs(oldPath: string, newPath: string): DiffResult {
  const loaded = ([['old', oldPath], ['new', newPath]] as const).map(([role, path]) => ({ role, path: resolveSpecPath(path), ...runPipeline(path) }));
  const bad = loaded.filter((l) => l.diagnostics.length || !l.model);
  if (bad.length) throw new SpecsInvalidError(bad.map((l) => ({ role: l.role, path: l.path, diagnostics: l.diagnostics })));
  const [before, after] = loaded.map((l) => l.model!);
  const summary = (m: Model, path: string): SpecSummary => ({ path, name: m.spec.name, version: m.spec.version, hash: m.spec.hash });
  const { changes, bump } = diffModels(before, after, { before: basename(loaded[0].path), after: basename(loaded[1].path) });
  return { before: summary(before, loaded[0].path), after: summary(after, loaded[1].path), changes, bump };
}

/** Numeric-aware JSON pointer order, so /structs/10 comes after /structs/9. */
function comparePointers(a: string, b: string): number {
  const [x, y] = [a.split('/'), b.split('/')];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    const [nx, ny] = [Number(x[i]), Number(y[i])];
    if (x[i] !== '' && y[i] !== '' && Number.isInteger(nx) && Number.isInteger(ny)) return nx - ny;
    return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function sortChanges(changes: Change[]): Change[] {
  const seen = new Set<string>();
  return [...changes]
    .sort(
      (a, b) =>
        LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) ||
        cmp(a.where.file, b.where.file) ||
        comparePointers(a.where.pointer, b.where.pointer) ||
        cmp(a.where.side, b.where.side) ||
        cmp(a.message, b.message),
    )
    .filter((c) => {
      const line = formatChange(c);
      if (seen.has(line)) return false;
      seen.add(line);
      return true;
    });
}

/** `major: mqtt.json#/structs/7/fields/3: …`; pointers into the old spec say `(old)`. */
export function formatChange(c: Change): string {
  return `${c.level}: ${c.where.file}#${c.where.pointer}${c.where.side === 'old' ? ' (old)' : ''}: ${c.message}`;
}

export function formatReport(r: { changes: Change[]; bump: Bump }): string {
  return [...r.changes.map(formatChange), `bump: ${r.bump}`].join('\n') + '\n';
}
