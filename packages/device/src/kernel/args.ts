/**
 * Reading arguments the generated checks (the SDK's `arguments.ts`) have already passed: sized
 * strings as views, text or owned copies. A bad pointer never gets here: the checks refused the
 * call, or recorded a late fault that the behaviour reports before reading anything.
 */
// Imported, not the global: Node's global `Buffer` is a getter, a call on every use (once per publish here).
import { Buffer } from 'node:buffer';
import type { MvSizedString } from '@mvmqtt/sdk';

export { Refusal } from '@mvmqtt/sdk/runtime';

/** A value the checks passed on unchecked because its call has no status for a bad one (see `CallRules.badValue`). */
export function isU32(x: unknown): x is number {
  return typeof x === 'number' && x >>> 0 === x;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

// Byte arrays here are measured by `length` (equal to `byteLength` for 8-bit elements): V8 11
// does not inline `byteLength` where Buffers and Uint8Arrays meet, and these run per message.

/** The bytes of an `MvSizedString` the generated checks accepted: a view of the application's memory (no copy when it is whole). */
export function checkedBytes(s: MvSizedString): Uint8Array {
  const { data, length } = s;
  if (length === 0 || data === null) return EMPTY;
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return length === bytes.length ? bytes : bytes.subarray(0, length);
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
  const n = bytes.length;
  const copy = Buffer.allocUnsafe(n);
  if (n > 0) copy.set(bytes);
  return copy;
}
