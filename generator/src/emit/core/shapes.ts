/**
 * What each C type of the spec looks like at run time in TypeScript, as plain data: the SDK's
 * generated argument checks are printed from it (ts/arguments.ts), and the mock's schema tables
 * carry it for the fuzz run (`Shape` in packages/mock/src/schema.ts). The mapping is the SDK's
 * (generator/src/emit/core/typescript/typemap.ts); this file only says how to check a value of it.
 */
import type { Model } from '../../model/model.js';
import type { CType, FieldModel, ParamModel, StructModel } from '../../model/types.js';
import type { Literal } from '../core/typescript/literal.js';

/** A value (no pointer) of a C type. */
function valueShape(type: CType, model: Model): Literal {
  const b = type.base;
  switch (b.kind) {
    case 'int':
      return { kind: 'int', bits: b.bits, signed: b.signed };
    case 'enum': {
      const e = model.enum(b.name);
      return { kind: 'enum', enum: e.name, bitmask: e.bitmask, values: e.constants.map((c) => c.value) };
    }
    case 'handle':
      return { kind: 'handle', handle: b.name };
    case 'struct':
      return { kind: 'struct', struct: b.name };
  }
}

/**
 * A pointer the application hands over. `writes`: the kernel writes through it. `countPath`:
 * the sibling field (full dotted path in the owning struct) that holds its length.
 */
function pointerShape(type: CType, model: Model, writes: boolean, count?: { path: string; unit: 'elements' | 'bytes' }, optional = false): Literal {
  if (type.pointer > 1) throw new Error(`mvgen mock: no run-time shape for "${type.text}" (pointer to pointer)`);
  const b = type.base;
  if (count) {
    if (b.kind === 'int') {
      // Bytes the application passes in may be given as text (UTF-8); other integers come as a typed array.
      if (b.bits === 8) return { kind: 'bytes', countPath: count.path, unit: count.unit, writes, text: !writes };
      return { kind: 'ints', bits: b.bits, countPath: count.path, unit: count.unit, writes };
    }
    if (b.kind === 'struct') {
      // Records the kernel lays out in raw memory (the notification ring) come as bytes.
      if (count.unit === 'bytes') return { kind: 'records', struct: b.name, countPath: count.path, writes };
      return { kind: 'array', struct: b.name, countPath: count.path };
    }
    throw new Error(`mvgen mock: no run-time shape for a counted "${type.text}"`);
  }
  if (b.kind === 'struct') return { kind: 'ref', struct: b.name, writes, optional };
  return { kind: 'box', of: valueShape({ ...type, pointer: 0 }, model), writes };
}

/** The dotted path of a sibling field inside the same (inner) struct as `path`. */
function siblingPath(path: string, sibling: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? sibling : `${path.slice(0, dot + 1)}${sibling}`;
}

export function fieldShape(path: string, field: FieldModel, owner: StructModel, model: Model): Literal {
  if (field.type.pointer === 0) return valueShape(field.type, model);
  let count: { path: string; unit: 'elements' | 'bytes' } | undefined;
  if (field.countedBy) {
    const counter = owner.fieldPaths.find((p) => p.path === siblingPath(path, field.countedBy!));
    if (!counter) throw new Error(`mvgen mock: ${owner.name}.${path} is counted by "${field.countedBy}", which is not a sibling field`);
    count = { path: counter.path, unit: counter.field.countUnit ?? 'elements' };
  }
  const writes = field.direction === 'out' || !field.type.const;
  return pointerShape(field.type, model, writes, count, field.optional);
}

export function paramShape(param: ParamModel, model: Model): Literal {
  if (param.type.pointer === 0) return valueShape(param.type, model);
  // A buffer parameter: its length is the sibling parameter named by `countPath`.
  const count = param.countedBy ? { path: param.countedBy.param, unit: param.countedBy.unit } : undefined;
  // A pointer the kernel sets (`uint8_t **`): a box that receives what the inner pointer would be.
  if (param.type.pointer > 1) return { kind: 'box', of: pointerShape({ ...param.type, pointer: param.type.pointer - 1 }, model, false, count), writes: true };
  // `in` struct pointers may still carry pointers the kernel writes through (the read calls).
  return pointerShape(param.type, model, param.direction === 'out' || param.direction === 'inout', count);
}

/** `checkMvFoo`: the generated check of struct `MvFoo` (the SDK's `arguments.ts`). */
export function structCheckName(struct: string): string {
  return `check${struct}`;
}

/** `mvFooArguments`: the generated check of function `mvFoo`'s arguments, which both runtimes call. */
export function functionCheckName(fn: string): string {
  return `${fn}Arguments`;
}

/** Limit names by the `Struct.path` they constrain. */
export function limitsByField(model: Model): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of model.limits)
    for (const target of l.appliesTo) {
      if (!out.has(target)) out.set(target, []);
      out.get(target)!.push(l.name);
    }
  return out;
}
