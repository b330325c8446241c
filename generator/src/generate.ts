/** The library API behind `mvgen generate` and `mvgen check`. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import { loadModel } from './pipeline.js';
import { TARGETS, findTarget } from './emit/targets.js';
import { applyOutputs, planOutputs, type OutputPlan } from './write/output.js';
import type { Emitter, OutputFile } from './emit/emitter.js';
import { GENERATOR_VERSION } from './version.js';
import type { Model } from './model/model.js';
import { resolveSpecPath } from './spec/load.js';

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
  plan: OutputPlan;
  written: number;
}

export interface GenerateResult {
  model: Model;
  outRoot: string;
  results: TargetResult[];
}

/** Walks up from `start` to the directory that holds `api-spec/spec/index.json`. */
export function findRepoRoot(start = process.cwd()): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'api-spec', 'spec', 'index.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** `<root>/api-spec/spec/index.json` → `<root>`; anything else has no implied output root. */
export function impliedOutRoot(specPath: string): string | undefined {
  const index = resolveSpecPath(specPath);
  const specDir = dirname(index);
  const apiSpec = dirname(specDir);
  if (basename(specDir) === 'spec' && basename(apiSpec) === 'api-spec') return dirname(apiSpec);
  return undefined;
}

export function selectTargets(names?: string[]): Emitter[] {
  if (!names?.length) return TARGETS;
  return names.map((n) => {
    const t = findTarget(n);
    if (!t) throw new UsageError(`unknown target "${n}"; targets: ${TARGETS.map((x) => x.target).join(', ')}`);
    return t;
  });
}

export class UsageError extends Error {}

export function specLabel(model: Model): string {
  return `spec ${model.spec.name} ${model.spec.version} (sha256 ${model.spec.hash.slice(0, 16)})`;
}

/** Renders every selected target in memory; nothing touches the disk here. */
export function renderTargets(model: Model, targets: Emitter[]): Map<Emitter, OutputFile[]> {
  const ctx = { generatorVersion: GENERATOR_VERSION, specLabel: specLabel(model) };
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
  // Validation happens before any output is computed, so an invalid spec writes nothing.
  const model = loadModel(opts.specPath);
  const rendered = renderTargets(model, targets);
  const results: TargetResult[] = [];
  for (const [t, files] of rendered) {
    const plan = planOutputs(outRoot, files, t.ownedDirs);
    const written = opts.mode === 'write' ? applyOutputs(outRoot, files, plan) : 0;
    results.push({ target: t.target, files: files.length, plan, written });
  }
  return { model, outRoot, results };
}
