/** Text the application passes where C takes `const uint8_t *`, as the kernel reads it. */
const encoder = new TextEncoder();

/** UTF-8 bytes of text the application passes where C takes `const uint8_t *`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
