/**
 * How each C type of the spec reads in TypeScript (the shapes are explained in
 * packages/sdk/README.md). Pure string functions: the docs target uses them too.
 */
import type { CType, FieldModel, ParamModel, StructModel } from '../../../model/types.js';

/** How a pointer's length is given, when a sibling field carries it. */
export interface PointerCount {
  unit: 'elements' | 'bytes';
}

/** The typed array that holds a counted array of fixed-width integers. */
const TYPED_ARRAYS: Record<string, string> = {
  uint8_t: 'Uint8Array',
  uint16_t: 'Uint16Array',
  uint32_t: 'Uint32Array',
  uint64_t: 'BigUint64Array',
  int8_t: 'Int8Array',
  int16_t: 'Int16Array',
  int32_t: 'Int32Array',
  int64_t: 'BigInt64Array',
};

/** The TypeScript type of a value (no pointer) of this C type. */
export function tsValueType(type: CType): string {
  const b = type.base;
  switch (b.kind) {
    case 'int':
      return b.bits === 64 ? 'bigint' : 'number';
    case 'enum':
    case 'struct':
    case 'handle':
      return b.name;
  }
}

/**
 * The TypeScript type of a C type. `count` says that a sibling field or parameter holds the
 * length of this pointer.
 */
export function tsTypeOf(type: CType, count?: PointerCount): string {
  if (type.pointer === 0) return tsValueType(type);
  // A pointer to a pointer the kernel sets (a view into its memory): a box that receives what
  // the inner pointer would be, e.g. `MvOut<Uint8Array | null>` for a counted `uint8_t **`.
  if (type.pointer > 1) return `MvOut<${tsTypeOf({ ...type, pointer: type.pointer - 1, const: false }, count)}> | null`;
  const b = type.base;
  const value = tsValueType(type);
  if (count) {
    if (b.kind === 'int') {
      const arr = TYPED_ARRAYS[b.name];
      // Bytes the application passes in may be given as text; the runtime encodes it as UTF-8.
      return b.bits === 8 && type.const ? `${arr} | string | null` : `${arr} | null`;
    }
    // Records the kernel writes into a raw byte buffer in the device layout (decode with the codecs).
    if (count.unit === 'bytes') return 'Uint8Array | null';
    return `readonly ${value}[] | null`;
  }
  // One struct by pointer: the object itself (the kernel writes into it when it is an output).
  if (b.kind === 'struct') return `${value} | null`;
  // One scalar by pointer: a box the callee reads or writes.
  return `MvOut<${value}> | null`;
}

/** The count description for a struct member, from the sibling field that counts it. */
export function fieldCount(field: FieldModel, owner: StructModel): PointerCount | undefined {
  if (!field.countedBy) return undefined;
  const counter = owner.fieldPaths.find((p) => p.field.counts === field.name && p.field.name === field.countedBy);
  return { unit: counter?.field.countUnit ?? 'elements' };
}

export function tsFieldType(field: FieldModel, owner: StructModel): string {
  return tsTypeOf(field.type, fieldCount(field, owner));
}

export function tsParamType(param: ParamModel): string {
  return tsTypeOf(param.type, param.countedBy ? { unit: param.countedBy.unit } : undefined);
}

/** `mvMqttRequestConnect` → `MvMqttRequestConnectStatus`: what the function can return. */
export function statusTypeName(functionName: string): string {
  return `${functionName[0].toUpperCase()}${functionName.slice(1)}Status`;
}

/** True when a TS type mentions the `MvOut` box (the file then imports it). */
export function usesBox(tsType: string): boolean {
  return /\bMvOut</.test(tsType);
}
