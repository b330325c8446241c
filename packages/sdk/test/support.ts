/** Shared by the SDK suites: repository paths, the real spec's model, and the `ts` emitter. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../../generator/src/pipeline.js';
import { specLabel } from '../../../generator/src/generate.js';
import { GENERATOR_VERSION } from '../../../generator/src/version.js';
import type { EmitContext } from '../../../generator/src/emit/emitter.js';
import type { Model } from '../../../generator/src/model/model.js';

export { tsEmitter, renderTsItem } from '../../../generator/src/emit/ts/index.js';
export { Model } from '../../../generator/src/model/model.js';

export const SDK_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(SDK_DIR, '../..');
export const SPEC_INDEX = join(REPO_ROOT, 'api-spec/spec/index.json');

let cached: Model | undefined;
/** The model of the real spec (loaded once per suite file). */
export function specModel(): Model {
  cached ??= loadModel(SPEC_INDEX);
  return cached;
}

/** Where the `ts` target writes: the spec index's `product.outputs.ts`. */
export const SDK_GENERATED_DIR = 'packages/sdk/src/generated';

export function emitContext(model: Model): EmitContext {
  return { generatorVersion: GENERATOR_VERSION, specLabel: specLabel(model), regenerate: model.product.regenerate };
}

interface OracleField {
  name: string | null;
  kind?: 'union' | 'struct';
  members?: OracleField[];
  arm32?: { offset: number; size: number };
  x86_64?: { offset: number; size: number };
}

/** The vendor ABI facts measured from the real header and object file: the oracle. */
export interface AbiOracle {
  enums: Record<string, { constants: Record<string, number>; size_bytes_arm_none_eabi: number; size_bytes_int_enums: number }>;
  structs: Record<
    string,
    {
      fields: OracleField[];
      arm32: { size: number; align: number };
      x86_64: { size: number; align: number };
    }
  >;
  functions: Record<string, { documented_error_statuses: string[]; nsc_address: string; mqtt_surface: boolean }>;
}

/** The facts, with `functions` holding every call of the header (the MQTT surface and the others). */
export function abiOracle(): AbiOracle {
  const facts = JSON.parse(readFileSync(new URL('../../../test/fixtures/vendor/microvisor-abi.json', import.meta.url), 'utf8'));
  return { ...facts, functions: { ...facts.functions, ...facts.functions_other } } as AbiOracle;
}

/** An oracle struct's leaf fields by dotted path (`v1.notification_handle`), like `LAYOUTS`. */
export function oracleFieldPaths(fields: OracleField[], prefix = ''): Record<string, { arm32: { offset: number; size: number }; x86_64: { offset: number; size: number } }> {
  const out: ReturnType<typeof oracleFieldPaths> = {};
  for (const f of fields) {
    if (f.kind === 'union' && f.members) Object.assign(out, oracleFieldPaths(f.members, prefix));
    else if (f.kind === 'struct' && f.members) Object.assign(out, oracleFieldPaths(f.members, `${prefix}${f.name}.`));
    else if (f.name && f.arm32 && f.x86_64) out[`${prefix}${f.name}`] = { arm32: f.arm32, x86_64: f.x86_64 };
  }
  return out;
}
