/**
 * Host firmware builds: C compiled with mvmqtt_add_host_firmware (CMake, the system compiler)
 * and run by `mvdevice run` / runFirmware against the device core and real brokers. The
 * expected statuses come from the spec's constants, not from the bridge under test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { LIMITS, MV_STATUS_INVALIDHANDLE, MV_STATUS_OKAY, MV_STATUS_PARAMETERFAULT } from '@mvmqtt/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAedes, startMosquitto, type AedesHarness, type MosquittoHarness } from '../../../test/support/brokers.js';
import { describeWithTools, requireAll } from '../../../test/support/tools.js';
import { runFirmware } from '../src/host/runner.js';
import { loadShmAddon, shmUnavailable } from '../src/host/shm.js';
import { C_HEADERS, MVDEVICE, cmakeBuild, mvdeviceRun as mvdevice } from './host-support.js';





function reports(stdout: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    const m = /^(\w+) (-?\d+)$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

describeWithTools(['cmake', 'gcc'], 'host firmware: system calls, pointers and interrupts', () => {
  let dir: string;
  let probe: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mvmqtt-host-probe-'));
    cmakeBuild(fileURLToPath(new URL('./fixtures/host-probe', import.meta.url)), dir);
    probe = join(dir, 'host_probe');
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Both call transports: shared memory (the default when the addon is built) and the socket alone.
  it.each([
    ['the default transport', {}],
    ['the socket transport', { MVDEVICE_HOST_TRANSPORT: 'socket' }],
  ])('turns bad application pointers into PARAMETERFAULT, holds pends while the line is disabled, runs the handler in interrupt context (%s)', async (_, env) => {
    const run = await mvdevice(['--', probe], { env, onLine: (line, pid) => {
      // The firmware waits for network loss: drive it the documented way.
      if (line === 'waiting_for_network_loss 1') process.kill(pid, 'SIGUSR2');
    } });
    expect(run.stderr).toContain('network lost');
    expect(run.code).toBe(0);
    const r = reports(run.stdout);
    for (const name of ['setup_null_params', 'setup_unmapped_params', 'setup_unmapped_out', 'setup_read_only_out', 'setup_read_only_ring', 'setup_unmapped_ring', 'release_bad_pointer'])
      expect(r[name], name).toBe(MV_STATUS_PARAMETERFAULT);
    expect(r.handle_untouched).toBe(0);
    expect(r.setup_ok).toBe(MV_STATUS_OKAY);
    expect(r.handle_written).toBe(1);
    expect(r.handler_calls_while_disabled).toBe(0);
    // One handler call per record; IPSR is 16 + IRQn (43) inside it and 0 outside.
    expect(r.handler_calls).toBe(1);
    expect(r.records_seen).toBe(1);
    expect(r.ipsr_thread).toBe(0);
    expect(r.handler_ipsr).toBe(16 + 43);
    expect(r.ipsr_after).toBe(0);
    expect(r.tag).toBe(7);
    expect(r.release).toBe(MV_STATUS_OKAY);
    expect(r.close).toBe(MV_STATUS_OKAY);
  });

  it('reports a crash with its signal and the last calls, and exits 128 + signal', async () => {
    const run = await mvdevice(['--', probe, 'crash']);
    expect(run.code).toBe(128 + 11);
    expect(run.stderr).toContain('crashed: SIGSEGV');
    expect(run.stderr).toMatch(/last system calls:\n\s+mvGetNetworkReasons\(NULL, NULL\) -> MV_STATUS_PARAMETERFAULT/);
  });

  it('--timeout stops a firmware that is still running and exits 0; --trace prints one line per call', async () => {
    const run = await mvdevice(['--trace', '--timeout', '2', '--', probe]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('waiting_for_network_loss 1');
    expect(run.stderr).toMatch(/^\[\s*[\d.]+ s\] mvSetupNotifications\(NULL, &0\) -> MV_STATUS_PARAMETERFAULT$/m);
    expect(run.stderr).toMatch(/^\[\s*[\d.]+ s\] mvRequestNetwork\(.*\) -> MV_STATUS_OKAY$/m);
  });

  it('hands raw channel reads back as pointers into the application\'s own receive buffer, across the ring\'s wrap', async () => {
    let stdout = '';
    const result = await runFirmware({
      firmware: join(dir, 'host_raw_channel'),
      stdout: 'pipe',
      onStdout: (c) => (stdout += c),
      log: () => undefined,
      timeoutSeconds: 60,
      // The far end answers every chunk with the same bytes plus one.
      deviceOptions: { opaqueEndpoint: (peer) => (bytes) => peer.deliver(bytes.map((b) => (b + 1) & 0xff)) },
    });
    expect(result.exitCode, stdout).toBe(0);
    const r = reports(stdout);
    expect(r.open).toBe(MV_STATUS_OKAY);
    // The device core sees the application's real addresses: a buffer 8 bytes past a 512-byte boundary is refused.
    expect(r.open_misaligned_send_buffer).toBe(LIMITS.CHANNEL_SEND_BUFFER_ALIGNMENT.status);
    expect(r.log_init_misaligned).toBe(LIMITS.LOG_BUFFER_ALIGNMENT.status);
    for (const name of ['read_null_pointer_out', 'read_unmapped_pointer_out', 'read_read_only_pointer_out', 'read_null_length_out']) expect(r[name], name).toBe(MV_STATUS_PARAMETERFAULT);
    expect(r.length_untouched).toBe(1);
    expect(r.read_empty).toBe(MV_STATUS_OKAY);
    expect(r.empty_length).toBe(0);
    // 800 bytes through a 512-byte ring, at most 150 used per read: every pointer inside it, a wrap, every byte right.
    expect(r.received).toBe(800);
    expect(r.pointers_outside_buffer).toBe(0);
    expect(r.wraps).toBeGreaterThanOrEqual(1);
    expect(r.reads).toBeGreaterThanOrEqual(6);
    expect(r.mismatches).toBe(0);
    expect(r.complete).toBe(MV_STATUS_OKAY);
    expect(r.close).toBe(MV_STATUS_OKAY);
    expect(r.read_closed).toBe(MV_STATUS_INVALIDHANDLE);
  });

  it('MVHOST_CPU_NUDGE=0 leaves the firmware thread\'s affinity alone, even with the device core on its CPU', async () => {
    // The fixture pins the device core to one of its CPUs: the setting in which the nudge moves the thread.
    const run = await mvdevice(['--', join(dir, 'host_affinity'), '20000'], { env: { MVHOST_CPU_NUDGE: '0' } });
    expect(run.code, run.stderr).toBe(0);
    const r = reports(run.stdout);
    expect(r.faults).toBe(20000);
    expect(r.affinity_calls).toBe(0);
    expect(r.mask_changed).toBe(0);
  });

  it('refuses bad command lines with a diagnostic', async () => {
    const noFirmware = await mvdevice([]);
    expect(noFirmware.code).toBe(2);
    expect(noFirmware.stderr).toContain('no firmware given');
    const badTimeout = await mvdevice(['--timeout', 'soon', '--', probe]);
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toContain('--timeout wants a positive number');
    const badDeviceId = await mvdevice(['--device-id', 'UV123', '--', probe]);
    expect(badDeviceId.code).toBe(2);
    expect(badDeviceId.stderr).toContain('--device-id "UV123": a device id is "UV" followed by');
    const missingConfig = await mvdevice(['--config', join(dir, 'no-such-store.json'), '--', probe]);
    expect(missingConfig.code).toBe(2);
    expect(missingConfig.stderr).toContain('no-such-store.json: /: cannot read the file (ENOENT)');
    const store = join(dir, 'bad-store.json');
    writeFileSync(store, JSON.stringify({ device: { config: { 'broker-host': { file: 'missing.pem' } } } }));
    const badConfig = await mvdevice(['--config', store, '--', probe]);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('/device/config/broker-host/file: cannot read');
    for (const run of [badDeviceId, missingConfig, badConfig]) expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

/**
 * The bare-metal example (examples/host_baremetal) against a broker, watched by a second client.
 * Its settings come from the config store; without a `client` key its client id is the device id.
 */
