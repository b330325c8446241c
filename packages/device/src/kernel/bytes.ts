/** Reading a byte buffer with a separate length argument, as the kernel reads `(const uint8_t *, len)`. */
import { isU32 } from './args.js';

const encoder = new TextEncoder();

/** The first `length` bytes of `data` (a string counts as UTF-8), or undefined when they are not all there. */
export function counted(data: unknown, length: unknown): Uint8Array | undefined {
  if (!isU32(length)) return undefined;
  const bytes = typeof data === 'string' ? encoder.encode(data) : data instanceof Uint8Array ? data : undefined;
  if (!bytes || length > bytes.byteLength) return undefined;
  return bytes.subarray(0, length);
}
