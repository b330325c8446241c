/**
 * One inspector-overhead case in a fresh process (forked by bench-inspector.ts): the runtime
 * section's workload with the emulated device publishing (a raw mqtt.js subscriber counting),
 * the embedded aedes broker in this process, and the device
 * - 'none': never inspected;
 * - 'detached': the inspector server running in this process, the device attached and
 *   detached again before the run (the fast path must be back: one boolean per call);
 * - 'attached': attached, no page open;
 * - 'page': attached with a page open in another process: Debian's chromium headless on the
 *   page itself when it is installed, else curl reading the event stream.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SyscallApp } from '@mvmqtt/device/fleet';
import { InspectorServer } from '@mvmqtt/inspector';
import { startAedes } from '../../../test/support/brokers.js';
import { makePayloads, throughput, type ThroughputResult } from '../runtime/driver.js';
import { KEEPALIVE_S, rawSubscriber, type EndpointConfig, type Publisher } from '../runtime/endpoints.js';
import { sleep } from '../stats.js';

export type InspectorMode = 'none' | 'detached' | 'attached' | 'page';

export interface InspectorCase {
  mode: InspectorMode;
  qos: 0 | 1;
  count: number;
  warmup: number;
  window: number;
  payloadSize: number;
  /** What reads the page in 'page' mode. */
  reader: 'chromium' | 'curl';
}

export interface InspectorCaseResult {
  case: InspectorCase;
  throughput: ThroughputResult;
  /** This process's CPU time (user + system) over the measured phase, per message (the device, aedes and the subscriber; not the page's process). */
  cpuUsPerMsg: number;
}

/** A page in another process: chromium on the page (which opens its event stream), or curl on the stream. */
function openPage(reader: InspectorCase['reader'], pageUrl: string, streamUrl: string): { proc: ChildProcess; close: () => Promise<void> } {
  if (reader === 'curl') {
    const proc = spawn('curl', ['-sN', streamUrl], { stdio: 'ignore' });
    return { proc, close: async () => void proc.kill() };
  }
  const profile = mkdtempSync(join(tmpdir(), 'mvmqtt-bench-chromium-'));
  const proc = spawn(
    'chromium',
    ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--remote-debugging-port=0', '--window-size=1600,1000', pageUrl],
    // Its own process group: chromium's renderer and helper processes end with it.
    { stdio: 'ignore', detached: true },
  );
  return {
    proc,
    close: async () => {
      const exited = new Promise((r) => proc.once('exit', r));
      try {
        process.kill(-proc.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await Promise.race([exited, sleep(5000)]);
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
}

async function run(c: InspectorCase): Promise<InspectorCaseResult> {
  const aedes = await startAedes();
  const { hostname, port } = new URL(aedes.url);
  const id = randomBytes(4).toString('hex');
  const base = { url: aedes.url, host: hostname, port: Number(port), topic: `bench/${id}/t`, qos: c.qos, protocolVersion: 4 as const };
  const subCfg: EndpointConfig = { ...base, clientId: `bench-sub-${id}` };
  const sub = await rawSubscriber(subCfg);
  const app = new SyscallApp({ host: base.host, port: base.port, clientId: `bench-pub-${id}`, protocolVersion: 4, keepaliveS: KEEPALIVE_S });
  const server = c.mode === 'none' ? undefined : await InspectorServer.start();
  const attachment = server?.attach(app.device, { name: 'bench' });
  if (c.mode === 'detached') await attachment!.detach();
  let page: ReturnType<typeof openPage> | undefined;
  try {
    await app.connect();
    if (c.mode === 'page') {
      page = openPage(c.reader, attachment!.url, new URL(`/events?device=${attachment!.id}`, server!.url).href);
      const deadline = Date.now() + 30_000;
      while (server!.pagesOpen === 0) {
        if (Date.now() > deadline) throw new Error(`the ${c.reader} page never opened the event stream`);
        if (page.proc.exitCode !== null) throw new Error(`${c.reader} exited (${page.proc.exitCode}) before opening the page`);
        await sleep(50);
      }
      await sleep(500); // the page has its history and has rendered it
    }
    const topic = Buffer.from(base.topic);
    const pub: Publisher = { publish: (payload, done) => app.publish(topic, payload, c.qos, done), close: () => app.powerOff() };
    await throughput(pub, sub, { first: 0, payloads: makePayloads(c.payloadSize, 0, c.warmup), window: c.window });
    const payloads = makePayloads(c.payloadSize, c.warmup, c.count);
    const c0 = process.cpuUsage();
    const r = await throughput(pub, sub, { first: c.warmup, payloads, window: c.window });
    const cpu = process.cpuUsage(c0);
    return { case: c, throughput: r, cpuUsPerMsg: (cpu.user + cpu.system) / c.count };
  } finally {
    await page?.close();
    await app.powerOff();
    await attachment?.detach();
    await server?.close();
    await sub.close();
    await aedes.close();
  }
}

process.once('message', (c: InspectorCase) => {
  run(c).then(
    (r) => process.send!(r, () => process.exit(0)),
    (err: Error) => process.send!({ error: err.stack ?? String(err) }, () => process.exit(1)),
  );
});
