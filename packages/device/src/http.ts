/**
 * HTTP channels (MV_CHANNELTYPE_HTTP): one request per channel, carried out by Node's own
 * http/https client against any server, as the Microvisor cloud does on the device's behalf.
 * The call only checks what the kernel can check at once; what is wrong with the request's
 * content (scheme, method, a header, the timeout) comes back later in the response's `result`.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { rootCertificates } from 'node:tls';
import {
  MV_HTTPRESULT_OK,
  MV_HTTPRESULT_REQUESTFAILED,
  MV_HTTPRESULT_RESPONSETOOLARGE,
  MV_EVENTTYPE_CHANNELDATAREADABLE,
} from '@mvmqtt/sdk';
import type { MvChannelType, MvHttpResult } from '@mvmqtt/sdk';
import { httpRequestProblem, httpRequestSize, type NotificationTarget } from '@mvmqtt/sdk/runtime';
import { Channel, type ChannelBuffers } from './channels.js';
import type { ResolvedOptions } from './options.js';

export interface HttpRequestText {
  method: string;
  url: string;
  /** Each one complete `Name: value` line, as the application gave it. */
  headers: string[];
  body: Buffer;
  timeoutMs: number;
}

export interface HttpResponse {
  result: MvHttpResult;
  statusCode: number;
  /** `Name: value`, in the order the server sent them. */
  headers: Buffer[];
  body: Buffer;
}

/** Bytes the request takes in the send buffer (shared accounting, see @mvmqtt/sdk/runtime). */
export function requestSize(r: HttpRequestText): number {
  return httpRequestSize(r.method, r.url, r.headers, r.body.byteLength);
}

export class HttpChannel extends Channel {
  /** A request was accepted (or faulted half-way): no second one on this channel. */
  sent = false;
  response: HttpResponse | undefined;
  private request: http.ClientRequest | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    type: MvChannelType,
    target: NotificationTarget,
    buffers: ChannelBuffers,
    private readonly options: ResolvedOptions['http'],
  ) {
    super(type, target, buffers);
  }

  override get unread(): number {
    return this.response ? 1 : 0;
  }

  /** Starts the request; the answer arrives as one CHANNELDATAREADABLE. */
  start(r: HttpRequestText): void {
    const refused = this.check(r);
    if (refused !== undefined) {
      setImmediate(() => this.finish({ result: refused, statusCode: 0, headers: [], body: Buffer.alloc(0) }));
      return;
    }
    const url = new URL(r.url);
    const headers: Record<string, string | string[]> = {};
    for (const line of r.headers) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      const seen = headers[name];
      headers[name] = seen === undefined ? value : ([] as string[]).concat(seen, value);
    }
    const client = url.protocol === 'https:' ? https : http;
    const ca = this.options.ca ? [...rootCertificates, ...this.options.ca] : undefined;
    const failed = (): void => this.finish({ result: MV_HTTPRESULT_REQUESTFAILED, statusCode: 0, headers: [], body: Buffer.alloc(0) });
    try {
      this.request = client.request(url, { method: r.method, headers, ...(ca ? { ca } : {}) }, (res) => this.collect(res));
    } catch {
      setImmediate(failed);
      return;
    }
    this.request.on('error', failed);
    // The whole exchange must finish within timeout_ms, as the cloud gives up after it.
    this.timer = setTimeout(() => {
      failed();
      this.request?.destroy();
    }, r.timeoutMs);
    this.request.end(r.body);
  }

  private check(r: HttpRequestText): MvHttpResult | undefined {
    return httpRequestProblem(r, this.options.schemes);
  }

  /**
   * Reads the response; it must fit in the receive buffer, counting every header line with its
   * CRLF plus the body (the status line is not counted).
   */
  private collect(res: http.IncomingMessage): void {
    const headers: Buffer[] = [];
    let used = 0;
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
      const line = Buffer.from(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`, 'latin1');
      headers.push(line);
      used += line.byteLength + 2;
    }
    const chunks: Buffer[] = [];
    const tooLarge = (): void => {
      this.finish({ result: MV_HTTPRESULT_RESPONSETOOLARGE, statusCode: res.statusCode ?? 0, headers: [], body: Buffer.alloc(0) });
      res.destroy();
    };
    if (used > this.buffers.receiveLength) return tooLarge();
    res.on('data', (chunk: Buffer) => {
      used += chunk.byteLength;
      if (used > this.buffers.receiveLength) return tooLarge();
      chunks.push(chunk);
    });
    res.on('end', () => this.finish({ result: MV_HTTPRESULT_OK, statusCode: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) }));
    res.on('error', () => this.finish({ result: MV_HTTPRESULT_REQUESTFAILED, statusCode: 0, headers: [], body: Buffer.alloc(0) }));
  }

  /** The one answer: stored, and announced once. */
  private finish(response: HttpResponse): void {
    if (this.response || this.closed || this.released) return;
    clearTimeout(this.timer);
    this.request = undefined;
    this.response = response;
    this.target.centre.post(MV_EVENTTYPE_CHANNELDATAREADABLE, this.target.tag);
  }

  private abort(): void {
    clearTimeout(this.timer);
    this.request?.destroy();
    this.request = undefined;
  }

  protected override dropConnection(): void {
    this.abort();
  }

  protected override closeConnection(): void {
    this.abort();
  }
}
