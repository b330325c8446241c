// HTTP channels against real node:http and node:https servers on 127.0.0.1 (certificates made by openssl for this run).
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  LIMITS,
  MV_CHANNELTYPE_HTTP,
  MV_EVENTTYPE_CHANNELDATAREADABLE,
  MV_EVENTTYPE_CHANNELDATAWRITESPACE,
  MV_HTTPRESULT_INVALIDHEADERS,
  MV_HTTPRESULT_INVALIDTIMEOUT,
  MV_HTTPRESULT_OK,
  MV_HTTPRESULT_REQUESTFAILED,
  MV_HTTPRESULT_RESPONSETOOLARGE,
  MV_HTTPRESULT_UNSUPPORTEDMETHOD,
  MV_HTTPRESULT_UNSUPPORTEDURISCHEME,
  MV_STATUS_OFFSETINVALID,
  MV_STATUS_REQUESTALREADYSENT,
  MV_STATUS_RESPONSENOTPRESENT,
  MV_STATUS_INDEXINVALID,
  newMvHttpResponseData,
  out,
  type MvChannelHandle,
  type MvHttpRequest,
  type MvHttpResponseData,
} from '@mvmqtt/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts, type TestCerts } from '../../../test/support/certs.js';
import { describeWithTools } from '../../../test/support/tools.js';
import type { Device, DeviceOptions } from '../src/index.js';
import { deviceFixture, expectOk, expectStatus, openParams, str, type Center } from './helpers.js';
import type { MvNetworkHandle } from '@mvmqtt/sdk';

const { setup } = deviceFixture();
const TAG = 7;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A server that records each request and answers with what `reply` says. */
function handler(seen: Seen[], reply: (req: IncomingMessage, res: ServerResponse) => void) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      reply(req, res);
    });
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function openHttp(device: Device, center: Center, network: MvNetworkHandle, rx = 2560, tx = 1024): MvChannelHandle {
  const params = openParams(center, network, TAG, { rx: new Uint8Array(rx), tx: new Uint8Array(tx) });
  const h = out(0 as MvChannelHandle);
  expectOk(device.mvOpenChannel({ ...params, v1: { ...params.v1, channel_type: MV_CHANNELTYPE_HTTP } } as never, h), 'mvOpenChannel');
  return h.value;
}

function request(url: string, o: { method?: string; headers?: string[]; body?: string; timeout?: number } = {}): MvHttpRequest {
  const headers = (o.headers ?? []).map((h) => ({ length: Buffer.byteLength(h), data: new TextEncoder().encode(h) }));
  return { method: str(o.method ?? 'GET'), url: str(url), num_headers: headers.length, headers, body: str(o.body ?? ''), timeout_ms: o.timeout ?? 5000 };
}

/** Sends, waits for the one CHANNELDATAREADABLE, reads the response data. */
async function exchange(ctx: { device: Device; center: Center; network: MvNetworkHandle }, req: MvHttpRequest, rx?: number): Promise<{ ch: MvChannelHandle; data: MvHttpResponseData }> {
  const ch = openHttp(ctx.device, ctx.center, ctx.network, rx);
  expectOk(ctx.device.mvSendHttpRequest(ch, req), 'mvSendHttpRequest');
  await ctx.device.waitFor(() => ctx.center.count(MV_EVENTTYPE_CHANNELDATAREADABLE, TAG) > 0, 20_000, 'the HTTP response');
  const data = newMvHttpResponseData();
  expectOk(ctx.device.mvReadHttpResponseData(ch, data), 'mvReadHttpResponseData');
  return { ch, data };
}

function body(device: Device, ch: MvChannelHandle, length: number, chunk = 7): string {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < length; offset += chunk) {
    const buf = new Uint8Array(chunk);
    expectOk(device.mvReadHttpResponseBody(ch, offset, buf, chunk), 'mvReadHttpResponseBody');
    parts.push(Buffer.from(buf.subarray(0, Math.min(chunk, length - offset))));
  }
  return Buffer.concat(parts).toString();
}