async function runBareMetal(
  exe: string,
  host: string,
  port: number,
  o: { clientId?: string; deviceId: string; mqtt311?: boolean; transport?: 'shared-memory' | 'socket' },
) {
  const clientId = o.clientId ?? o.deviceId;
  const topic = `host/${clientId}/echo`;
  const watcher = await mqtt.connectAsync({ host, port, protocolVersion: 4, clientId: `${clientId}-watcher` });
  const seen: string[] = [];
  watcher.on('message', (t, payload) => {
    if (t === topic) seen.push(payload.toString());
  });
  await watcher.subscribeAsync(topic, { qos: 1 });
  const config: Record<string, string> = { 'broker-host': host, 'broker-port': String(port), topic };
  if (o.clientId) config.client = o.clientId;
  if (o.mqtt311) config['mqtt-version'] = '3.1.1';
  let stdout = '';
  const serverLog: string[] = [];
  let used: string | undefined;
  try {
    const result = await runFirmware({
      firmware: exe,
      stdout: 'pipe',
      onStdout: (c) => (stdout += c),
      log: () => undefined,
      timeoutSeconds: 60,
      deviceOptions: { config: { device: { config } }, deviceId: o.deviceId, serverLog: 'none' },
      transport: o.transport,
      onStart: (r) => {
        used = r.bridge.transport;
        r.device.onSystemEvent((e) => e.kind === 'server-log' && serverLog.push(e.text));
      },
    });
    return { result, stdout, seen, topic, serverLog, transport: used };
  } finally {
    await watcher.endAsync();
  }
}

