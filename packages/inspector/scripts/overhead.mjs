#!/usr/bin/env node
// What attaching the inspector costs the device: QoS 0 and QoS 1 publish throughput through
// MvMqttClient against an embedded aedes broker, with no inspector, with one attached, and
// with one attached and a page (an SSE reader) open. Runs alternate so that drift on a shared
// machine hits every configuration alike; medians are printed.
//
//   node packages/inspector/scripts/overhead.mjs [--messages N] [--rounds N]
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { Aedes } from 'aedes';
import { Device, MvMqttClient } from '@mvmqtt/device';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '3000' }, rounds: { type: 'string', default: '5' } } });
const MESSAGES = Number(values.messages);
const ROUNDS = Number(values.rounds);

const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

async function run(mode, qos) {
  const device = new Device();
  let attachment;
  let reader;
  if (mode !== 'none') attachment = await device.inspect({ name: `bench ${mode}` });
  if (mode === 'page') {
    // A page: read the stream as fast as it comes, as a browser would.
    const res = await fetch(new URL(`/events?device=${attachment.id}`, attachment.url));
    reader = res.body.getReader();
    (async () => {
      try {
        while (!(await reader.read()).done);
      } catch {}
    })();
  }
  const client = new MvMqttClient(device, { irq: 41 });
  await client.connect({ host: '127.0.0.1', port, clientId: `bench-${mode}-${qos}`, protocolVersion: 4 });
  const payload = 'x'.repeat(64);
  const t0 = performance.now();
  const inflight = [];
  for (let i = 0; i < MESSAGES; i++) {
    inflight.push(client.publish('bench/inspector', payload, { qos }));
    if (inflight.length >= 16) await inflight.shift();
  }
  await Promise.all(inflight);
  const rate = MESSAGES / ((performance.now() - t0) / 1000);
  await reader?.cancel().catch(() => {});
  await client.close();
  await device.powerOff();
  await attachment?.detach();
  return rate;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const modes = ['none', 'attached', 'page'];
console.log(`| QoS | no inspector (msg/s) | attached | ratio | attached + page open | ratio |`);
console.log(`|---|---|---|---|---|---|`);
for (const qos of [0, 1]) {
  const rates = { none: [], attached: [], page: [] };
  await run('none', qos); // warm-up
  for (let r = 0; r < ROUNDS; r++) for (const m of modes) rates[m].push(await run(m, qos));
  const [a, b, c] = modes.map((m) => median(rates[m]));
  console.log(`| ${qos} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b / a).toFixed(2)} | ${c.toFixed(0)} | ${(c / a).toFixed(2)} |`);
}
await new Promise((r) => broker.close(r));
await new Promise((r) => server.close(r));
