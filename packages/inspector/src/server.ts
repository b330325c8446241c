/**
 * The inspector's HTTP server on 127.0.0.1: the page (static files shipped in `ui/`), a
 * server-sent-events stream per open page, and JSON control endpoints.
 *
 *   GET  /                               the page
 *   GET  /events?device=ID               SSE: `devices`, `state` and `events` messages
 *   GET  /api/devices                    the attached devices
 *   GET  /api/devices/ID/state           one device's state
 *   POST /api/devices/ID/ACTION          network-down | network-up | broker-disconnect | inject
 *
 * Pages are fed in batches on one timer (5 a second) that runs only while a page is open;
 * each page has a cursor into the device's bounded log and gets at most a batch's worth per
 * tick, told how many it skipped. Controls take JSON bodies only, which a cross-site form
 * cannot send.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeviceTap, InspectorInputError, type InspectableDevice, type TapOptions } from './tap.js';

const UI = new URL('../ui/', import.meta.url);
const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
  '/favicon.svg': 'favicon.svg',
};
const CONTENT_TYPE: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/**
 * Pages are fed five times a second, with at most the newest BATCH_MAX events in detail each
 * time (the page is told how many it skipped, and gets the running totals of all of them):
 * a device making hundreds of thousands of calls a second costs the formatting of 250 and
 * the page the rendering of as many, which keeps the device at its speed with a page open.
 */
const TICK_MS = 200;
/** Events per page per tick: beyond this the page is told how many it skipped. */
const BATCH_MAX = 50;
/** Events a newly opened page gets from the past. */
const HISTORY_MAX = 500;
/** State is re-read every this many ticks. */
const STATE_EVERY = 2;
const BODY_MAX = 256 * 1024;
const TOPIC_BYTES_MAX = 65535;

interface Page {
  res: ServerResponse;
  device: string | undefined;
  cursor: number;
  lastState: string;
  lastDevices: string;
}

export interface AttachOptions extends TapOptions {
  name?: string;
}

export interface Attachment {
  /** The page, with this device selected. */
  url: string;
  id: string;
  detach(): Promise<void>;
}

export class InspectorServer {
  private readonly taps = new Map<string, DeviceTap>();
  private readonly pages = new Set<Page>();
  private readonly files = new Map<string, Buffer>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private nextId = 1;
  /** Called when the last device detaches (the shared servers close then). */
  onEmpty: (() => void) | undefined;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Starts a server on 127.0.0.1 (port 0: a free one). */
  static async start(port = 0): Promise<InspectorServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const s = new InspectorServer(server, (server.address() as AddressInfo).port);
    server.on('request', (req, res) => s.handle(req, res));
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Pages (event streams) open now. */
  get pagesOpen(): number {
    return this.pages.size;
  }

