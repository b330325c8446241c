/**
 * spec → load → validate (schema, then semantics) → model. `runPipeline` is the one entry point
 * every command uses (validate, generate, check, diff); the other functions are views of it.
 */
import { loadSpec, type LoadedSpec } from './spec/load.js';
import { SpecInvalidError, type Diagnostic } from './spec/diagnostics.js';
import { validateSchema } from './validate/schema.js';
import { validateSemantics } from './validate/semantic.js';
import { buildModel } from './model/build.js';
import { Model } from './model/model.js';

export interface PipelineResult {
  spec?: LoadedSpec;
  /** Every problem found; empty when the spec is valid. */
  diagnostics: Diagnostic[];
  /** The model, built only when there are no diagnostics. */
  model?: Model;
}

/** Loads, validates and (when valid) builds the model. Never throws for a bad spec. */
export function runPipeline(specPath: string): PipelineResult {
  let spec: LoadedSpec;
  try {
    spec = loadSpec(specPath);
  } catch (e) {
    if (e instanceof SpecInvalidError) return { diagnostics: e.diagnostics };
    throw e;
  }
  const schemaProblems = validateSchema(spec);
  // Semantic rules need trustworthy shapes: run them on the files the schema accepted.
  const badFiles = new Set(schemaProblems.map((d) => d.file));
  let semantic: Diagnostic[] = [];
  if (!badFiles.has(spec.index.displayPath)) {
    semantic = validateSemantics(
      spec.index,
      spec.areas.filter((a) => !badFiles.has(a.displayPath)),
      spec.areas,
    );
  }
  const diagnostics = [...schemaProblems, ...semantic];
  return { spec, diagnostics, model: diagnostics.length ? undefined : new Model(buildModel(spec)) };
}

export interface ValidationResult {
  spec?: LoadedSpec;
  diagnostics: Diagnostic[];
}

/** Loads and validates; never throws for a bad spec, returns every problem found. */
export function validateSpec(specPath: string): ValidationResult {
  const { spec, diagnostics } = runPipeline(specPath);
  return { spec, diagnostics };
}

/** Loads, validates and builds the model; throws SpecInvalidError with every problem. */
export function loadModel(specPath: string): Model {
  const { model, diagnostics } = runPipeline(specPath);
  if (!model) throw new SpecInvalidError(diagnostics);
  return model;
}