describeWithTools(['cmake', 'gcc'], 'host firmware: bare-metal example against aedes', () => {
  let dir: string;
  let broker: AedesHarness;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mvmqtt-host-bare-'));
    cmakeBuild(join(C_HEADERS, 'examples/host_baremetal'), dir);
    broker = await startAedes();
  }, 120_000);
  afterAll(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['shared-memory', 'socket'] as const)('connects (MQTT 3.1.1), subscribes, publishes, receives its echo, disconnects and exits 0 (%s transport)', async (transport) => {
    if (transport === 'shared-memory' && !loadShmAddon()) {
      // The build could not make the addon (no compiler or Node headers): calls use the socket.
      if (requireAll()) throw new Error(`MVMQTT_REQUIRE_ALL=1 but ${shmUnavailable}`);
      console.warn(`SKIPPED: the shared-memory transport test: ${shmUnavailable}`);
      return;
    }
    const deviceId = 'UV0123456789abcdef0123456789abcdef';
    const { result, stdout, seen, topic, serverLog, transport: used } = await runBareMetal(join(dir, 'host_baremetal'), broker.host, broker.port, { deviceId, mqtt311: true, transport });
    expect(used).toBe(transport);
    expect(result.timedOut).toBe(false);
    expect(result.exitCode, stdout).toBe(0);
    expect(stdout).toContain(`config: broker ${broker.host}:${broker.port}, client ${deviceId}, topic ${topic}`);
    expect(stdout).toContain(`message on ${topic}: {"hello":"from a host build"}`);
    expect(stdout).toContain('finished: done');
    expect(seen).toEqual(['{"hello":"from a host build"}']);
    // Its steps reached the server log too (while the device was online).
    expect(serverLog).toContain(`message on ${topic}: {"hello":"from a host build"}`);
  });

  it('runs as a fleet: one firmware process per device, settings from each device\'s config store, counted from its calls', { timeout: 120_000 }, async () => {
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [MVDEVICE, 'fleet', '--count', '3', '--shards', '1', '--broker', broker.url, '--protocol', '4', '--duration', '1', '--firmware', join(dir, 'host_baremetal'), '--json', '--quiet'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c));
      child.stderr.on('data', (c: Buffer) => (stderr += c));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(run.code, `${run.stdout}${run.stderr}`).toBe(0);
    const r = JSON.parse(run.stdout) as Record<string, unknown>;
    // Each firmware subscribes to its uplink topic, publishes one message there, reads its echo and ends.
    expect(r).toMatchObject({ devices: 3, connected: 3, failed: 0, published: 3, refused: 0, device_errors: 0, unstamped: 3, observed: 0, lost: 0, device_received: 3 });
    expect(r.firmware).toBe('host_baremetal (host build)');
  });

  it('refuses a fleet firmware that is neither a script nor a host build', async () => {
    const notElf = join(dir, 'not-a-firmware');
    writeFileSync(notElf, '#!/bin/sh\n', { mode: 0o755 });
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [MVDEVICE, 'fleet', '--count', '1', '--broker', broker.url, '--firmware', notElf], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('neither a script module nor a host build');
  });
});

describeWithTools(['cmake', 'gcc', 'mosquitto'], 'host firmware: bare-metal example against mosquitto', () => {
  let dir: string;
  let broker: MosquittoHarness;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mvmqtt-host-bare-'));
    cmakeBuild(join(C_HEADERS, 'examples/host_baremetal'), dir);
    broker = await startMosquitto();
  }, 120_000);
  afterAll(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the same session against mosquitto', async () => {
    const { result, stdout, seen, topic } = await runBareMetal(join(dir, 'host_baremetal'), broker.host, broker.port, { clientId: 'bare-mosquitto', deviceId: 'UVfedcba9876543210fedcba9876543210' });
    expect(result.exitCode, stdout).toBe(0);
    expect(stdout).toContain(`message on ${topic}: {"hello":"from a host build"}`);
    expect(seen).toEqual(['{"hello":"from a host build"}']);
  });
});

describe('host firmware tables', () => {
  it('cover every function of the spec, in spec order', async () => {
    const { HOST_TABLES } = await import('../src/host/generated/tables.js');
    const { FUNCTIONS } = await import('@mvmqtt/sdk');
    expect(HOST_TABLES.functions.map((f) => f.name)).toEqual(Object.keys(FUNCTIONS));
  });
});
