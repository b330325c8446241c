/** The library API behind `mvgen generate` and `mvgen check`. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadModel } from './pipeline.js';
import { impliedOutRoot } from './locate.js';
import { TARGETS, findTarget } from './emit/targets.js';
import { OutputWriter, type OutputPlan } from './write/output.js';
import type { EmitContext, Emitter, OutputFile } from './emit/emitter.js';
import { GENERATOR_VERSION } from './version.js';
import type { Model } from './model/model.js';

export interface GenerateOptions {
  specPath: string;
  /** Output root; target paths are relative to it. Defaults to the repo holding the spec. */
  outRoot?: string;
  targets?: string[];
  /** 'check' plans only and never writes. */
  mode: 'write' | 'check';
}

/** What one target did, without its files' contents (all a worker thread sends back). */
export interface TargetOutcome {
  target: string;
  files: number;
  /** Directories the target owns entirely (relative to the output root). */
  ownedDirs: string[];
  plan: OutputPlan;
  written: number;
  /** [path, sha256 of the contents] of every file, for the no-op stamp. */
  hashes: [string, string][];
}

export interface TargetResult extends TargetOutcome {
  /** The files as rendered (what the output holds after a write). */
  outputs: OutputFile[];
}

export interface GenerateResult {
  model: Model;
  outRoot: string;
  results: TargetResult[];
}

export function selectTargets(names?: string[]): Emitter[] {
  if (!names?.length) return TARGETS;
  return names.map((n) => {
    const t = findTarget(n);
    if (!t) throw new UsageError(`unknown target "${n}"; targets: ${TARGETS.map((x) => x.target).join(', ')}`);
    return t;
  });
}

export { findRepoRoot, impliedOutRoot, UsageError } from './locate.js';
import { UsageError } from './locate.js';

export function specLabel(model: Model): string {
  return `spec ${model.spec.name} ${model.spec.version} (sha256 ${model.spec.hash.slice(0, 16)})`;
}

export function emitContext(model: Model, standalone: boolean): EmitContext {
  return { generatorVersion: GENERATOR_VERSION, specLabel: specLabel(model), regenerate: model.product.regenerate, standalone };
}

/** One target's files, sorted by path (outcomes and stamps list files in path order whatever order they were written in). */
export function renderTarget(model: Model, target: Emitter, ctx: EmitContext): OutputFile[] {
  return target.emit(model, ctx).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Two targets never write the same file: each writes only inside the directories it owns, and
 * no two selected targets own the same or nested directories (the one whose directory holds the
 * other's would also delete the other's files as stale). Checked before anything is rendered, so
 * each target can be written as soon as it is rendered and its files let go.
 */
export function checkOwnedDirs(model: Model, targets: Emitter[]): void {
  const owned = targets.flatMap((t) => t.ownedDirs(model).map((dir) => ({ target: t.target, dir: dir.replace(/\/+$/, '') })));
  const within = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}/`);
  for (const [i, a] of owned.entries())
    for (const b of owned.slice(i + 1))
      if (a.target !== b.target && (within(a.dir, b.dir) || within(b.dir, a.dir)))
        throw new UsageError(`targets "${a.target}" and "${b.target}" would share ${within(a.dir, b.dir) ? a.dir : b.dir}: give each its own directory in the spec's product.outputs`);
}

/** Renders every selected target in memory; nothing touches the disk here. */
export function renderTargets(model: Model, targets: Emitter[], opts: { standalone?: boolean } = {}): Map<Emitter, OutputFile[]> {
  checkOwnedDirs(model, targets);
  const ctx = emitContext(model, opts.standalone ?? false);
  const out = new Map<Emitter, OutputFile[]>();
  for (const t of targets) out.set(t, renderTarget(model, t, ctx));
  return out;
}

/**
 * One target's files planned against the disk and (in 'write' mode) written, one at a time as
 * they are rendered (the worker hands over the docs page by page); `finish` gives the outcome.
 */
export class TargetOutput {
  private readonly ownedDirs: string[];
  private readonly writer: OutputWriter;
  private files = 0;

  constructor(
    model: Model,
    private readonly target: Emitter,
    outRoot: string,
    mode: GenerateOptions['mode'],
  ) {
    this.ownedDirs = target.ownedDirs(model);
    this.writer = new OutputWriter(outRoot, this.ownedDirs, mode === 'write');
  }

  add(f: OutputFile): void {
    // A generator bug, caught before the file is written: a file outside the directories it owns.
    if (!this.ownedDirs.some((d) => f.path.startsWith(`${d.replace(/\/+$/, '')}/`)))
      throw new Error(`target "${this.target.target}" produces ${f.path}, outside the directories it owns (${this.ownedDirs.join(', ')})`);
    this.files++;
    this.writer.add(f);
  }

  finish(): TargetOutcome {
    return { target: this.target.target, files: this.files, ownedDirs: this.ownedDirs, ...this.writer.finish() };
  }
}

/** Plans one rendered target against the disk and (in 'write' mode) writes what changed. */
export function writeTarget(model: Model, target: Emitter, files: OutputFile[], outRoot: string, mode: GenerateOptions['mode']): TargetOutcome {
  const out = new TargetOutput(model, target, outRoot, mode);
  for (const f of files) out.add(f);
  return out.finish();
}

export interface GenerateSetup {
  targets: Emitter[];
  outRoot: string;
  /** The output goes somewhere other than the repository holding the spec. */
  standalone: boolean;
}

/** Checks the options that need no spec: the targets' names and the output root. */
export function generateSetup(opts: GenerateOptions): GenerateSetup {
  const targets = selectTargets(opts.targets);
  const implied = impliedOutRoot(opts.specPath);
  const outRoot = resolve(opts.outRoot ?? implied ?? '');
  if (!opts.outRoot && !implied) throw new UsageError('this spec is not at <repo>/api-spec/spec/index.json: give --out DIR for the generated files');
  let outStat;
  try {
    outStat = statSync(outRoot);
  } catch {
    /* does not exist yet: created on write */
  }
  if (outStat && !outStat.isDirectory()) throw new UsageError(`--out ${opts.outRoot ?? outRoot} is an existing file, not a directory`);
  return { targets, outRoot, standalone: !implied || resolve(implied) !== outRoot };
}

/**
 * Everything in this thread, one target after another, keeping every file's contents in the
 * result (for tools and tests). The CLI uses `generateParallel` (parallel.ts), which writes the
 * same files.
 */
export function generate(opts: GenerateOptions): GenerateResult {
  const { targets, outRoot, standalone } = generateSetup(opts);
  // Validation happens before any output is computed, so an invalid spec writes nothing.
  const model = loadModel(opts.specPath);
  checkOwnedDirs(model, targets);
  const ctx = emitContext(model, standalone);
  const results: TargetResult[] = [];
  for (const t of targets) {
    const files = renderTarget(model, t, ctx);
    results.push({ ...writeTarget(model, t, files, outRoot, opts.mode), outputs: files });
  }
  return { model, outRoot, results };
}
