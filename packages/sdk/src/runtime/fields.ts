/**
 * Integer field widths as the spec's C layout states them (on the device ABI, the layout the
 * kernel reads), so a runtime checking a field's range never types the width again.
 */
import { DEVICE_ABI, LAYOUTS, type MvStructLayout } from '../generated/index.js';

type StructName = keyof typeof LAYOUTS;

/** An unsigned integer field: its width in bits and the largest value it holds. */
export interface UnsignedField {
  readonly bits: number;
  readonly max: number;
}

/** `struct.path` (a dotted path, as in `LAYOUTS`) read as an unsigned integer of its C width. */
export function unsignedField(struct: StructName, path: string): UnsignedField {
  const field = (LAYOUTS[struct][DEVICE_ABI] as MvStructLayout).fields[path];
  if (field === undefined) throw new Error(`${struct} has no field ${path}`);
  const bits = field.size * 8;
  return { bits, max: 2 ** bits - 1 };
}
