#!/usr/bin/env node
// What attaching the inspector costs the device, in one process: QoS 0 and QoS 1 publish
// throughput through MvMqttClient against an embedded aedes broker, with no inspector, with an
// empty observer (what any tracing costs), with the inspector attached, and with a page open
// (chromium headless on the page, or curl on its event stream, in another process). Modes
// alternate round by round so that drift on a shared machine hits each alike; each mode's
// ratio to "none" is taken per round and printed as median (min–max). `npm run bench -- --only
// inspector` measures the same in a fresh process per case.
//
//   node packages/inspector/scripts/overhead.mjs [--messages N] [--rounds N] [--reader chromium|curl] [--modes none,observer,attached,page] [--qos 0,1]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Aedes } from 'aedes';
import { Device, MvMqttClient } from '@mvmqtt/device';
import { InspectorServer } from '@mvmqtt/inspector';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    reader: { type: 'string', default: 'curl' },
    modes: { type: 'string', default: 'none,observer,attached,page' },
    qos: { type: 'string', default: '0,1' },
  },
});
const MESSAGES = Number(values.messages);
const ROUNDS = Number(values.rounds);
const MODES = values.modes.split(',');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const inspector = await InspectorServer.start();

function openPage(attachment) {
  if (values.reader === 'curl') {
    const proc = spawn('curl', ['-sN', new URL(`/events?device=${attachment.id}`, attachment.url).href], { stdio: 'ignore' });
    return async () => void proc.kill();
  }
  const profile = mkdtempSync(join(tmpdir(), 'mvmqtt-overhead-chromium-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync', `--user-data-dir=${profile}`, '--remote-debugging-port=0', '--window-size=1600,1000', attachment.url];
  // Its own process group: chromium's renderer and helper processes end with it.
  const proc = spawn('chromium', args, { stdio: 'ignore', detached: true });
  return async () => {
    const exited = new Promise((r) => proc.once('exit', r));
    try {
      process.kill(-proc.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await Promise.race([exited, sleep(5000)]);
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  };
}

async function run(mode, qos) {
  const device = new Device();
  // 'observer': an empty trace receiver, what any tracing costs the device by itself.
  const stop = mode === 'observer' ? device.observe(() => {}) : undefined;
  const attachment = mode === 'attached' || mode === 'page' ? inspector.attach(device, { name: `bench ${mode}` }) : undefined;
  const closePage = mode === 'page' ? openPage(attachment) : undefined;
  if (closePage) {
    while (inspector.pagesOpen === 0) await sleep(50);
    await sleep(1000); // the page got its history and rendered it
  }
  const client = new MvMqttClient(device, { irq: 41 });
  await client.connect({ host: '127.0.0.1', port, clientId: `bench-${mode}-${qos}`, protocolVersion: 4 });
  const payload = 'x'.repeat(64);
  const publishAll = async (n) => {
    const inflight = [];
    for (let i = 0; i < n; i++) {
      inflight.push(client.publish('bench/inspector', payload, { qos }));
      if (inflight.length >= 16) await inflight.shift();
    }
    await Promise.all(inflight);
  };
  await publishAll(Math.min(2000, MESSAGES / 4)); // warm-up on the same connection
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await publishAll(MESSAGES);
  const rate = MESSAGES / ((performance.now() - t0) / 1000);
  const cpu = process.cpuUsage(c0);
  // Messages per CPU-second of this process: less sensitive than wall time to other load on the machine.
  const cpuRate = MESSAGES / ((cpu.user + cpu.system) / 1e6);
  await closePage?.();
  await client.close();
  await device.powerOff();
  await attachment?.detach();
  stop?.();
  return { rate, cpuRate };
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
const f2 = (x) => x.toFixed(2);
console.log(`load average before: ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}; reader ${values.reader}; ${MESSAGES} messages × ${ROUNDS} rounds`);
console.log(`| QoS (msg/s per wall or CPU second) | ${MODES.map((m, i) => (i ? `${m} | ratio (min–max)` : m)).join(' | ')} |`);
console.log(`|${MODES.map((_, i) => (i ? '---|---' : '---')).join('|')}|---|`);
for (const qos of values.qos.split(',').map(Number)) {
  const rates = Object.fromEntries(MODES.map((m) => [m, []]));
  const cpuRates = Object.fromEntries(MODES.map((m) => [m, []]));
  await run(MODES[0], qos); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const m of MODES.map((_, i) => MODES[(i + r) % MODES.length])) {
      const { rate, cpuRate } = await run(m, qos);
      rates[m].push(rate);
      cpuRates[m].push(cpuRate);
    }
  }
  for (const [what, table] of [['wall', rates], ['cpu', cpuRates]]) {
    const base = table[MODES[0]];
    const cells = MODES.slice(1).map((m) => {
      const ratios = sorted(table[m].map((x, i) => x / base[i]));
      return `${median(table[m]).toFixed(0)} | ${f2(median(ratios))} (${f2(ratios[0])}–${f2(ratios.at(-1))})`;
    });
    console.log(`| ${qos} (${what}) | ${median(base).toFixed(0)} | ${cells.join(' | ')} |`);
  }
}
console.log(`load average after: ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
await inspector.close();
await new Promise((r) => broker.close(r));
await new Promise((r) => server.close(r));
