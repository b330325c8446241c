#!/usr/bin/env node
// `npm start`: a demo Microvisor device on the emulated core. It requests the network, opens
// an MQTT channel, connects, subscribes to command/device/<id>, publishes sensor readings to
// sensor/device/<id>, receives a command from a second MQTT client, acknowledges it,
// disconnects and exits 0, printing every system call, notification and readable item.
//
//   npm start                              embedded aedes broker on 127.0.0.1 (MQTT 3.1.1)
//   npm start -- --broker mqtt://h:1883    any broker (mqtts:// uses TLS with the bundled roots)
//   npm start -- --protocol 5              MQTT 5 (the default everywhere is 3.1.1, as in MvMqttClient and mqtt.js)
//   npm start -- --forever                 keep publishing every second until Ctrl-C (reconnecting after
//                                          network or broker loss)
//   npm start -- --inspect[=PORT]          serve the live inspector page on 127.0.0.1 (a free port by default)
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = 'usage: npm start -- [--broker mqtt[s]://[user:pass@]host[:port]] [--protocol 3.1.1|5] [--forever] [--readings N] [--inspect[=PORT]]';

/** A bad command line: one line saying what is wrong, the usage, exit 2. */
function usageError(message) {
  console.error(`start: ${message}\n${USAGE}`);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    // `--inspect` may come with or without a port; parseArgs wants a value, so give it the "any port" one.
    args: process.argv.slice(2).map((a) => (a === '--inspect' ? '--inspect=0' : a)),
    options: {
      inspect: { type: 'string' },
      broker: { type: 'string' },
      protocol: { type: 'string' },
      forever: { type: 'boolean', default: false },
      readings: { type: 'string', default: '3' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (e) {
  usageError(e.message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
// MQTT 3.1.1 is protocol level 4 on the wire, so both spellings are accepted.
const PROTOCOLS = { '3.1.1': 4, 4: 4, 5: 5 };
if (args.protocol !== undefined && !Object.hasOwn(PROTOCOLS, args.protocol)) usageError(`--protocol ${args.protocol}: the device speaks MQTT 3.1.1 (or 4) and 5`);
if (!/^[1-9]\d*$/.test(args.readings)) usageError(`--readings ${args.readings}: a positive whole number is needed`);
if (args.inspect !== undefined && (!/^\d{1,5}$/.test(args.inspect) || Number(args.inspect) > 65535)) usageError(`--inspect=${args.inspect}: a port number (0-65535) is needed`);
if (args.broker !== undefined) {
  let url;
  try {
    url = new URL(args.broker);
  } catch {
    usageError(`--broker ${args.broker}: not a URL (mqtt://host:1883 or mqtts://host:8883)`);
  }
  if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:') usageError(`--broker ${args.broker}: the scheme must be mqtt:// or mqtts://, not ${url.protocol}//`);
  if (!url.hostname) usageError(`--broker ${args.broker}: no host`);
  if (url.pathname && url.pathname !== '/') usageError(`--broker ${args.broker}: a broker URL has no path`);
}

// ---------------------------------------------------------------- build what the demo runs (fresh checkouts have no dist/)

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

for (const pkg of args.inspect !== undefined ? ['sdk', 'device', 'inspector'] : ['sdk', 'device']) {
  const dir = join(root, 'packages', pkg);
  const built = join(dir, 'dist', 'index.js');
  if (!existsSync(built) || statSync(built).mtimeMs < newestMtime(join(dir, 'src'))) {
    console.log(`(building @mvmqtt/${pkg} …)`);
    const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}

const sdk = await import('@mvmqtt/sdk');
const { DEFAULT_PROTOCOL_VERSION, Device, MvMqttClient } = await import('@mvmqtt/device');
const { default: mqtt } = await import('mqtt');

// ---------------------------------------------------------------- printing

const t0 = performance.now();
const stamp = () => `[${(performance.now() - t0).toFixed(1).padStart(8)} ms]`;
const enumName = (en, v) => sdk.ENUM_NAMES[en]?.[v] ?? String(v);

/** Arguments as the kernel saw them after the call (out-boxes hold what it wrote). */
function show(v, depth = 0) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v !== 'object') return String(v);
  if (v instanceof Uint8Array) return `<${v.byteLength} bytes>`;
  if (v instanceof Uint32Array) return `<u32[${v.length}]>`;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === 'value') return `&${show(v.value, depth)}`;
  if (keys.length === 2 && 'data' in v && 'length' in v) {
    // An MvSizedString: show the text it holds.
    if (v.length === 0) return '""';
    return typeof v.data === 'string' ? show(v.data) : `<${v.length} bytes>`;
  }
  if (depth > 3) return '{…}';
  if (Array.isArray(v)) return `[${v.map((x) => show(x, depth + 1)).join(', ')}]`;
  return `{${keys.map((k) => `${k}: ${show(v[k], depth + 1)}`).join(', ')}}`;
}

function clip(s, n = 300) {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function trace(e) {
  if (e.kind === 'syscall') {
    console.log(`${stamp()} ${e.name}(${clip(e.args.map((a) => show(a)).join(', '))}) -> ${sdk.statusName(e.status)}`);
  } else if (e.kind === 'notification') {
    const what = e.outcome === 'written' ? '' : ` (${e.outcome})`;
    console.log(`${stamp()}   notification irq ${e.irq} slot ${e.slot}: ${enumName('MvEventType', e.eventType)} tag ${e.tag} at ${e.microseconds} us${what}`);
  } else if (e.kind === 'readable') {
    const { type, ...fields } = e.item;
    if (fields.payload instanceof Uint8Array) fields.payload = new TextDecoder().decode(fields.payload);
    if (fields.requestState !== undefined) fields.requestState = enumName('MvMqttRequestState', fields.requestState);
    console.log(`${stamp()}   readable item on channel ${e.channel}: ${enumName('MvMqttReadableDataType', type)} ${clip(JSON.stringify(fields), 200)}`);
  } else if (e.kind === 'network') {
    console.log(`${stamp()}   network status: ${enumName('MvNetworkStatus', e.status)}`);
  }
}

const say = (s) => console.log(`\n${stamp()} == ${s}`);

// ---------------------------------------------------------------- the broker

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

let stopBroker = async () => {};
let brokerUrl = args.broker;
if (!brokerUrl) {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker();
  const port = await freePort();
  const server = createServer(broker.handle);
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  brokerUrl = `mqtt://127.0.0.1:${port}`;
  stopBroker = async () => {
    await new Promise((resolve) => broker.close(resolve));
    await new Promise((resolve) => server.close(resolve));
  };
  say(`embedded aedes broker on ${brokerUrl} (MQTT 3.1.1)`);
}
const url = new URL(brokerUrl);
const useTls = url.protocol === 'mqtts:';
// One default for every path (this demo, MvMqttClient, mqtt.js): MQTT 3.1.1, which every broker speaks.
const protocolVersion = args.protocol === undefined ? DEFAULT_PROTOCOL_VERSION : PROTOCOLS[args.protocol];

// ---------------------------------------------------------------- the device

const deviceId = `UV${randomBytes(16).toString('hex').toUpperCase()}`; // 34 characters, like mvGetDeviceId
const commandTopic = `command/device/${deviceId}`;
const sensorTopic = `sensor/device/${deviceId}`;

const connectOptions = {
  host: url.hostname,
  port: Number(url.port) || (useTls ? 8883 : 1883),
  clientId: deviceId,
  protocolVersion,
  username: url.username ? decodeURIComponent(url.username) : undefined,
  password: url.password ? decodeURIComponent(url.password) : undefined,
  tls: useTls ? {} : undefined,
  keepalive: 60,
};

const device = new Device({ trace });
let inspection;
if (args.inspect !== undefined) {
  // Attached before the client sets up its notification centre, so the page sees every record.
  inspection = await device.inspect({ port: Number(args.inspect), name: `demo ${deviceId.slice(0, 10)}…`, broker: brokerUrl });
  console.log(`inspector: ${inspection.url.replace(/\?.*$/, '')}`);
}
let client;
let operator;
const watchdog = setTimeout(() => {
  console.error(`\n${stamp()} demo did not finish in time`);
  process.exit(1);
}, args.forever ? 2 ** 31 - 1 : 30_000);

try {
  say(`device ${deviceId}: notification centre and network request`);
  client = new MvMqttClient(device, { irq: 41, notificationSlots: 8 });
  console.log(`${stamp()} network connected: ${client.networkConnected}`);

  say(`open an MQTT channel and connect to ${url.host} (MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}${useTls ? ', TLS' : ''})`);
  await client.connect(connectOptions);

  say(`subscribe to ${commandTopic}`);
  const granted = await client.subscribe(commandTopic, { qos: 1 });
  console.log(`${stamp()} ${granted.map((r) => r.reason).join(', ')}`);

  // A second client, standing in for the operator's back end, sends the device a command.
  operator = await mqtt.connectAsync(brokerUrl, { protocolVersion, reconnectPeriod: 0, clientId: `operator-${deviceId.slice(2, 10)}` });
  const inbound = client.messages();

  let reading = 0;
  let temperature = 1.0;
  const publishReading = async () => {
    reading++;
    const payload = JSON.stringify({ temperature_celsius: Number(temperature.toFixed(2)) });
    temperature = temperature + 0.1 > 50 ? 1.0 : temperature + 0.1; // the vendor demo's dummy sensor
    say(`publish reading ${reading} to ${sensorTopic}: ${payload}`);
    const code = await client.publish(sensorTopic, payload, { qos: 1 });
    console.log(`${stamp()} publish reason code ${code}`);
  };

  for (let i = 0; i < Number(args.readings); i++) await publishReading();

  say('the operator sends a command');
  await operator.publishAsync(commandTopic, JSON.stringify({ action: 'restart' }), { qos: 1 });
  const { value: command } = await inbound.next();
  if (!command) throw new Error('the session ended before the command arrived');
  console.log(`${stamp()} command on ${command.topic} (QoS ${command.qos}, correlation ${command.correlationId}): ${new TextDecoder().decode(command.payload)}`);
  say('acknowledge the command');
  command.ack();

  if (args.forever) {
    say('publishing every second; Ctrl-C to stop');
    let stop = false;
    let wake = () => {};
    const nap = (ms) => new Promise((r) => ((wake = r), setTimeout(r, ms)));
    const onSigint = () => ((stop = true), wake());
    process.once('SIGINT', onSigint);
    process.once('SIGTERM', onSigint);
    // Commands (from the operator, or injected from the inspector) are printed and acknowledged.
    const serve = async (messages) => {
      for await (const m of messages) {
        console.log(`${stamp()} command on ${m.topic} (QoS ${m.qos}): ${new TextDecoder().decode(m.payload)}`);
        m.ack();
      }
    };
    let serving = serve(inbound);
    let lost = false;
    while (!stop) {
      await nap(1000);
      if (stop) break;
      if (client.connected) {
        await publishReading().catch((err) => console.log(`${stamp()} publish failed: ${err.message}`));
        continue;
      }
      // The session ended (network or broker loss): close the channel, wait for the network, connect again.
      if (!lost) say('session lost: reconnecting once the network is up');
      lost = true;
      await client.disconnect().catch(() => undefined);
      await serving;
      if (!client.networkConnected) continue;
      lost = false;
      try {
        await client.connect(connectOptions);
        await client.subscribe(commandTopic, { qos: 1 });
        serving = serve(client.messages());
        say('reconnected');
      } catch (err) {
        console.log(`${stamp()} reconnect failed: ${err.message}`);
        await client.disconnect().catch(() => undefined);
      }
    }
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }

  say('disconnect');
  await client.disconnect();
  await client.close();
  say('done');
} catch (err) {
  console.error(`\n${stamp()} demo failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await operator?.endAsync().catch(() => undefined);
  await device.powerOff();
  await inspection?.detach();
  await stopBroker();
}