  attach(device: InspectableDevice, options: AttachOptions = {}): Attachment {
    const id = `d${this.nextId++}`;
    const tap = new DeviceTap(id, options.name ?? `device ${id.slice(1)}`, device, options);
    this.taps.set(id, tap);
    return {
      url: `${this.url}?device=${id}`,
      id,
      detach: async () => {
        if (!this.taps.delete(id)) return;
        tap.detach();
        if (this.taps.size === 0) this.onEmpty?.();
      },
    };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const tap of this.taps.values()) tap.detach();
    this.taps.clear();
    for (const p of this.pages) p.res.end();
    this.pages.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ------------------------------------------------------------------ requests

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (req.method === 'GET' && path in STATIC) return this.serveFile(res, STATIC[path]);
    if (req.method === 'GET' && path === '/events') return this.openStream(res, url.searchParams.get('device') ?? undefined);
    if (req.method === 'GET' && path === '/api/devices') return json(res, 200, this.deviceList());
    const m = /^\/api\/devices\/([^/]+)\/([a-z-]+)$/.exec(path);
    const tap = m ? this.taps.get(m[1]) : undefined;
    if (m && !tap) return json(res, 404, { error: `no device ${m[1]}` });
    if (m && tap && req.method === 'GET' && m[2] === 'state') return json(res, 200, tap.state());
    if (m && tap && req.method === 'POST') {
      this.control(req, res, tap, m[2]).catch((err) => json(res, 500, { error: String((err as Error)?.message ?? err) }));
      return;
    }
    json(res, 404, { error: `nothing at ${req.method} ${path}` });
  }

  private serveFile(res: ServerResponse, name: string): void {
    let body = this.files.get(name);
    if (!body) {
      try {
        body = readFileSync(new URL(name, UI));
      } catch {
        return json(res, 404, { error: `no ${name}` });
      }
      this.files.set(name, body);
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPE[name.split('.').pop() as string], 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    res.end(body);
  }

  private async control(req: IncomingMessage, res: ServerResponse, tap: DeviceTap, action: string): Promise<void> {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return json(res, 415, { error: 'send a JSON body (content-type: application/json)' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readBody(req)) || '{}');
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new InspectorInputError('the body must be a JSON object');
    } catch (err) {
      return json(res, 400, { error: err instanceof InspectorInputError ? err.message : 'the body is not valid JSON' });
    }
    try {
      let message: string;
      switch (action) {
        case 'network-down':
          message = tap.loseNetwork();
          break;
        case 'network-up':
          message = tap.restoreNetwork();
          break;
        case 'broker-disconnect':
          message = tap.brokerDisconnect();
          break;
        case 'inject': {
          const { topic, payload, qos, retain } = body;
          if (typeof topic !== 'string' || topic.length === 0) throw new InspectorInputError('topic: a non-empty string is required');
          if (/[+#\u0000]/.test(topic)) throw new InspectorInputError('topic: a publish topic has no wildcards (+, #) and no NUL');
          if (Buffer.byteLength(topic) > TOPIC_BYTES_MAX) throw new InspectorInputError(`topic: at most ${TOPIC_BYTES_MAX} bytes`);
          if (payload !== undefined && typeof payload !== 'string') throw new InspectorInputError('payload: a string');
          const q = qos === undefined ? 0 : qos;
          if (q !== 0 && q !== 1 && q !== 2) throw new InspectorInputError('qos: 0, 1 or 2');
          message = await tap.inject(topic, (payload as string | undefined) ?? '', q, retain === true);
          break;
        }
        default:
          return json(res, 404, { error: `unknown action ${action}: network-down, network-up, broker-disconnect or inject` });
      }
      json(res, 200, { ok: true, message });
    } catch (err) {
      if (err instanceof InspectorInputError) return json(res, 400, { error: err.message });
      json(res, 502, { error: `failed: ${(err as Error)?.message ?? err}` });
    }
  }

  // ------------------------------------------------------------------ the live stream

  private deviceList(): { id: string; name: string; networkUp: boolean }[] {
    return [...this.taps.values()].map((t) => ({ id: t.id, name: t.name, networkUp: t.networkUp }));
  }

  private openStream(res: ServerResponse, device: string | undefined): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    const page: Page = { res, device, cursor: 0, lastState: '', lastDevices: '' };
    this.pages.add(page);
    res.on('close', () => {
      this.pages.delete(page);
      if (this.pages.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    });
    const tap = device ? this.taps.get(device) : undefined;
    if (tap) page.cursor = Math.max(0, tap.log.next - 1 - HISTORY_MAX);
    this.feed(page, true, HISTORY_MAX);
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
  }

  private tick(): void {
    this.ticks++;
    for (const page of this.pages) this.feed(page, this.ticks % STATE_EVERY === 0);
  }

  private feed(page: Page, withState: boolean, max = BATCH_MAX): void {
    const devices = JSON.stringify(this.deviceList());
    if (devices !== page.lastDevices) {
      page.lastDevices = devices;
      send(page.res, 'devices', devices);
    }
    const tap = page.device ? this.taps.get(page.device) : undefined;
    if (!tap) return;
    const { from, to, skipped } = tap.log.since(page.cursor, max);
    if (to > from || skipped) {
      page.cursor = to - 1;
      const events = [];
      for (let seq = from; seq < to; seq++) events.push(tap.view(seq));
      send(page.res, 'events', JSON.stringify({ events, skipped, totals: tap.totals() }));
    }
    if (withState) {
      const state = JSON.stringify(tap.state());
      if (state !== page.lastState) {
        page.lastState = state;
        send(page.res, 'state', state);
      }
    }
  }
}

function send(res: ServerResponse, event: string, data: string): void {
  res.write(`event: ${event}\ndata: ${data}\n\n`);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_MAX) {
        reject(new InspectorInputError(`the body is larger than ${BODY_MAX} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
