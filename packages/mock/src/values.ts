/** Small readers for application values: what counts as a pointer, a box, an integer of a width. */
import type { MvOut } from '@mvmqtt/sdk';
import type { Shape } from './schema.js';

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/** A pointer the kernel can write one value through: an object whose `value` is assignable. */
export function isBox(x: unknown): x is MvOut<unknown> {
  return isObject(x) && !Object.isFrozen(x);
}

/** An unsigned integer that fits `bits` (64-bit values are bigints, as the SDK maps `uint64_t`). */
export function isUint(x: unknown, bits: number): x is number {
  if (bits === 64) return typeof x === 'bigint' && x >= 0n && x < 1n << 64n;
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 2 ** bits;
}

/** The value at a dotted path (`v1.endpoint`), or undefined when a step is not an object. */
export function readPath(obj: Record<string, unknown>, path: string): unknown {
  let at: unknown = obj;
  for (const step of path.split('.')) {
    if (!isObject(at)) return undefined;
    at = at[step];
  }
  return at;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of text the application passes where C takes `const uint8_t *`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

const TYPED_ARRAYS: Record<number, abstract new (...args: never[]) => ArrayBufferView> = {
  16: Uint16Array,
  32: Uint32Array,
  64: BigUint64Array,
};

/** The bytes a counted pointer makes available, or undefined when the value is no such memory. */
export function byteLengthOf(shape: Extract<Shape, { countPath: string }>, value: unknown): number | undefined {
  switch (shape.kind) {
    case 'bytes':
      if (value instanceof Uint8Array) return value.byteLength;
      if (shape.text && typeof value === 'string') return utf8(value).byteLength;
      return undefined;
    case 'records':
      return value instanceof Uint8Array ? value.byteLength : undefined;
    case 'ints':
      return value instanceof TYPED_ARRAYS[shape.bits] ? (value as ArrayBufferView).byteLength : undefined;
    case 'array':
      return undefined;
  }
}
