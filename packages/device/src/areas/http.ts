/** The HTTP area: mvSendHttpRequest and the three reads of its response. */
import {
  MV_CHANNELTYPE_HTTP,
  MV_STATUS_INDEXINVALID,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_LATEFAULT,
  MV_STATUS_OFFSETINVALID,
  MV_STATUS_OKAY,
  MV_STATUS_REQUESTALREADYSENT,
  MV_STATUS_RESPONSENOTPRESENT,
} from '@mvmqtt/sdk';
import type {
  MvHttpRequest,
  MvHttpResponseData,
  MvSizedString,
  MvReadHttpResponseBodyStatus,
  MvReadHttpResponseDataStatus,
  MvReadHttpResponseHeaderStatus,
  MvSendHttpRequestStatus,
} from '@mvmqtt/sdk';
import { writeHttpResponseData } from '@mvmqtt/sdk/runtime';
import { checkedBytes, checkedCopy } from '../kernel/args.js';
import type { HttpBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';
import { HttpChannel, requestSize, type HttpRequestText } from '../http.js';

const latin1 = new TextDecoder('latin1');
/** Request text byte for byte (HTTP request lines and headers are ASCII; anything else is refused later). */
const text = (s: MvSizedString): string => (s.length === 0 ? '' : latin1.decode(checkedBytes(s)));

/**
 * The checks passed the handle (a live, open HTTP channel: `k.args.target`), the request's
 * pointer, the widths of num_headers and timeout_ms, and HTTP_REQUEST_HEADERS_MAX; a pointer inside
 * the request they could not follow is recorded as a late fault, met while the request is read.
 */
export function sendHttpRequest(k: Kernel, request: MvHttpRequest): MvSendHttpRequestStatus {
  const channel = k.args.target as HttpChannel;
  if (channel.sent) return MV_STATUS_REQUESTALREADYSENT;
  if (k.args.lateFault) {
    // The kernel had started reading the request: the channel's one request is spent.
    channel.sent = true;
    return MV_STATUS_LATEFAULT;
  }
  const headers: string[] = [];
  for (let i = 0; i < request.num_headers; i++) headers.push(text(request.headers![i] as MvSizedString));
  const seen: HttpRequestText = { method: text(request.method), url: text(request.url), headers, body: checkedCopy(request.body), timeoutMs: request.timeout_ms };
  if (requestSize(seen) > channel.buffers.sendLength) return MV_STATUS_INVALIDBUFFERSIZE;
  channel.sent = true;
  channel.start(seen);
  return MV_STATUS_OKAY;
}

export function readHttpResponseData(k: Kernel, data: MvHttpResponseData): MvReadHttpResponseDataStatus {
  const r = (k.args.target as HttpChannel).response;
  if (!r) return MV_STATUS_RESPONSENOTPRESENT;
  return writeHttpResponseData(data as unknown as Record<string, unknown>, { result: r.result, statusCode: r.statusCode, headerCount: r.headers.length, bodyLength: r.body.byteLength });
}

/** The checks passed header_index's width and buf (at least `size` bytes). */
export function readHttpResponseHeader(k: Kernel, index: number, buf: Uint8Array, size: number): MvReadHttpResponseHeaderStatus {
  const r = (k.args.target as HttpChannel).response;
  if (!r) return MV_STATUS_RESPONSENOTPRESENT;
  if (index >= r.headers.length) return MV_STATUS_INDEXINVALID;
  // No terminator and no length: the application pre-fills its buffer.
  buf.set(r.headers[index].subarray(0, size));
  return MV_STATUS_OKAY;
}

/** The checks passed offset's width and buf (at least `size` bytes). */
export function readHttpResponseBody(k: Kernel, offset: number, buf: Uint8Array, size: number): MvReadHttpResponseBodyStatus {
  const r = (k.args.target as HttpChannel).response;
  if (!r) return MV_STATUS_RESPONSENOTPRESENT;
  if (offset > r.body.byteLength) return MV_STATUS_OFFSETINVALID;
  buf.set(r.body.subarray(offset, offset + size));
  return MV_STATUS_OKAY;
}

export function createHttpBehaviours(k: Kernel): HttpBehaviours {
  k.channelTypes.register(MV_CHANNELTYPE_HTTP, (type, target, buffers) => new HttpChannel(type, target, buffers, k.options.http));
  return {
    mvSendHttpRequest: (_handle, request) => sendHttpRequest(k, request),
    mvReadHttpResponseData: (_handle, data) => readHttpResponseData(k, data),
    mvReadHttpResponseHeader: (_handle, index, buf, size) => readHttpResponseHeader(k, index, buf, size),
    mvReadHttpResponseBody: (_handle, offset, buf, size) => readHttpResponseBody(k, offset, buf, size),
  };
}
