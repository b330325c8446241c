// `mvdevice fleet` end to end: the package's bin in a child process, shard processes, real
// brokers started here, the report read back as JSON. Counts only, never timings.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startAedes, startMosquitto, type AedesHarness, type MosquittoHarness } from '../../../test/support/brokers.js';
import { describeWithTools } from '../../../test/support/tools.js';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'bin', 'mvdevice.js');
const FIXTURE_FIRMWARE = join(here, 'fixtures', 'fleet-firmware.ts');
const tmp = mkdtempSync(join(tmpdir(), 'mvdevice-fleet-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Async, so a broker running in this process keeps serving while the command runs. */
function mvdevice(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function report(r: Run): Record<string, any> {
  expect(r.code, `exit code\n${r.stdout}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
}

describe('mvdevice fleet on the embedded aedes', () => {
  let aedes: AedesHarness;
  beforeAll(async () => {
    aedes = await startAedes();
  });
  afterAll(() => aedes.close());

  it('runs the built-in firmware on every device in two shards; the separate subscriber counts every message once', { timeout: 120_000 }, async () => {
    const r = report(await mvdevice(['fleet', '--count', '6', '--broker', aedes.url, '--shards', '2', '--duration', '2', '--interval', '250', '--json', '--quiet']));
    // 2 s at one publish per 250 ms: 8 slots per device.
    expect(r).toMatchObject({ devices: 6, shards: 2, connected: 6, failed: 0, published: 48, refused: 0, observed: 48, lost: 0, duplicates: 0, unstamped: 0, interrupted: false });
    expect(r.firmware).toMatch(/telemetry/);
    expect(r.latency_ms.p50).toBeGreaterThan(0);
    expect(r.latency_ms.p50).toBeLessThanOrEqual(r.latency_ms.p99);
    expect(r.rss_mb_per_device).toBeGreaterThan(0);
  });

  it('Ctrl-C to the whole process group (as a terminal sends it): stops publishing, drains, reports, exit 0', { timeout: 120_000 }, async () => {
    // Its own process group, so the signal reaches the command and its shards as in a terminal.
    const child = spawn(process.execPath, [BIN, 'fleet', '--count', '4', '--broker', aedes.url, '--shards', '2', '--duration', '0', '--interval', '200', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // The live summary's first line says the fleet is publishing.
    await new Promise<void>((resolve) =>
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (/publishing/.test(stderr)) resolve();
      }),
    );
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited, stderr).toBe(0);
    const r = JSON.parse(stdout);
    expect(r).toMatchObject({ interrupted: true, connected: 4, failed: 0, lost: 0, duplicates: 0 });
    expect(r.published).toBeGreaterThan(0);
    expect(r.observed).toBe(r.published);
  });

  it('prints a readable report without --json', { timeout: 120_000 }, async () => {
    const r = await mvdevice(['fleet', '--count', '2', '--broker', aedes.url, '--shards', '1', '--duration', '1', '--interval', '500', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/connected +2 of 2 /);
    expect(r.stdout).toMatch(/received +4 by the fleet's subscriber/);
    expect(r.stdout).toMatch(/lost +0\n/);
  });
});

describeWithTools(['mosquitto'], 'mvdevice fleet on mosquitto', () => {
  let mosquitto: MosquittoHarness;
  beforeAll(async () => {
    mosquitto = await startMosquitto({ extraConfig: ['max_connections -1', 'max_queued_messages 0'] });
  });
  afterAll(() => mosquitto.close());

  it('runs a TypeScript firmware module named in a config file, with its settings, over MQTT 5 at QoS 0', { timeout: 120_000 }, async () => {
    const config = join(tmp, 'fleet.json');
    writeFileSync(
      config,
      JSON.stringify({ count: 4, broker: mosquitto.url, firmware: FIXTURE_FIRMWARE, qos: 0, protocol: 5, duration: 1, interval: 200, shards: 2, settings: { greeting: 'hello from the fixture' } }),
    );
    const r = report(await mvdevice(['fleet', '--config', config, '--json', '--quiet']));
    expect(r).toMatchObject({ devices: 4, connected: 4, failed: 0, published: 20, observed: 20, lost: 0, qos: 0, firmware: 'fixture: promise client' });
    // The greetings: one per device, without the fleet's stamp.
    expect(r.unstamped).toBe(4);
  });

  it('flags on the command line win over the config file', { timeout: 120_000 }, async () => {
    const config = join(tmp, 'override.json');
    writeFileSync(config, JSON.stringify({ count: 50, broker: 'mqtt://127.0.0.1:1', duration: 60 }));
    const r = report(await mvdevice(['fleet', '--config', config, '--count', '3', '--broker', mosquitto.url, '--duration', '1', '--interval', '500', '--json', '--quiet']));
    expect(r).toMatchObject({ devices: 3, connected: 3, published: 6, observed: 6, lost: 0 });
  });
});

describe('mvdevice usage errors: one line, the usage hint, exit 2, no stack trace, nothing started', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown flag', ['fleet', '--count', '1', '--broker', 'mqtt://127.0.0.1:1883', '--bogus'], /Unknown option '--bogus'/],
    ['a missing --count', ['fleet', '--broker', 'mqtt://127.0.0.1:1883'], /--count is required/],
    ['a bad --qos', ['fleet', '--count', '1', '--broker', 'mqtt://127.0.0.1:1883', '--qos', '2'], /--qos takes 0 or 1/],
    ['a payload too small for the stamp', ['fleet', '--count', '1', '--broker', 'mqtt://127.0.0.1:1883', '--payload', '4'], /--payload takes a whole number ≥ 20/],
    ['a TLS broker', ['fleet', '--count', '1', '--broker', 'mqtts://127.0.0.1:8883'], /TLS brokers are not supported/],
    ['a missing firmware file', ['fleet', '--count', '1', '--broker', 'mqtt://127.0.0.1:1883', '--firmware', 'nowhere/firmware.ts'], /no such file/],
    ['an unknown config key', ['fleet', '--config', '__CONFIG__'], /unknown key "colour"/],
    ['an --inspect port that is not one', ['fleet', '--count', '1', '--broker', 'mqtt://127.0.0.1:1883', '--inspect=web'], /--inspect takes a whole number from 0 to 65535, not "web"/],
    ['an unknown command', ['flet'], /unknown command "flet"/],
  ];
  for (const [what, args, message] of cases)
    it(what, () => {
      const config = join(tmp, 'bad.json');
      writeFileSync(config, JSON.stringify({ count: 1, colour: 'blue' }));
      const r = spawnSync(process.execPath, [BIN, ...args.map((a) => (a === '__CONFIG__' ? config : a))], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/usage|--help/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    });

  it('a broker nobody listens on: exit 1 with the reason, no stack trace', { timeout: 60_000 }, async () => {
    const r = await mvdevice(['fleet', '--count', '2', '--broker', `mqtt://127.0.0.1:${await freePort()}`, '--duration', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not connect|ECONNREFUSED/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
