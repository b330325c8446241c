/** The HTTP area in the mock: one request per channel, answered automatically or by the test (ChannelScript.answerHttp). */
import {
  MV_STATUS_INDEXINVALID,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_LATEFAULT,
  MV_STATUS_OFFSETINVALID,
  MV_STATUS_OKAY,
  MV_STATUS_REQUESTALREADYSENT,
  MV_STATUS_RESPONSENOTPRESENT,
  type MvSizedString,
} from '@mvmqtt/sdk';
import { httpRequestSize, writeHttpResponseData } from '@mvmqtt/sdk/runtime';
import type { HttpBehaviours } from '../generated/index.js';
import { answerHttp, autoHttpAnswer, httpState, type HttpRequestSeen } from '../io.js';
import { channelOf, type Kernel } from '../kernel.js';
import { utf8 } from '../values.js';

const latin1 = new TextDecoder('latin1');
const text = (s: MvSizedString): string => (s.length === 0 || s.data === null ? '' : latin1.decode((typeof s.data === 'string' ? utf8(s.data) : s.data).subarray(0, s.length)));
const bytes = (s: MvSizedString): Uint8Array => (s.length === 0 || s.data === null ? new Uint8Array(0) : (typeof s.data === 'string' ? utf8(s.data) : s.data).subarray(0, s.length));

export function createHttpBehaviours(k: Kernel): HttpBehaviours {
  return {
    mvSendHttpRequest(call, handle, request) {
      const channel = channelOf(k, handle);
      const state = httpState(channel);
      if (state.sent) return MV_STATUS_REQUESTALREADYSENT;
      if (call.lateFault) {
        // The kernel had started reading the request: the channel's one request is spent.
        state.sent = true;
        return MV_STATUS_LATEFAULT;
      }
      const seen: HttpRequestSeen = {
        method: text(request.method),
        url: text(request.url),
        headers: (request.headers ?? []).slice(0, request.num_headers).map((h) => latin1.decode((typeof h.data === 'string' ? utf8(h.data) : h.data!).subarray(0, h.length))),
        body: bytes(request.body),
        timeout_ms: request.timeout_ms,
      };
      if (httpRequestSize(seen.method, seen.url, seen.headers, seen.body.byteLength) > channel.views!.send.byteLength) return MV_STATUS_INVALIDBUFFERSIZE;
      state.sent = true;
      state.request = seen;
      if (k.respond === 'auto') k.defer(() => answerHttp(channel, autoHttpAnswer(seen)));
      return MV_STATUS_OKAY;
    },

    mvReadHttpResponseData(_call, handle, response_data) {
      const r = httpState(channelOf(k, handle)).response;
      if (!r) return MV_STATUS_RESPONSENOTPRESENT;
      return writeHttpResponseData(response_data as unknown as Record<string, unknown>, { result: r.result, statusCode: r.status_code, headerCount: r.headers.length, bodyLength: r.body.byteLength });
    },

    mvReadHttpResponseHeader(_call, handle, header_index, buf, size) {
      const r = httpState(channelOf(k, handle)).response;
      if (!r) return MV_STATUS_RESPONSENOTPRESENT;
      const header = r.headers[header_index];
      if (!header) return MV_STATUS_INDEXINVALID;
      buf.set(header.subarray(0, size));
      return MV_STATUS_OKAY;
    },

    mvReadHttpResponseBody(_call, handle, offset, buf, size) {
      const r = httpState(channelOf(k, handle)).response;
      if (!r) return MV_STATUS_RESPONSENOTPRESENT;
      if (offset > r.body.byteLength) return MV_STATUS_OFFSETINVALID;
      buf.set(r.body.subarray(offset, offset + size));
      return MV_STATUS_OKAY;
    },
  };
}
