/**
 * How the emulators count requests against a channel's send buffer and answers against its
 * receive buffer, where Microvisor documents only that they must fit (shared by the device core
 * and the mock, so that both refuse the same requests).
 */

/** HTTP/1.1 framing: request line, each header line with CRLF, the blank line, the body. */
export function httpRequestSize(method: string, url: string, headers: readonly string[], bodyLength: number): number {
  // Text is one byte per character (the emulators decode request text as Latin-1, byte for byte).
  let size = `${method} ${url} HTTP/1.1\r\n`.length + 2 + bodyLength;
  for (const h of headers) size += h.length + 2;
  return size;
}

/** Bytes counted per key of a config fetch (scope, store, length) and per item of its answer. */
export const CONFIG_ITEM_FRAMING = 12;

/** A config fetch request: a 4-byte count, then each key with its framing. */
export function configRequestSize(keys: readonly { key: string }[]): number {
  return keys.reduce((sum, k) => sum + CONFIG_ITEM_FRAMING + k.key.length, 4);
}

/** A config answer: each item with its framing and value. */
export function configAnswerSize(values: readonly (Uint8Array | undefined)[]): number {
  return values.reduce((sum, v) => sum + CONFIG_ITEM_FRAMING + (v?.byteLength ?? 0), 0);
}
