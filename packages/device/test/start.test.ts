// `npm start`: the demo device fetches its broker settings from the config store (a default store for the
// embedded broker behind the --config file), logs through mvServerLog, prints every call, notification and
// item, and exits with its run-end code.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startMosquitto, type MosquittoHarness } from '../../../test/support/brokers.js';
import { describeWithTools } from '../../../test/support/tools.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const START = join(root, 'scripts', 'start.mjs');

/** Runs the demo without blocking the event loop (a broker child process of the test keeps being read). */
function start(args: string[], timeoutMs = 60_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [START, ...args], { cwd: root, encoding: 'utf8', timeout: timeoutMs }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

/** A store file in a fresh temp dir (removed after the file's tests). */
const storeDir = mkdtempSync(join(tmpdir(), 'mvmqtt-start-'));
afterAll(() => rmSync(storeDir, { recursive: true, force: true }));
function storeFile(name: string, doc: unknown): string {
  const file = join(storeDir, name);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return file;
}

/** The connect request as the trace printed it. */
const connectLine = (out: string): string => out.split('\n').find((l) => l.includes('mvMqttRequestConnect(')) ?? '';

describe('npm start (scripts/start.mjs)', () => {
  it('runs the demo flow in order and exits 0', { timeout: 120_000 }, () => {
    const run = spawnSync(process.execPath, [START, '--readings', '2'], { cwd: root, encoding: 'utf8', timeout: 110_000 });
    const out = run.stdout;
    expect(run.status, `${out}\n${run.stderr}`).toBe(0);
    const steps = [
      /embedded aedes broker on mqtt:\/\/127\.0\.0\.1:\d+/,
      /device id UV6d766d717474656d756c61746f723031 \(the default/,
      /mvServerLoggingInit\(<4096 bytes>, 4096\) -> MV_STATUS_OKAY/,
      /mvGetDeviceId\(.*\) -> MV_STATUS_OKAY/,
      /mvServerLog\(.*\) -> MV_STATUS_OKAY/,
      /mvOpenChannel\(.*channel_type: 3,.*\) -> MV_STATUS_OKAY/,
      /mvSendConfigFetchRequest\(.*"broker-host".*"broker-port".*"client-id".*"username".*"password".*\) -> MV_STATUS_OKAY/,
      /notification irq 42 slot 0: MV_EVENTTYPE_CHANNELDATAREADABLE/,
      /mvReadConfigFetchResponseData\(.*num_items: 6.*\) -> MV_STATUS_OKAY/,
      /mvReadConfigResponseItem\(.*item_index: 5.*\) -> MV_STATUS_OKAY/,
      /mvSetupNotifications\(.*\) -> MV_STATUS_OKAY/,
      /mvRequestNetwork\(.*\) -> MV_STATUS_OKAY/,
      /mvOpenChannel\(.*\) -> MV_STATUS_OKAY/,
      /mvMqttRequestConnect\(.*\) -> MV_STATUS_OKAY/,
      /readable on channel \d+: MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE .*"requestState":0/,
      /notification irq 41 slot 0: MV_EVENTTYPE_CHANNELDATAREADABLE/,
      /mvMqttReadConnectResponse\(.*\) -> MV_STATUS_OKAY/,
      /mvMqttRequestSubscribe\(.*"command\/device\/UV6d766d717474656d756c61746f723031".*\) -> MV_STATUS_OKAY/,
      /readable on channel \d+: MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE/,
      /mvMqttRequestPublish\(.*"sensor\/device\/UV.*temperature_celsius.*\) -> MV_STATUS_OKAY/,
      /readable on channel \d+: MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE/,
      /mvMqttRequestPublish\(.*\) -> MV_STATUS_OKAY/,
      /readable on channel \d+: MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED .*restart/,
      /mvMqttReceiveMessage\(.*\) -> MV_STATUS_OKAY/,
      /mvMqttAcknowledgeMessage\(.*\) -> MV_STATUS_OKAY/,
      /mvMqttRequestDisconnect\(.*\) -> MV_STATUS_OKAY/,
      /readable on channel \d+: MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE/,
      /mvMqttReadDisconnectResponse\(.*\) -> MV_STATUS_OKAY/,
      /mvCloseChannel\(.*\) -> MV_STATUS_OKAY/,
      /mvReleaseNetwork\(.*\) -> MV_STATUS_OKAY/,
      /mvCloseNotifications\(.*\) -> MV_STATUS_OKAY/,
      /== done/,
      /mvRestart\(0\) -> MV_STATUS_OKAY/,
      /run ended: restart \(next wake reason MV_WAKEREASON_REMOTEAPPLICATIONRESTART\); exit code 0/,
    ];
    const lines = out.split('\n');
    let at = 0;
    for (const step of steps) {
      const found = lines.findIndex((l, i) => i >= at && step.test(l));
      expect(found, `${step} after line ${at}:\n${out}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
    expect(out).not.toMatch(/-> MV_STATUS_(?!OKAY)/);
    // The server log lines, as the device's default sink prints them once they are sent (after the call, while online).
    const logs = lines.filter((l) => l.startsWith('[mv-server-log] '));
    expect(logs).toEqual([
      '[mv-server-log] demo starting on device UV6d766d717474656d756c61746f723031',
      expect.stringMatching(/^\[mv-server-log\] broker mqtt:\/\/127\.0\.0\.1:\d+, client id UV6d766d717474656d756c61746f723031$/),
      '[mv-server-log] connected',
      '[mv-server-log] published 2 readings',
      '[mv-server-log] command received: {"action":"restart"}',
      '[mv-server-log] disconnected; done',
    ]);
  });

  it('refuses a bad --config store with one line naming the file and the JSON pointer, before anything starts', { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'mvmqtt-start-'));
    try {
      const file = join(dir, 'store.json');
      writeFileSync(file, JSON.stringify({ account: { config: { 'broker-host': ['not', 'a', 'string'] } } }));
      const run = spawnSync(process.execPath, [join(root, 'scripts', 'start.mjs'), '--config', file], { cwd: root, encoding: 'utf8', timeout: 50_000 });
      expect(run.status).toBe(2);
      expect(run.stdout).not.toMatch(/aedes/);
      expect(run.stderr.trim()).toBe(`start: --config: ${file}: /account/config/broker-host: a value must be a string or { "file": PATH, "encoding": "raw" | "hex" | "base64" }`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm start: bad stores and command lines', () => {
  it.each([
    ['not JSON', '{ "device": ', /^start: --config: .*bad-json\.json: \/: not valid JSON \(.*\)$/],
    ['an unknown scope', { devices: { config: {} } }, /^start: --config: .*bad-scope\.json: \/devices: unknown scope "devices" \(expected "device" or "account"\)$/],
    ['a file value that is missing', { device: { secret: { password: { file: 'nope.bin' } } } }, /^start: --config: .*bad-file\.json: \/device\/secret\/password\/file: cannot read .*nope\.bin \(ENOENT\)$/],
  ])('%s: one line naming the file, the JSON pointer and the problem; exit 2; nothing started', async (_what, doc, expected) => {
    const name = { 'not JSON': 'bad-json.json', 'an unknown scope': 'bad-scope.json', 'a file value that is missing': 'bad-file.json' }[_what as string]!;
    const run = await start(['--config', storeFile(name, doc)]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toMatch(expected);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a store file that does not exist, and a bad --device-id, are one-line errors too', async () => {
    const missing = await start(['--config', join(storeDir, 'absent.json')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe(`start: --config: ${join(storeDir, 'absent.json')}: /: cannot read the file (ENOENT)`);
    const badId = await start(['--device-id', 'XY123']);
    expect(badId.status).toBe(2);
    expect(badId.stderr).toMatch(/^start: --device-id XY123: a device id is "UV" followed by 32 hex digits/);
    expect(badId.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('npm start: the config store', () => {
  it('a partial store: its keys win, the missing ones fall back to the default store (the embedded broker)', { timeout: 90_000 }, async () => {
    const file = storeFile('partial.json', { device: { config: { 'client-id': 'demo-from-store' } } });
    const run = await start(['--config', file, '--readings', '1', '--device-id', 'UV00112233445566778899aabbccddeeff']);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/embedded aedes broker on mqtt:\/\/127\.0\.0\.1:(\d+)/);
    const port = /embedded aedes broker on mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(run.stdout)![1];
    expect(connectLine(run.stdout)).toMatch(new RegExp(`host: "127\\.0\\.0\\.1", port: ${port}, clientid: "demo-from-store"`));
    // The device id is the device's option, not a store key: topics use it.
    expect(run.stdout).toMatch(/mvMqttRequestSubscribe\(.*"command\/device\/UV00112233445566778899aabbccddeeff"/);
    expect(run.stdout).toMatch(/^\[mv-server-log\] broker mqtt:\/\/127\.0\.0\.1:\d+, client id demo-from-store$/m);
  });

  it('--test-mode: the run ends with mvTestingComplete and the process exits with its code (1 when a step failed)', { timeout: 90_000 }, async () => {
    const passed = await start(['--test-mode', '--readings', '1']);
    expect(passed.status, `${passed.stdout}\n${passed.stderr}`).toBe(0);
    expect(passed.stdout).toMatch(/mvTestingComplete\(0\) -> MV_STATUS_OKAY/);
    expect(passed.stdout).toMatch(/run ended: testing-complete \(status 0\); exit code 0/);
    // Nothing listens on the port the store names: the connect fails, the test run reports 1.
    const closed = await freePort();
    const file = storeFile('closed-port.json', { device: { config: { 'broker-host': '127.0.0.1', 'broker-port': String(closed) } } });
    const failed = await start(['--test-mode', '--config', file]);
    expect(failed.stdout).not.toMatch(/embedded aedes broker/);
    expect(failed.stderr).toMatch(/demo failed: /);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    expect(failed.stdout).toMatch(/mvTestingComplete\(1\) -> MV_STATUS_OKAY/);
    expect(failed.stdout).toMatch(/run ended: testing-complete \(status 1\); exit code 1/);
    expect(failed.status).toBe(1);
  });
});

describeWithTools(['mosquitto'], 'npm start: a --config store naming another broker (mosquitto)', () => {
  let broker: MosquittoHarness;
  beforeAll(async () => {
    broker = await startMosquitto({ users: { demo: 's3cret pass' } });
  }, 30_000);
  afterAll(async () => broker?.close());

  it('connects where the store says, with its client id, username and secret password; no embedded broker', { timeout: 90_000 }, async () => {
    writeFileSync(join(storeDir, 'password.txt'), 's3cret pass');
    const file = storeFile('mosquitto.json', {
      device: {
        config: { 'broker-host': '127.0.0.1', 'broker-port': String(broker.port), 'client-id': 'demo-on-mosquitto', username: 'demo' },
        secret: { password: { file: 'password.txt' } },
      },
    });
    const run = await start(['--config', file, '--readings', '2']);
    expect(run.status, `${run.stdout}\n${run.stderr}\n${broker.log()}`).toBe(0);
    expect(run.stdout).not.toMatch(/embedded aedes broker/);
    expect(connectLine(run.stdout)).toMatch(new RegExp(`host: "127\\.0\\.0\\.1", port: ${broker.port}, clientid: "demo-on-mosquitto"`));
    expect(run.stdout).toMatch(/mvMqttReadConnectResponse\(.*request_state: 0, reason_code: 0\}\) -> MV_STATUS_OKAY/);
    expect(run.stdout).toMatch(/readable on channel \d+: MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED .*restart/);
    expect(run.stdout).toMatch(/run ended: restart .*exit code 0/);
    // The broker saw the device log in with the store's credentials.
    expect(broker.log()).toMatch(/New client connected from 127\.0\.0\.1:\d+ as demo-on-mosquitto \(.*u'demo'\)/);
  });

  it('a wrong password from the store: the connect is refused, the demo fails with exit 1 and no stack trace', { timeout: 90_000 }, async () => {
    const file = storeFile('wrong.json', {
      device: { config: { 'broker-host': '127.0.0.1', 'broker-port': String(broker.port), username: 'demo' }, secret: { password: 'nope' } },
    });
    const run = await start(['--config', file]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/demo failed: .*not authori[sz]ed/i);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
