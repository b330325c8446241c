/** The HTTP area: mvSendHttpRequest and the three reads of its response. */
import {
  LIMITS,
  MV_CHANNELTYPE_HTTP,
  MV_STATUS_CHANNELCLOSED,
  MV_STATUS_INDEXINVALID,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_INVALIDHANDLE,
  MV_STATUS_LATEFAULT,
  MV_STATUS_OFFSETINVALID,
  MV_STATUS_OKAY,
  MV_STATUS_PARAMETERFAULT,
  MV_STATUS_REQUESTALREADYSENT,
  MV_STATUS_RESPONSENOTPRESENT,
} from '@mvmqtt/sdk';
import type {
  MvReadHttpResponseBodyStatus,
  MvReadHttpResponseDataStatus,
  MvReadHttpResponseHeaderStatus,
  MvSendHttpRequestStatus,
} from '@mvmqtt/sdk';
import { writeHttpResponseData } from '@mvmqtt/sdk/runtime';
import { Fault, fault, isStruct, isU32, sizedBytes, sizedCopy } from '../kernel/args.js';
import type { HttpBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';
import { HttpChannel, requestSize, type HttpRequestText } from '../http.js';

/** The HTTP channel behind `handle`, or the status that says why there is none. */
function httpChannel(k: Kernel, handle: unknown): HttpChannel | typeof MV_STATUS_INVALIDHANDLE | typeof MV_STATUS_CHANNELCLOSED {
  const channel = k.channels.get(handle);
  if (!(channel instanceof HttpChannel)) return MV_STATUS_INVALIDHANDLE;
  if (channel.closed) return MV_STATUS_CHANNELCLOSED;
  return channel;
}

/** Reads the request the way the kernel follows its pointers; a bad one is a late fault. */
const latin1 = new TextDecoder('latin1');
/** Request text byte for byte (HTTP request lines and headers are ASCII; anything else is refused later). */
const text = (s: unknown, what: string): string => {
  const bytes = sizedBytes(s, what, true);
  return bytes ? latin1.decode(bytes) : '';
};

function decodeRequest(request: Record<string, unknown>, count: number): HttpRequestText {
  const method = text(request.method, 'request->method');
  const url = text(request.url, 'request->url');
  const list = request.headers;
  if (count > 0 && !Array.isArray(list)) fault('request->headers is not a valid pointer', true);
  const headers: string[] = [];
  for (let i = 0; i < count; i++) {
    const h: unknown = (list as unknown[])[i];
    if (!isStruct(h)) fault(`request->headers[${i}] is not a valid element`, true);
    headers.push(text({ data: h.data, length: h.length }, `request->headers[${i}]`));
  }
  const body = sizedCopy(request.body, 'request->body', true);
  if (!isU32(request.timeout_ms)) fault('request->timeout_ms is not a 32-bit value', true);
  return { method, url, headers, body, timeoutMs: request.timeout_ms };
}

export function sendHttpRequest(k: Kernel, handle: unknown, request: unknown): MvSendHttpRequestStatus {
  const channel = httpChannel(k, handle);
  if (!(channel instanceof HttpChannel)) return channel;
  if (!isStruct(request)) return MV_STATUS_PARAMETERFAULT;
  const count = request.num_headers;
  if (!isU32(count)) return MV_STATUS_PARAMETERFAULT;
  if (count > LIMITS.HTTP_REQUEST_HEADERS_MAX.value) return LIMITS.HTTP_REQUEST_HEADERS_MAX.status;
  if (channel.sent) return MV_STATUS_REQUESTALREADYSENT;
  let text: HttpRequestText;
  try {
    text = decodeRequest(request, count);
  } catch (err) {
    if (!(err instanceof Fault)) throw err;
    // The kernel had started reading the request: the channel's one request is spent.
    channel.sent = true;
    return MV_STATUS_LATEFAULT;
  }
  if (requestSize(text) > channel.buffers.sendLength) return MV_STATUS_INVALIDBUFFERSIZE;
  channel.sent = true;
  channel.start(text);
  return MV_STATUS_OKAY;
}

export function readHttpResponseData(k: Kernel, handle: unknown, data: unknown): MvReadHttpResponseDataStatus {
  const channel = httpChannel(k, handle);
  if (!(channel instanceof HttpChannel)) return channel;
  if (!isStruct(data)) return MV_STATUS_PARAMETERFAULT;
  const r = channel.response;
  if (!r) return MV_STATUS_RESPONSENOTPRESENT;
  return writeHttpResponseData(data, { result: r.result, statusCode: r.statusCode, headerCount: r.headers.length, bodyLength: r.body.byteLength });
}

/** `buf` names at least `size` writable bytes. */
function bufferOk(buf: unknown, size: unknown): buf is Uint8Array {
  return buf instanceof Uint8Array && isU32(size) && size <= buf.byteLength;
}

export function readHttpResponseHeader(k: Kernel, handle: unknown, index: unknown, buf: unknown, size: unknown): MvReadHttpResponseHeaderStatus {
  const channel = httpChannel(k, handle);
  if (!(channel instanceof HttpChannel)) return channel;
  if (!bufferOk(buf, size)) return MV_STATUS_PARAMETERFAULT;
  const r = channel.response;
  if (!r) return MV_STATUS_RESPONSENOTPRESENT;
  if (!isU32(index) || index >= r.headers.length) return MV_STATUS_INDEXINVALID;
  // No terminator and no length: the application pre-fills its buffer.
  buf.set(r.headers[index].subarray(0, size as number));
  return MV_STATUS_OKAY;
}

export function readHttpResponseBody(k: Kernel, handle: unknown, offset: unknown, buf: unknown, size: unknown): MvReadHttpResponseBodyStatus {
  const channel = httpChannel(k, handle);
  if (!(channel instanceof HttpChannel)) return channel;
  if (!bufferOk(buf, size)) return MV_STATUS_PARAMETERFAULT;
  const r = channel.response;
  if (!r) return MV_STATUS_RESPONSENOTPRESENT;
  if (!isU32(offset) || offset > r.body.byteLength) return MV_STATUS_OFFSETINVALID;
  buf.set(r.body.subarray(offset, offset + (size as number)));
  return MV_STATUS_OKAY;
}

export function createHttpBehaviours(k: Kernel): HttpBehaviours {
  k.channelTypes.register(MV_CHANNELTYPE_HTTP, (type, target, buffers) => new HttpChannel(type, target, buffers, k.options.http));
  return {
    mvSendHttpRequest: (handle, request) => sendHttpRequest(k, handle, request),
    mvReadHttpResponseData: (handle, data) => readHttpResponseData(k, handle, data),
    mvReadHttpResponseHeader: (handle, index, buf, size) => readHttpResponseHeader(k, handle, index, buf, size),
    mvReadHttpResponseBody: (handle, offset, buf, size) => readHttpResponseBody(k, handle, offset, buf, size),
  };
}
