#!/usr/bin/env node
// `npm start`: a demo Microvisor device on the emulated core. Like the vendor's MQTT demo it
// starts server logging, reads its device id, fetches the broker settings from the config store
// (mvSendConfigFetchRequest), then connects, subscribes to command/device/<id>, publishes sensor
// readings to sensor/device/<id>, receives a command from a second MQTT client, acknowledges it
// and acts on it: "restart" disconnects and calls mvRestart, which ends the device's run. It prints
// every system call, notification and readable item, and its server log lines ([mv-server-log]).
//
//   npm start                              the embedded aedes broker on 127.0.0.1 (MQTT 3.1.1)
//   npm start -- --config FILE             the device's config store (JSON, see README "npm start"):
//                                          broker-host, broker-port, client-id, username (device/config),
//                                          password (device/secret), root-CA (device/config, turns TLS on);
//                                          keys it lacks come from the default store (the embedded broker)
//   npm start -- --broker mqtt://h:1883    the default store names this broker instead (mqtts:// uses TLS
//                                          with the bundled roots; user:pass@ gives username and password)
//   npm start -- --device-id ID            the device id (default: the emulator's stable one, printed at start)
//   npm start -- --protocol 5              MQTT 5 (the default everywhere is 3.1.1, as in MvMqttClient and mqtt.js)
//   npm start -- --test-mode               boot in application-test mode: the run ends with mvTestingComplete
//                                          (status 0 when every step worked) instead of mvRestart
//   npm start -- --forever                 keep publishing every second until Ctrl-C (reconnecting after
//                                          network or broker loss)
//   npm start -- --inspect[=PORT]          serve the live inspector page on 127.0.0.1 (a free port by default)
//
// Exit status: the run-end code when the application ended its run (mvRestart and mvDeepSleep: 0;
// mvTestingComplete: 0 for status 0, else 1), 1 when the demo failed, 2 for a bad command line or store.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE =
  'usage: npm start -- [--config FILE] [--broker mqtt[s]://[user:pass@]host[:port]] [--device-id ID] [--protocol 3.1.1|5] [--test-mode] [--forever] [--readings N] [--inspect[=PORT]]';

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
      config: { type: 'string' },
      'device-id': { type: 'string' },
      protocol: { type: 'string' },
      'test-mode': { type: 'boolean', default: false },
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
let brokerArg;
if (args.broker !== undefined) {
  try {
    brokerArg = new URL(args.broker);
  } catch {
    usageError(`--broker ${args.broker}: not a URL (mqtt://host:1883 or mqtts://host:8883)`);
  }
  if (brokerArg.protocol !== 'mqtt:' && brokerArg.protocol !== 'mqtts:') usageError(`--broker ${args.broker}: the scheme must be mqtt:// or mqtts://, not ${brokerArg.protocol}//`);
  if (!brokerArg.hostname) usageError(`--broker ${args.broker}: no host`);
  if (brokerArg.pathname && brokerArg.pathname !== '/') usageError(`--broker ${args.broker}: a broker URL has no path`);
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
const { deviceIdBytes } = await import('@mvmqtt/sdk/runtime');
const { ConfigStore, ConfigStoreError, DEFAULT_DEVICE_ID, DEFAULT_PROTOCOL_VERSION, Device, MvMqttClient, describeRunEnd, formatCall, formatEvent } = await import('@mvmqtt/device');

// The store given with --config, checked before anything starts: a bad store is one line naming
// the file, the JSON pointer and the problem.
let userStore;
if (args.config !== undefined) {
  try {
    userStore = ConfigStore.load(args.config);
  } catch (e) {
    if (!(e instanceof ConfigStoreError)) throw e;
    console.error(`start: --config: ${e.message}`);
    process.exit(2);
  }
}
const deviceId = args['device-id'] ?? DEFAULT_DEVICE_ID;
try {
  deviceIdBytes(deviceId); // the device's own check of the id, before anything starts
} catch (e) {
  usageError(`--device-id ${deviceId}: ${e.message.replace(/^deviceId option: /, '')}`);
}
const { default: mqtt } = await import('mqtt');

// ---------------------------------------------------------------- printing: the device package's trace formatter

const t0 = performance.now();
const stamp = () => `[${(performance.now() - t0).toFixed(1).padStart(8)} ms]`;

function trace(e) {
  const line = e.kind === 'syscall' ? formatCall(e.name, e.args, e.status) : formatEvent(e);
  if (line !== undefined) console.log(`${stamp()} ${e.kind === 'syscall' ? '' : '  '}${line}`);
}

const say = (s) => console.log(`\n${stamp()} == ${s}`);

// ---------------------------------------------------------------- the broker and the default store

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

const { MV_CONFIGKEYFETCHSCOPE_DEVICE: DEVICE, MV_CONFIGKEYFETCHSTORE_CONFIG: CONFIG, MV_CONFIGKEYFETCHSTORE_SECRET: SECRET } = sdk;
/** True when the --config store names a broker itself: the embedded one is then not needed. */
const storeNamesBroker = userStore?.get(DEVICE, CONFIG, 'broker-host') !== undefined;

let stopBroker = async () => {};
let defaultBroker = brokerArg;
if (!defaultBroker && !storeNamesBroker) {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker();
  const port = await freePort();
  const server = createServer(broker.handle);
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  defaultBroker = new URL(`mqtt://127.0.0.1:${port}`);
  stopBroker = async () => {
    await new Promise((resolve) => broker.close(resolve));
    await new Promise((resolve) => server.close(resolve));
  };
  say(`embedded aedes broker on ${defaultBroker.href} (MQTT 3.1.1)`);
}

/** The default store: the broker (embedded, or --broker) and the device id as client id; --config keys take precedence. */
const defaults = {
  device: {
    config: { 'client-id': deviceId },
    secret: {},
  },
};
if (defaultBroker) {
  defaults.device.config['broker-host'] = defaultBroker.hostname;
  defaults.device.config['broker-port'] = defaultBroker.port || (defaultBroker.protocol === 'mqtts:' ? '8883' : '1883');
  if (defaultBroker.username) defaults.device.config.username = decodeURIComponent(defaultBroker.username);
  if (defaultBroker.password) defaults.device.secret.password = decodeURIComponent(defaultBroker.password);
}
const store = (userStore ?? ConfigStore.empty()).withFallback(ConfigStore.load(defaults));

// ---------------------------------------------------------------- the device

const device = new Device({ trace, config: store, deviceId, testMode: args['test-mode'] });
console.log(`${stamp()} device id ${deviceId}${args['device-id'] ? '' : ' (the default; --device-id ID for another)'}`);
let inspection;
if (args.inspect !== undefined) {
  // Attached before the application sets up its notification centres, so the page sees every record.
  inspection = await device.inspect({ port: Number(args.inspect), name: `demo ${deviceId.slice(0, 10)}…`, broker: defaultBroker?.href ?? 'from --config' });
  console.log(`inspector: ${inspection.url.replace(/\?.*$/, '')}`);
}

// ---------------------------------------------------------------- the application's helpers (what firmware would do)

const text = (s) => new TextEncoder().encode(s);
const sized = (s) => ({ data: s, length: text(s).byteLength });

/** Server logging as the vendor demos set it up: a 512-byte-aligned buffer, a multiple of 512 bytes. */
const logBuffer = new Uint8Array(4096);
function serverLog(message) {
  const bytes = text(message);
  device.mvServerLog(bytes, bytes.byteLength); // the vendor demos ignore the status; the trace shows it
}

/**
 * Fetches device-scoped keys through a CONFIGFETCH channel, as the vendor's MQTT demo does: its own
 * notification centre and network request, one request, wait for CHANNELDATAREADABLE, read each
 * item, close everything. Returns key → value (undefined when the store has no such key).
 */
async function fetchConfig(keys) {
  const IRQ = 42;
  const TAG = 7;
  const ring = new Uint8Array(4 * 16);
  const center = sdk.out(0);
  const check = (fn, status) => {
    if (status !== sdk.MV_STATUS_OKAY) throw new Error(`${fn} returned ${sdk.statusName(status)}`);
  };
  check('mvSetupNotifications', device.mvSetupNotifications({ irq: IRQ, buffer: ring, buffer_size: ring.byteLength }, center));
  let answered;
  const readable = new Promise((resolve) => (answered = resolve));
  let slot = 0;
  device.nvic.setHandler(IRQ, () => {
    const record = sdk.decodeMvNotification(ring, slot * 16);
    slot = (slot + 1) % 4;
    if (record.tag === TAG) answered(record.event_type);
  });
  device.nvic.enable(IRQ);
  const network = sdk.out(0);
  const channel = sdk.out(0);
  try {
    check('mvRequestNetwork', device.mvRequestNetwork({ version: 1, v1: { notification_handle: center.value, notification_tag: 1 } }, network));
    const rx = new Uint8Array(2560);
    const tx = new Uint8Array(2560);
    const params = sdk.newMvOpenChannelParams();
    Object.assign(params.v1, {
      notification_handle: center.value,
      notification_tag: TAG,
      network_handle: network.value,
      receive_buffer: rx,
      receive_buffer_len: rx.byteLength,
      send_buffer: tx,
      send_buffer_len: tx.byteLength,
      channel_type: sdk.MV_CHANNELTYPE_CONFIGFETCH,
      endpoint: sized(''),
    });
    check('mvOpenChannel', device.mvOpenChannel(params, channel));
    const request = { num_items: keys.length, keys_to_fetch: keys.map(([store, key]) => ({ scope: DEVICE, store, key: sized(key) })) };
    check('mvSendConfigFetchRequest', device.mvSendConfigFetchRequest(channel.value, request));
    const event = await Promise.race([readable, new Promise((r) => setTimeout(r, 5000, 'timeout'))]);
    if (event !== sdk.MV_EVENTTYPE_CHANNELDATAREADABLE) throw new Error(`the config fetch got no answer (${event === 'timeout' ? 'none in 5 s' : sdk.ENUM_NAMES.MvEventType[event]})`);
    const data = sdk.newMvConfigResponseData();
    check('mvReadConfigFetchResponseData', device.mvReadConfigFetchResponseData(channel.value, data));
    if (data.result !== sdk.MV_CONFIGFETCHRESULT_OK) throw new Error(`the config fetch failed: ${sdk.ENUM_NAMES.MvConfigFetchResult[data.result]}`);
    const values = {};
    for (let i = 0; i < data.num_items; i++) {
      const buf = new Uint8Array(sdk.LIMITS.CONFIG_VALUE_LENGTH_MAX.value);
      const item = { item_index: i, result: sdk.out(0), buf: { data: buf, size: buf.byteLength, length: sdk.out(0) } };
      check('mvReadConfigResponseItem', device.mvReadConfigResponseItem(channel.value, item));
      const [, key] = keys[i];
      if (item.result.value === sdk.MV_CONFIGKEYFETCHRESULT_OK) values[key] = buf.slice(0, item.buf.length.value);
      else if (item.result.value !== sdk.MV_CONFIGKEYFETCHRESULT_KEYNOTFOUND) throw new Error(`config key ${key}: ${sdk.ENUM_NAMES.MvConfigKeyFetchResult[item.result.value]}`);
    }
    return values;
  } finally {
    if (channel.value) device.mvCloseChannel(channel);
    if (network.value) device.mvReleaseNetwork(network);
    device.mvCloseNotifications(center);
    device.nvic.disable(IRQ);
  }
}

// ---------------------------------------------------------------- the application

let client;
let operator;
const watchdog = setTimeout(() => {
  console.error(`\n${stamp()} demo did not finish in time`);
  process.exit(1);
}, args.forever ? 2 ** 31 - 1 : 30_000);

let ok = false;
/** The operator's command asked for a restart (the demo's normal end; not after Ctrl-C in --forever). */
let restart = false;
try {
  say('server logging and the device id');
  device.mvServerLoggingInit(logBuffer, logBuffer.byteLength);
  const idBuf = new Uint8Array(sdk.LIMITS.DEVICE_ID_LENGTH.max);
  device.mvGetDeviceId(idBuf, idBuf.byteLength);
  const id = new TextDecoder().decode(idBuf);
  serverLog(`demo starting on device ${id}`);
  const commandTopic = `command/device/${id}`;
  const sensorTopic = `sensor/device/${id}`;

  say('fetch the broker settings from the config store');
  const settings = await fetchConfig([
    [CONFIG, 'broker-host'],
    [CONFIG, 'broker-port'],
    [CONFIG, 'client-id'],
    [CONFIG, 'username'],
    [SECRET, 'password'],
    [CONFIG, 'root-CA'],
  ]);
  const utf8 = (bytes) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes));
  const host = utf8(settings['broker-host']);
  const portText = utf8(settings['broker-port']);
  if (host === undefined || portText === undefined) throw new Error('the config store has no broker-host or broker-port');
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) throw new Error(`config key broker-port: "${portText}" is not a port number`);
  const useTls = settings['root-CA'] !== undefined || (brokerArg?.protocol === 'mqtts:' && host === brokerArg.hostname);
  const connectOptions = {
    host,
    port,
    clientId: utf8(settings['client-id']) ?? id,
    protocolVersion: args.protocol === undefined ? DEFAULT_PROTOCOL_VERSION : PROTOCOLS[args.protocol],
    username: utf8(settings.username),
    password: settings.password,
    tls: useTls ? (settings['root-CA'] ? { ca: [settings['root-CA']] } : {}) : undefined,
    keepalive: 60,
  };
  const brokerUrl = `${useTls ? 'mqtts' : 'mqtt'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  serverLog(`broker ${brokerUrl}, client id ${connectOptions.clientId}`);

  say(`notification centre and network request`);
  client = new MvMqttClient(device, { irq: 41, notificationSlots: 8 });
  console.log(`${stamp()} network connected: ${client.networkConnected}`);

  say(`open an MQTT channel and connect to ${host}:${port} (MQTT ${connectOptions.protocolVersion === 5 ? '5' : '3.1.1'}${useTls ? ', TLS' : ''})`);
  await client.connect(connectOptions);
  serverLog('connected');

  say(`subscribe to ${commandTopic}`);
  const granted = await client.subscribe(commandTopic, { qos: 1 });
  console.log(`${stamp()} ${granted.map((r) => r.reason).join(', ')}`);

  // A second client, standing in for the operator's back end, sends the device a command.
  operator = await mqtt.connectAsync(brokerUrl, {
    protocolVersion: connectOptions.protocolVersion,
    reconnectPeriod: 0,
    clientId: `operator-${id.slice(2, 10)}`,
    username: connectOptions.username,
    password: settings.password === undefined ? undefined : Buffer.from(settings.password),
    ca: settings['root-CA'] === undefined ? undefined : Buffer.from(settings['root-CA']),
  });
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
  serverLog(`published ${reading} readings`);

  say('the operator sends a command');
  await operator.publishAsync(commandTopic, JSON.stringify({ action: 'restart' }), { qos: 1 });
  const { value: command } = await inbound.next();
  if (!command) throw new Error('the session ended before the command arrived');
  const commandText = new TextDecoder().decode(command.payload);
  console.log(`${stamp()} command on ${command.topic} (QoS ${command.qos}, correlation ${command.correlationId}): ${commandText}`);
  say('acknowledge the command');
  command.ack();
  serverLog(`command received: ${commandText}`);
  restart = !args.forever && commandText === JSON.stringify({ action: 'restart' });

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
  serverLog('disconnected; done');
  // Logs travel while the application holds its network: let them go before it is released.
  await device.idle();
  await client.close();
  say('done');
  ok = true;
} catch (err) {
  // One line for what went wrong (the trace above shows the calls); the stack only with MVMQTT_DEBUG=1.
  console.error(`\n${stamp()} demo failed: ${process.env.MVMQTT_DEBUG ? (err?.stack ?? err) : (err?.message ?? err)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  // In test mode the run reports its result; otherwise a "restart" command ends it with mvRestart.
  if (args['test-mode']) {
    say(`end the test run: mvTestingComplete(${ok ? 0 : 1})`);
    device.mvTestingComplete(ok ? 0 : 1);
  } else if (ok && restart) {
    say('act on the command: mvRestart');
    device.mvRestart(sdk.MV_RESTARTMODE_AUTOAPPLYUPDATE);
  }
  const end = device.runEnd;
  if (end) {
    console.log(`${stamp()} run ended: ${describeRunEnd(end)}; exit code ${end.exitCode}`);
    process.exitCode = end.exitCode;
  }
  await operator?.endAsync().catch(() => undefined);
  await device.powerOff();
  await inspection?.detach();
  await stopBroker();
}
