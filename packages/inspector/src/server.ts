/**
 * The inspector's HTTP server on 127.0.0.1: the page (static files shipped in `ui/`), a
 * server-sent-events stream per open page, and JSON control endpoints.
 *
 *   GET  /                               the page
 *   GET  /events?device=ID[&devices=0]   SSE: `devices` (unless devices=0), `state` and `events` messages
 *   GET  /api/devices                    the devices listed (attached, offered, and relayed ones)
 *   GET  /api/devices/ID/state           one device's state
 *   POST /api/devices/ID/ACTION          network-down | network-up | broker-disconnect | inject
 *
 * A relayed device's ID is KEY.ID (the upstream server's key, its ID there): its stream, state
 * and controls are passed through to that server.
 *
 * Pages are fed in batches on one timer (5 a second) that runs only while a page is open;
 * each page has a cursor into the device's bounded log and gets at most a batch's worth per
 * tick, told how many it skipped. Controls take JSON bodies only, which a cross-site form
 * cannot send.
 */
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type ClientRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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
  /** False for a relaying server's own stream: it sends its list (of every server's devices) itself. */
  listDevices: boolean;
  /** The device is on another server: its events and state come from there (see relay()). */
  remote?: ClientRequest;
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

/**
 * A device this server shows. Attached devices are observed from the attach on; offered ones
 * (a fleet's thousands) only while a page shows them or a control acts on them, so listing a
 * device costs it nothing.
 */
interface Listed {
  id: string;
  name: string;
  device: InspectableDevice;
  options: AttachOptions;
  tap: DeviceTap | undefined;
  eager: boolean;
  /** Pages showing it now. */
  watchers: number;
}

/** Another inspector server whose devices this one lists and relays (a fleet's shards). */
interface Upstream {
  key: string;
  url: string;
  devices: DeviceEntry[];
}

interface DeviceEntry {
  id: string;
  name: string;
  networkUp: boolean;
}

/** Upstream device lists are re-read this often while a page is open. */
const UPSTREAM_LIST_MS = 1000;

export class InspectorServer {
  private readonly listed = new Map<string, Listed>();
  private readonly upstreams = new Map<string, Upstream>();
  private readonly pages = new Set<Page>();
  private readonly files = new Map<string, Buffer>();
  private timer: NodeJS.Timeout | undefined;
  private upstreamTimer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private nextId = 1;
  /** This tick's device list (JSON), made once for every page. */
  private devicesJson: string | undefined;
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

  /** Observes the device from now on and lists it. */
  attach(device: InspectableDevice, options: AttachOptions = {}): Attachment {
    return this.add(device, options, true);
  }

  /**
   * Lists the device without observing it: it is observed only while a page shows it (the
   * page then starts with a snapshot of its state), or for the moment a control acts on it.
   */
  offer(device: InspectableDevice, options: AttachOptions = {}): Attachment {
    return this.add(device, options, false);
  }

  private add(device: InspectableDevice, options: AttachOptions, eager: boolean): Attachment {
    const id = `d${this.nextId++}`;
    const entry: Listed = { id, name: options.name ?? `device ${id.slice(1)}`, device, options, tap: undefined, eager, watchers: 0 };
    if (eager) entry.tap = new DeviceTap(id, entry.name, device, options);
    this.listed.set(id, entry);
    this.devicesJson = undefined;
    return {
      url: `${this.url}?device=${id}`,
      id,
      detach: async () => {
        if (!this.listed.delete(id)) return;
        entry.tap?.detach();
        entry.tap = undefined;
        this.devicesJson = undefined;
        if (this.listed.size === 0 && this.upstreams.size === 0) this.onEmpty?.();
      },
    };
  }

  /**
   * Lists the devices of another inspector server (on this machine) under `key`, and serves
   * their pages through this one: a fleet's shards each run a server for their own devices,
   * and the fleet's server relays them, so one page picks any device of the fleet.
   */
  relay(key: string, url: string): void {
    if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new Error(`relay key ${JSON.stringify(key)}: letters, digits, - and _ only`);
    const upstream: Upstream = { key, url: new URL('/', url).href, devices: [] };
    this.upstreams.set(key, upstream);
    void this.refreshUpstream(upstream);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.upstreamTimer) clearInterval(this.upstreamTimer);
    this.timer = this.upstreamTimer = undefined;
    for (const entry of this.listed.values()) entry.tap?.detach();
    this.listed.clear();
    for (const p of this.pages) {
      p.remote?.destroy();
      p.res.end();
    }
    this.pages.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The device's tap, made for the occasion when it is offered and nobody watches it. */
  private tapOf(entry: Listed): DeviceTap {
    entry.tap ??= new DeviceTap(entry.id, entry.name, entry.device, entry.options);
    return entry.tap;
  }

  /** An offered device nobody watches any more is no longer observed. */
  private release(entry: Listed): void {
    if (entry.eager || entry.watchers > 0 || !entry.tap) return;
    entry.tap.detach();
    entry.tap = undefined;
  }

  /** `key.id` names a device of an upstream server. */
  private upstreamOf(id: string): { upstream: Upstream; id: string } | undefined {
    const dot = id.indexOf('.');
    const upstream = dot > 0 ? this.upstreams.get(id.slice(0, dot)) : undefined;
    return upstream && { upstream, id: id.slice(dot + 1) };
  }

