#!/usr/bin/env node
// What attaching the inspector costs the device: QoS 0 and QoS 1 publish throughput through
// MvMqttClient against an embedded aedes broker, with no inspector, with one attached, and
// with one attached and a page (an SSE reader) open. Runs alternate so that drift on a shared
// machine hits every configuration alike; medians are printed.
//
//   node packages/inspector/scripts/overhead.mjs [--messages N] [--rounds N]
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { Aedes } from 'aedes';
import { Device, MvMqttClient } from '@mvmqtt/device';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '3000' }, rounds: { type: 'string', default: '7' } } });
const MESSAGES = Number(values.messages);
const ROUNDS = Number(values.rounds);

const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

async function run(mode, qos) {
  const device = new Device();
  let attachment;
  let page;
  // 'observer': an empty trace receiver, what any tracing costs the device by itself.
  const stop = mode === 'observer' ? device.observe(() => {}) : undefined;
  if (mode === 'attached' || mode === 'page') attachment = await device.inspect({ name: `bench ${mode}` });
  if (mode === 'page') {
    // A page: another process reads the stream as it comes, as a browser would. curl, because
    // a second Node process polling with fetch competes for the CPU far more than a browser tab
    // on a two-core machine (measured: 0.3-0.5 of the rate even with no events to send).
    const url = new URL(`/events?device=${attachment.id}`, attachment.url).href;
    page = spawn('curl', ['-sN', url], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1000)); // started, connected and fed its history
  }
  const client = new MvMqttClient(device, { irq: 41 });
  await client.connect({ host: '127.0.0.1', port, clientId: `bench-${mode}-${qos}`, protocolVersion: 4 });
  const payload = 'x'.repeat(64);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const inflight = [];
  for (let i = 0; i < MESSAGES; i++) {
    inflight.push(client.publish('bench/inspector', payload, { qos }));
    if (inflight.length >= 16) await inflight.shift();
  }
  await Promise.all(inflight);
  const rate = MESSAGES / ((performance.now() - t0) / 1000);
  const cpu = process.cpuUsage(c0);
  // Messages per CPU-second of this process: less sensitive than wall time to other load on the machine.
  const cpuRate = MESSAGES / ((cpu.user + cpu.system) / 1e6);
  page?.kill();
  await client.close();
  await device.powerOff();
  await attachment?.detach();
  stop?.();
  return { rate, cpuRate };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const modes = ['none', 'observer', 'attached', 'page'];
console.log(`| QoS (msg/s per wall or CPU second) | no inspector | empty observer | ratio | inspector attached | ratio | attached + page open | ratio |`);
console.log(`|---|---|---|---|---|---|---|---|`);
for (const qos of [0, 1]) {
  const rates = { none: [], observer: [], attached: [], page: [] };
  const cpuRates = { none: [], observer: [], attached: [], page: [] };
  await run('none', qos); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const m of modes) {
      const { rate, cpuRate } = await run(m, qos);
      rates[m].push(rate);
      cpuRates[m].push(cpuRate);
    }
  }
  for (const [what, table] of [['wall', rates], ['cpu', cpuRates]]) {
    const [a, ...rest] = modes.map((m) => median(table[m]));
    console.log(`| ${qos} (${what}) | ${a.toFixed(0)} | ${rest.map((r) => `${r.toFixed(0)} | ${(r / a).toFixed(2)}`).join(' | ')} |`);
  }
}
await new Promise((r) => broker.close(r));
await new Promise((r) => server.close(r));
