/**
 * The JSON Schema check of every spec file, with ajv's errors turned into diagnostics. The
 * validator is compiled once, at build time (`scripts/precompile.mjs` writes ajv's standalone
 * code to dist/precompiled/), because compiling the schema is a large part of a cold run. It is
 * used only while it was built from the very schema text in use (by hash); otherwise, and when
 * running from src/, the schema is compiled here, with the same options.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../spec/diagnostics.js';
import type { LoadedSpec, SpecFile } from '../spec/load.js';

const require = createRequire(import.meta.url);
export const schemaPath: string = require.resolve('@mvmqtt/api-spec/schema.json');

/** Where the build puts the precompiled validator (relative to this module once in dist/). */
export const PRECOMPILED_SCHEMA = fileURLToPath(new URL('../precompiled/spec-schema.cjs', import.meta.url));

const AJV_OPTIONS = { allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true } as const;

type AjvClass = typeof import('ajv/dist/2020.js').Ajv2020;

/** ajv, loaded only when the schema must be compiled. */
function ajvWith(options: object): InstanceType<AjvClass> {
  // ajv ships CommonJS; the class is its default export.
  const mod = require('ajv/dist/2020.js') as { default?: AjvClass; Ajv2020: AjvClass };
  const Ajv2020 = mod.default ?? mod.Ajv2020;
  return new Ajv2020({ ...AJV_OPTIONS, ...options });
}

export const schemaHash = (schemaText: string) => createHash('sha256').update(schemaText).digest('hex');

/** The module source of the validator for `schemaText` (ajv standalone code), for the build. */
export function precompileSchema(schemaText: string): string {
  const ajv = ajvWith({ code: { source: true, esm: false } });
  const validate = ajv.compile(JSON.parse(schemaText));
  const standalone = (require('ajv/dist/standalone/index.js') as { default: (a: unknown, v: unknown) => string }).default;
  return `${standalone(ajv, validate)}\nmodule.exports.schemaHash = ${JSON.stringify(schemaHash(schemaText))};\n`;
}

/** The build's validator (at `modulePath`), if there is one and it was made from `schemaText`. */
export function precompiledValidator(schemaText: string, modulePath = PRECOMPILED_SCHEMA): ValidateFunction | undefined {
  let mod: ValidateFunction & { schemaHash?: string };
  try {
    mod = require(modulePath) as ValidateFunction & { schemaHash?: string };
  } catch {
    return undefined; // running from src/, or a build without it
  }
  return mod.schemaHash === schemaHash(schemaText) ? mod : undefined;
}

/** The schema compiled now (what the build does ahead of time). */
export function compileValidator(schemaText: string): ValidateFunction {
  return ajvWith({}).compile(JSON.parse(schemaText));
}

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (!compiled) {
    const text = readFileSync(schemaPath, 'utf8');
    compiled = precompiledValidator(text) ?? compileValidator(text);
  }
  return compiled;
}

/** Runs the JSON Schema over every file; returns one diagnostic per real problem. */
export function validateSchema(spec: LoadedSpec): Diagnostic[] {
  const out: Diagnostic[] = [];
  const isIndex = (f: SpecFile) => f === spec.index;
  for (const file of [spec.index, ...spec.areas]) {
    const data = file.data as Record<string, unknown>;
    // The schema picks index/area by the presence of `areas`; a file in the wrong role is its own error.
    const looksLikeIndex = data !== null && typeof data === 'object' && !Array.isArray(data) && Object.hasOwn(data, 'areas');
    if (isIndex(file) !== looksLikeIndex) {
      out.push({
        file: file.displayPath,
        pointer: '',
        position: file.positions.get(''),
        message: isIndex(file) ? 'the index file has no "areas" list' : 'an area file must not have an "areas" list',
        hint: isIndex(file) ? 'the index names its area files in "areas"' : 'only the index lists areas',
        rule: 'schema/role',
      });
      continue;
    }
    const validate = validator();
    if (validate(file.data)) continue;
    for (const err of condense(validate.errors ?? [])) out.push(toDiagnostic(file, err));
  }
  return out;
}