  // ------------------------------------------------------------------ requests

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (req.method === 'GET' && path in STATIC) return this.serveFile(res, STATIC[path]);
    if (req.method === 'GET' && path === '/events') return this.openStream(res, url.searchParams.get('device') ?? undefined, url.searchParams.get('devices') !== '0');
    if (req.method === 'GET' && path === '/api/devices') {
      // Upstream lists are kept fresh only while a page is open: read them now.
      void Promise.all([...this.upstreams.values()].map((u) => this.refreshUpstream(u))).then(() => json(res, 200, this.deviceList()));
      return;
    }
    const m = /^\/api\/devices\/([^/]+)\/([a-z-]+)$/.exec(path);
    if (m) {
      const remote = this.upstreamOf(m[1]);
      if (remote) return this.proxy(req, res, remote.upstream, `/api/devices/${encodeURIComponent(remote.id)}/${m[2]}`);
    }
    const entry = m ? this.listed.get(m[1]) : undefined;
    if (m && !entry) return json(res, 404, { error: `no device ${m[1]}` });
    if (m && entry && req.method === 'GET' && m[2] === 'state') {
      const state = this.tapOf(entry).state();
      this.release(entry);
      return json(res, 200, state);
    }
    if (m && entry && req.method === 'POST') {
      const tap = this.tapOf(entry);
      this.control(req, res, tap, m[2])
        .catch((err) => json(res, 500, { error: String((err as Error)?.message ?? err) }))
        .finally(() => this.release(entry));
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

  private deviceList(): DeviceEntry[] {
    const list: DeviceEntry[] = [];
    for (const e of this.listed.values()) list.push({ id: e.id, name: e.name, networkUp: e.device.networkUp });
    // Upstreams in the order of their keys (shard 2 before shard 10), whichever reported first.
    const upstreams = [...this.upstreams.values()].sort((a, b) => a.key.localeCompare(b.key, 'en', { numeric: true }));
    for (const u of upstreams) for (const d of u.devices) list.push({ id: `${u.key}.${d.id}`, name: d.name, networkUp: d.networkUp });
    return list;
  }

  private openStream(res: ServerResponse, device: string | undefined, listDevices: boolean): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    const page: Page = { res, device, cursor: 0, lastState: '', lastDevices: '', listDevices };
    this.pages.add(page);
    const entry = device ? this.listed.get(device) : undefined;
    const remote = device && !entry ? this.upstreamOf(device) : undefined;
    if (entry) entry.watchers++;
    res.on('close', () => {
      this.pages.delete(page);
      page.remote?.destroy();
      if (entry) {
        entry.watchers--;
        this.release(entry);
      }
      if (this.pages.size === 0) {
        clearInterval(this.timer);
        clearInterval(this.upstreamTimer);
        this.timer = this.upstreamTimer = undefined;
      }
    });
    if (remote) this.relayStream(page, remote.upstream, remote.id);
    if (entry) page.cursor = Math.max(0, this.tapOf(entry).log.next - 1 - HISTORY_MAX);
    this.feed(page, true, HISTORY_MAX);
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
    if (this.upstreams.size && !this.upstreamTimer) {
      const refresh = () => this.upstreams.forEach((u) => void this.refreshUpstream(u));
      refresh();
      this.upstreamTimer = setInterval(refresh, UPSTREAM_LIST_MS);
    }
  }

  private tick(): void {
    this.ticks++;
    this.devicesJson = undefined;
    for (const page of this.pages) this.feed(page, this.ticks % STATE_EVERY === 0);
  }

  private feed(page: Page, withState: boolean, max = BATCH_MAX): void {
    if (page.listDevices) {
      const devices = (this.devicesJson ??= JSON.stringify(this.deviceList()));
      if (devices !== page.lastDevices) {
        page.lastDevices = devices;
        send(page.res, 'devices', devices);
      }
    }
    const tap = page.device ? this.listed.get(page.device)?.tap : undefined;
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

  // ------------------------------------------------------------------ relaying another server's devices

  private async refreshUpstream(u: Upstream): Promise<void> {
    try {
      const res = await fetch(new URL('/api/devices', u.url), { signal: AbortSignal.timeout(5000) });
      if (res.ok) u.devices = (await res.json()) as DeviceEntry[];
    } catch {
      // The upstream went away (its shard ended): it lists nothing.
      u.devices = [];
    }
    this.devicesJson = undefined;
  }

  /** Passes the upstream page stream of one device through, whole messages at a time (this server adds its own device lists between them). */
  private relayStream(page: Page, u: Upstream, id: string): void {
    const req = httpRequest(new URL(`/events?device=${encodeURIComponent(id)}&devices=0`, u.url), (up) => {
      up.setEncoding('utf8');
      let pending = '';
      up.on('data', (chunk: string) => {
        pending += chunk;
        const end = pending.lastIndexOf('\n\n');
        if (end < 0) return;
        page.res.write(pending.slice(0, end + 2));
        pending = pending.slice(end + 2);
      });
      up.on('end', () => page.res.end());
    });
    req.on('error', () => page.res.end());
    req.end();
    page.remote = req;
  }

  /** One request passed to the upstream server, its answer passed back. */
  private proxy(req: IncomingMessage, res: ServerResponse, u: Upstream, path: string): void {
    const headers: Record<string, string> = {};
    if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
    const up = httpRequest(new URL(path, u.url), { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
      answer.pipe(res);
    });
    up.on('error', (err) => {
      if (!res.headersSent) json(res, 502, { error: `the server of ${u.key} did not answer: ${err.message}` });
      else res.end();
    });
    req.pipe(up);
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
