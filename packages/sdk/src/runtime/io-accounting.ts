import { LIMITS, MV_HTTPRESULT_INVALIDHEADERS, MV_HTTPRESULT_INVALIDTIMEOUT, MV_HTTPRESULT_UNSUPPORTEDMETHOD, MV_HTTPRESULT_UNSUPPORTEDURISCHEME } from '../generated/index.js';
import { MV_STATUS_OKAY, type MvHttpResult } from '../generated/index.js';

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

/** The methods Microvisor carries out; any other gives UNSUPPORTEDMETHOD. */
export const HTTP_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/** One request header line, `Name: value`, printable ASCII, a non-empty name without spaces. */
const HEADER_LINE = /^[!-9;-~]+:[ -~]*$/;

/**
 * What is wrong with an accepted HTTP request's content, reported later in the response's
 * `result` rather than by the call: the scheme, the method, a header line, the timeout.
 */
export function httpRequestProblem(r: { method: string; url: string; headers: readonly string[]; timeoutMs: number }, schemes: readonly string[]): MvHttpResult | undefined {
  // The scheme as URL parsers report it (`https:`); a URL without one is unsupported.
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(r.url);
  const protocol = scheme ? `${scheme[1].toLowerCase()}:` : '';
  if (!schemes.includes(protocol)) return MV_HTTPRESULT_UNSUPPORTEDURISCHEME;
  if (!HTTP_METHODS.has(r.method)) return MV_HTTPRESULT_UNSUPPORTEDMETHOD;
  if (!r.headers.every((h) => HEADER_LINE.test(h))) return MV_HTTPRESULT_INVALIDHEADERS;
  const range = LIMITS.HTTP_TIMEOUT_RANGE;
  if (r.timeoutMs < range.min || r.timeoutMs > range.max) return MV_HTTPRESULT_INVALIDTIMEOUT;
  return undefined;
}

/** A received HTTP response as both runtimes keep it. */
export interface HttpResponseSummary {
  readonly result: MvHttpResult;
  readonly statusCode: number;
  readonly headerCount: number;
  readonly bodyLength: number;
}

/** `mvReadHttpResponseData`'s answer: the summary written into the application's struct. */
export function writeHttpResponseData(out: Record<string, unknown>, r: HttpResponseSummary): typeof MV_STATUS_OKAY {
  out.result = r.result;
  out.status_code = r.statusCode;
  out.num_headers = r.headerCount;
  out.body_length = r.bodyLength;
  return MV_STATUS_OKAY;
}