function headerLines(device: Device, ch: MvChannelHandle, count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const buf = new Uint8Array(256);
    expectOk(device.mvReadHttpResponseHeader(ch, i, buf, 255), 'mvReadHttpResponseHeader');
    lines.push(Buffer.from(buf.subarray(0, buf.indexOf(0))).toString());
  }
  return lines;
}

describe('HTTP over node:http (plain scheme allowed by option)', () => {
  const seen: Seen[] = [];
  let server: Server;
  let base: string;
  const plain: DeviceOptions = { http: { schemes: ['http:', 'https:'] } };

  beforeAll(async () => {
    server = createHttpServer(
      handler(seen, (req, res) => {
        if (req.url === '/big') return res.end('x'.repeat(4000));
        if (req.url === '/slow') return; // never answers
        res.setHeader('X-Echo-Method', req.method!);
        res.statusCode = req.url === '/missing' ? 404 : 201;
        res.end(`hello ${req.method} ${req.url}`);
      }),
    );
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => close(server));

  it('carries method, headers and body to the server and the status, headers and body back', async () => {
    const ctx = setup(plain);
    const { ch, data } = await exchange(ctx, request(`${base}/things?id=3`, { method: 'POST', headers: ['Content-Type: application/json', 'X-Trace: abc'], body: '{"a":1}' }));
    expect(data).toMatchObject({ result: MV_HTTPRESULT_OK, status_code: 201 });
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ method: 'POST', url: '/things?id=3', body: '{"a":1}' });
    expect(last.headers['content-type']).toBe('application/json');
    expect(last.headers['x-trace']).toBe('abc');
    expect(body(ctx.device, ch, data.body_length)).toBe('hello POST /things?id=3');
    expect(headerLines(ctx.device, ch, data.num_headers)).toContain('X-Echo-Method: POST');
    // Exactly one notification per request; never WRITESPACE on HTTP channels.
    expect(ctx.center.count(MV_EVENTTYPE_CHANNELDATAREADABLE, TAG)).toBe(1);
    expect(ctx.center.count(MV_EVENTTYPE_CHANNELDATAWRITESPACE, TAG)).toBe(0);
    // A response can be read again; past its end the reads refuse.
    expectOk(ctx.device.mvReadHttpResponseData(ch, newMvHttpResponseData()));
    expectStatus(ctx.device.mvReadHttpResponseHeader(ch, data.num_headers, new Uint8Array(8), 8), MV_STATUS_INDEXINVALID);
    expectStatus(ctx.device.mvReadHttpResponseBody(ch, data.body_length + 1, new Uint8Array(8), 8), MV_STATUS_OFFSETINVALID);
  });

  it('leaves the buffer past the last body byte untouched', async () => {
    const ctx = setup(plain);
    const { ch, data } = await exchange(ctx, request(`${base}/x`));
    const buf = new Uint8Array(64).fill(0xee);
    expectOk(ctx.device.mvReadHttpResponseBody(ch, 0, buf, 64));
    expect(Buffer.from(buf.subarray(0, data.body_length)).toString()).toBe('hello GET /x');
    expect([...buf.subarray(data.body_length)].every((b) => b === 0xee)).toBe(true);
  });

  it('reports a 404 as status_code with result OK', async () => {
    const { data } = await exchange(setup(plain), request(`${base}/missing`));
    expect(data).toMatchObject({ result: MV_HTTPRESULT_OK, status_code: 404 });
  });

  it('allows one request per channel', async () => {
    const ctx = setup(plain);
    const ch = openHttp(ctx.device, ctx.center, ctx.network);
    expectStatus(ctx.device.mvReadHttpResponseData(ch, newMvHttpResponseData()), MV_STATUS_RESPONSENOTPRESENT);
    expectOk(ctx.device.mvSendHttpRequest(ch, request(`${base}/one`)));
    expectStatus(ctx.device.mvSendHttpRequest(ch, request(`${base}/two`)), MV_STATUS_REQUESTALREADYSENT);
  });

  it('answers RESPONSETOOLARGE when headers and body do not fit the receive buffer', async () => {
    const { data } = await exchange(setup(plain), request(`${base}/big`), 2048);
    expect(data.result).toBe(MV_HTTPRESULT_RESPONSETOOLARGE);
    const fits = await exchange(setup(plain), request(`${base}/big`), 8192);
    expect(fits.data).toMatchObject({ result: MV_HTTPRESULT_OK, body_length: 4000 });
  });

  it('reports content problems in the result, not as a status', async () => {
    const cases: [MvHttpRequest, number][] = [
      [request(`ftp://127.0.0.1/`), MV_HTTPRESULT_UNSUPPORTEDURISCHEME],
      [request(`${base}/`, { method: 'BREW' }), MV_HTTPRESULT_UNSUPPORTEDMETHOD],
      [request(`${base}/`, { headers: ['no colon here'] }), MV_HTTPRESULT_INVALIDHEADERS],
      [request(`${base}/`, { timeout: LIMITS.HTTP_TIMEOUT_RANGE.min - 1 }), MV_HTTPRESULT_INVALIDTIMEOUT],
      [request(`${base}/`, { timeout: LIMITS.HTTP_TIMEOUT_RANGE.max + 1 }), MV_HTTPRESULT_INVALIDTIMEOUT],
    ];
    for (const [req, result] of cases) {
      const { data } = await exchange(setup(plain), req);
      expect(data.result).toBe(result);
    }
  });

  it('refuses plain http by default, as Microvisor does', async () => {
    const { data } = await exchange(setup(), request(`${base}/`));
    expect(data.result).toBe(MV_HTTPRESULT_UNSUPPORTEDURISCHEME);
  });

  it('fails a request the server does not answer within timeout_ms', async () => {
    const { data } = await exchange(setup(plain), request(`${base}/slow`, { timeout: LIMITS.HTTP_TIMEOUT_RANGE.min }));
    expect(data.result).toBe(MV_HTTPRESULT_REQUESTFAILED);
  }, 30_000);

  it('fails a request to a port nobody listens on', async () => {
    const probe = createHttpServer();
    const port = await listen(probe);
    await close(probe);
    const { data } = await exchange(setup(plain), request(`http://127.0.0.1:${port}/`));
    expect(data.result).toBe(MV_HTTPRESULT_REQUESTFAILED);
  });

  it('sends nothing after the channel is closed', async () => {
    const ctx = setup(plain);
    const ch = openHttp(ctx.device, ctx.center, ctx.network);
    const before = seen.length;
    expectOk(ctx.device.mvSendHttpRequest(ch, request(`${base}/closed`)));
    expectOk(ctx.device.mvCloseChannel(out(ch)));
    await ctx.device.idle();
    expect(ctx.center.count(MV_EVENTTYPE_CHANNELDATAREADABLE, TAG)).toBe(0);
    expect(seen.length - before).toBeLessThanOrEqual(1);
  });
});

describeWithTools(['openssl'], 'HTTP over node:https', () => {
  let certs: TestCerts;
  let server: Server;
  let base: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    certs = makeTestCerts();
    server = createHttpsServer({ cert: certs.server.pem, key: certs.serverKey.pem }, handler(seen, (_req, res) => res.end('secure')));
    base = `https://127.0.0.1:${await listen(server)}`;
  });
  afterAll(async () => {
    await close(server);
    certs?.cleanup();
  });

  it('talks to a server whose CA the device trusts', async () => {
    const ctx = setup({ http: { ca: certs.ca.pem } });
    const { ch, data } = await exchange(ctx, request(`${base}/s`));
    expect(data).toMatchObject({ result: MV_HTTPRESULT_OK, status_code: 200, body_length: 6 });
    expect(body(ctx.device, ch, data.body_length)).toBe('secure');
  });

  it('fails the request when the server certificate does not verify', async () => {
    const { data } = await exchange(setup(), request(`${base}/s`));
    expect(data.result).toBe(MV_HTTPRESULT_REQUESTFAILED);
  });
});
