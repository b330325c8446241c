/** The library API behind `mvgen generate` and `mvgen check`. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadModel } from './pipeline.js';
import { impliedOutRoot } from './locate.js';
import { TARGETS, findTarget } from './emit/targets.js';
import { applyOutputs, planOutputs, type OutputPlan } from './write/output.js';
import type { Emitter, OutputFile } from './emit/emitter.js';
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

export interface TargetResult {
  target: string;
  files: number;
  /** The files as rendered (what the output holds after a write). */
  outputs: OutputFile[];
  /** Directories the target owns entirely (relative to the output root). */
  ownedDirs: string[];
  plan: OutputPlan;
  written: number;
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

/** Renders every selected target in memory; nothing touches the disk here. */
export function renderTargets(model: Model, targets: Emitter[], opts: { standalone?: boolean } = {}): Map<Emitter, OutputFile[]> {
  const ctx = { generatorVersion: GENERATOR_VERSION, specLabel: specLabel(model), standalone: opts.standalone ?? false };
  const out = new Map<Emitter, OutputFile[]>();
  const owner = new Map<string, string>();
  for (const t of targets) {
    const files = t.emit(model, ctx).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const f of files) {
      const prev = owner.get(f.path);
      if (prev) throw new Error(`targets "${prev}" and "${t.target}" both produce ${f.path}`);
      owner.set(f.path, t.target);
    }
    out.set(t, files);
  }
  return out;
}

export function generate(opts: GenerateOptions): GenerateResult {
  const targets = selectTargets(opts.targets);
  const outRoot = resolve(opts.outRoot ?? impliedOutRoot(opts.specPath) ?? '');
  if (!opts.outRoot && !impliedOutRoot(opts.specPath))
    throw new UsageError('this spec is not at <repo>/api-spec/spec/index.json: give --out DIR for the generated files');
  let outStat;
  try {
    outStat = statSync(outRoot);
  } catch {
    /* does not exist yet: created on write */
  }
  if (outStat && !outStat.isDirectory()) throw new UsageError(`--out ${opts.outRoot ?? outRoot} is an existing file, not a directory`);
  // Validation happens before any output is computed, so an invalid spec writes nothing.
  const model = loadModel(opts.specPath);
  const implied = impliedOutRoot(opts.specPath);
  const rendered = renderTargets(model, targets, { standalone: !implied || resolve(implied) !== outRoot });
  const results: TargetResult[] = [];
  for (const [t, files] of rendered) {
    const ownedDirs = t.ownedDirs(model);
    const plan = planOutputs(outRoot, files, ownedDirs);
    const written = opts.mode === 'write' ? applyOutputs(outRoot, files, plan) : 0;
    results.push({ target: t.target, files: files.length, outputs: files, ownedDirs, plan, written });
  }
  return { model, outRoot, results };
}
