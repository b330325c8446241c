/** spec → load → validate (schema, then semantics) → model. The one entry point every command uses. */
import { loadSpec, type LoadedSpec } from './spec/load.js';
import { SpecInvalidError, type Diagnostic } from './spec/diagnostics.js';
import { validateSchema } from './validate/schema.js';
import { validateSemantics } from './validate/semantic.js';
import { buildModel } from './model/build.js';
import { Model } from './model/model.js';

export interface ValidationResult {
  spec?: LoadedSpec;
  diagnostics: Diagnostic[];
}

/** Loads and validates; never throws for a bad spec, returns every problem found. */
export function validateSpec(specPath: string): ValidationResult {
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
  return { spec, diagnostics: [...schemaProblems, ...semantic] };
}

/** Loads, validates and builds the model; throws SpecInvalidError with every problem. */
export function loadModel(specPath: string): Model {
  const { spec, diagnostics } = validateSpec(specPath);
  if (diagnostics.length || !spec) throw new SpecInvalidError(diagnostics);
  return new Model(buildModel(spec));
}
