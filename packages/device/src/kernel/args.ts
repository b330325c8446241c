/**
 * Reading application arguments the way the kernel reads C pointers: anything that is not
 * the expected shape (NULL, the wrong type, a length running past the end of its buffer)
 * is a fault. Decoders throw `Fault`; the system-call entry point turns it into
 * PARAMETERFAULT, or LATEFAULT when the fault was found after the request had started.
 */
import { STRUCT_VERSIONS } from '@mvmqtt/sdk';
import type { MvOut, MvSizedString } from '@mvmqtt/sdk';

export { Fault, Refusal, fault } from '@mvmqtt/sdk/runtime';
import { fault } from '@mvmqtt/sdk/runtime';

export function isStruct(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

export function isU32(x: unknown): x is number {
  return typeof x === 'number' && x >>> 0 === x;
}

/** A pointer the kernel writes a single value through. */
export function isBox(x: unknown): x is MvOut<unknown> {
  return typeof x === 'object' && x !== null;
}

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/**
 * The bytes of an `MvSizedString` (a view, not a copy), or undefined when it is absent
 * (length 0). A string is taken as UTF-8 and `length` counts bytes, as in C.
 */
export function sizedBytes(s: unknown, what: string, late: boolean): Uint8Array | undefined {
  if (!isStruct(s)) fault(`${what} is not a valid pointer`, late);
  const { data, length } = s as unknown as MvSizedString;
  if (!isU32(length)) fault(`${what}.length is not a 32-bit unsigned value`, late);
  if (length === 0) return undefined;
  if (data instanceof Uint8Array) {
    if (length > data.byteLength) fault(`${what}.length (${length}) runs past the end of ${what}.data (${data.byteLength} bytes)`, late);
    return length === data.byteLength ? data : data.subarray(0, length);
  }
  if (typeof data === 'string') {
    const bytes = encoder.encode(data);
    if (length > bytes.byteLength) fault(`${what}.length (${length}) runs past the end of ${what}.data (${bytes.byteLength} UTF-8 bytes)`, late);
    return length === bytes.byteLength ? bytes : bytes.subarray(0, length);
  }
  fault(`${what}.data is not a valid pointer`, late);
}

/** The versions the spec defines for a versioned struct. */
export function structVersions(struct: keyof typeof STRUCT_VERSIONS): ReadonlySet<number> {
  return new Set(STRUCT_VERSIONS[struct].versions);
}

const decoder = new TextDecoder();

/** `sizedBytes` copied into a Buffer the caller owns (the app may reuse its memory once the call returns). */
export function sizedCopy(s: unknown, what: string, late: boolean): Buffer {
  if (isStruct(s) && typeof s.data === 'string' && isU32(s.length) && s.length === Buffer.byteLength(s.data)) return Buffer.from(s.data);
  const bytes = sizedBytes(s, what, late);
  if (!bytes) return Buffer.alloc(0);
  // allocUnsafe + set: the copy Buffer.from(view) makes, without its dispatch on the argument's type (once per publish).
  const copy = Buffer.allocUnsafe(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

// ---------------------------------------------------------------------- values the argument checks passed

/** The bytes of an `MvSizedString` the generated checks accepted: a view of the application's memory (no copy when it is whole). */
export function checkedBytes(s: MvSizedString): Uint8Array {
  const { data, length } = s;
  if (length === 0 || data === null) return EMPTY;
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return length === bytes.byteLength ? bytes : bytes.subarray(0, length);
}

/** `checkedBytes` as text (UTF-8); a whole JavaScript string is used as it is. */
export function checkedText(s: MvSizedString): string {
  if (typeof s.data === 'string' && s.length === Buffer.byteLength(s.data)) return s.data;
  return s.length === 0 ? '' : decoder.decode(checkedBytes(s));
}

/** `checkedBytes` copied into a Buffer the caller owns (the app may reuse its memory once the call returns). */
export function checkedCopy(s: MvSizedString): Buffer {
  if (typeof s.data === 'string' && s.length === Buffer.byteLength(s.data)) return Buffer.from(s.data);
  const bytes = checkedBytes(s);
  // allocUnsafe + set: the copy Buffer.from(view) makes, without its dispatch on the argument's type (once per publish).
  const copy = Buffer.allocUnsafe(bytes.byteLength);
  if (bytes.byteLength > 0) copy.set(bytes);
  return copy;
}