/**
 * ajv with allErrors reports the failing `if`, every `oneOf` branch, and so on. Keep the
 * errors a person can act on: drop `if` wrappers, and for `oneOf` keep one message per place.
 */
function condense(errors: ErrorObject[]): ErrorObject[] {
  const kept: ErrorObject[] = [];
  const oneOfAt = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    // Branch errors under a failing oneOf are summarised by the oneOf error itself.
    if (e.keyword !== 'oneOf' && oneOfAt.has(e.instancePath) && /\/oneOf\/\d+\//.test(e.schemaPath)) continue;
    if (kept.some((k) => k.instancePath === e.instancePath && k.keyword === e.keyword && k.message === e.message && JSON.stringify(k.params) === JSON.stringify(e.params))) continue;
    kept.push(e);
  }
  return kept;
}

function toDiagnostic(file: SpecFile, e: ErrorObject): Diagnostic {
  let pointer = e.instancePath;
  let message = `${pointer.split('/').pop() || 'document'} ${e.message ?? 'is invalid'}`;
  let hint: string | undefined;
  let position = file.positions.get(pointer);
  const parent = e.parentSchema as { properties?: Record<string, unknown>; description?: string; enum?: unknown[] } | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      pointer = `${pointer}/${extra.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      position = file.positions.get(`${pointer}#key`) ?? position;
      message = `unknown property "${extra}"`;
      const allowed = Object.keys(parent?.properties ?? {}).filter((k) => k !== '$schema');
      const near = allowed.find((a) => closeTo(a, extra)) ?? allowed.find((a) => extra.startsWith(`${a}_`) || extra.toLowerCase() === a.toLowerCase());
      hint = near ? `did you mean "${near}"?` : `allowed here: ${allowed.join(', ')}`;
      break;
    }
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      message = `missing required property "${missing}"`;
      hint = `add "${missing}"${missing === 'doc' || missing === 'when' ? ' (prose in your own words: every item carries a doc string)' : ''}`;
      break;
    }
    case 'enum':
      message = `${label(pointer)} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
      hint = 'pick one of the listed values';
      break;
    case 'const':
      message = `${label(pointer)} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
      break;
    case 'pattern':
      message = `${label(pointer)} ${JSON.stringify(valueAt(file.data, pointer))} does not match the expected form`;
      hint = parent?.description ?? `it must match /${(e.params as { pattern: string }).pattern}/`;
      break;
    case 'type':
      message = `${label(pointer)} must be of type ${(e.params as { type: string }).type}, not ${typeName(valueAt(file.data, pointer))}`;
      break;
    case 'oneOf':
      message = `${label(pointer)} ${JSON.stringify(valueAt(file.data, pointer))} is not a valid value here`;
      hint = 'a 32-bit value: a non-negative integer up to 4294967295, or a hex string such as "0xff"';
      break;
    case 'minLength':
      message = `${label(pointer)} must not be empty`;
      hint = 'write a doc string in your own words';
      break;
    case 'minItems':
      message = `${label(pointer)} must have at least ${(e.params as { limit: number }).limit} item(s)`;
      break;
    case 'uniqueItems':
      message = `${label(pointer)} lists the same item twice`;
      break;
    case 'not':
      message = `${label(pointer)} has a property that this kind forbids`;
      hint = 'a "range" limit takes "min" and "max", not "value"';
      break;
    case 'dependentRequired': {
      const p = e.params as { property: string; missingProperty: string };
      message = `"${p.property}" needs "${p.missingProperty}" beside it`;
      hint = `add "${p.missingProperty}"`;
      break;
    }
    case 'minimum':
    case 'maximum':
      message = `${label(pointer)} ${e.message}`;
      break;
    default:
      break;
  }
  return { file: file.displayPath, pointer, position, message, hint, rule: `schema/${e.keyword}` };
}

function label(pointer: string): string {
  const last = pointer.split('/').pop();
  return last ? `"${last.replace(/~1/g, '/').replace(/~0/g, '~')}"` : 'the document';
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

export function valueAt(data: unknown, pointer: string): unknown {
  let cur: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Small edit distance, for "did you mean" hints on misspelt property names. */
function closeTo(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length] <= 2;
}
