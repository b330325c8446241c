/**
 * Driving a running host firmware: `mvdevice run --control PATH` (network loss and recovery,
 * broker outages) against mosquitto, with a C firmware that keeps its session up
 * (fixtures/host-control) and a separate subscriber that sees what reaches the broker; and
 * Ctrl-C (SIGINT to the process group) during `mvdevice fleet` with C firmware.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { MV_CLOSUREREASON_NETWORKDISCONNECTED, MV_MQTTREQUESTSTATE_SOCKETERROR } from '@mvmqtt/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMosquitto, type MosquittoHarness } from '../../../test/support/brokers.js';
import { describeWithTools } from '../../../test/support/tools.js';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
const MVDEVICE = join(PACKAGES, 'device/bin/mvdevice.js');

/** A child's output, with a way to wait for a line matching a pattern. */
class Watched {
  out = '';
  err = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: (() => void)[] = [];

  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (c: Buffer) => this.add('out', c));
    child.stderr!.on('data', (c: Buffer) => this.add('err', c));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  private add(which: 'out' | 'err', c: Buffer): void {
    this[which] += c.toString();
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves once stdout has `count` lines matching `pattern`. */
  async lines(pattern: RegExp, count = 1, timeoutMs = 20_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.out.split('\n').filter((l) => pattern.test(l));
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`no ${count} × ${pattern} in the firmware's output:\n${this.out}\nstderr:\n${this.err}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }
}

/** `mvdevice control PATH COMMAND…` (the CLI client): its answer line and exit code. */
function control(path: string, command: string): { answer: string; code: number | null } {
  const r = spawnSync(process.execPath, [MVDEVICE, 'control', path, ...command.split(' ')], { encoding: 'utf8' });
  return { answer: r.stdout.trim(), code: r.status };
}

/** Processes whose command line names `path` (firmware left behind). */
function processesRunning(path: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0] === path) pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

describeWithTools(['cmake', 'gcc', 'mosquitto'], 'host firmware: run-time controls', () => {
  let dir: string;
  let firmware: string;
  let broker: MosquittoHarness;
  let subscriber: mqtt.MqttClient;
  const received: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mvmqtt-control-'));
    const source = fileURLToPath(new URL('./fixtures/host-control', import.meta.url));
    const configure = spawnSync('cmake', ['-S', source, '-B', dir, `-DCMAKE_PREFIX_PATH=${join(PACKAGES, 'c-headers')}`], { encoding: 'utf8' });
    if (configure.status !== 0) throw new Error(`cmake configure failed:\n${configure.stdout}${configure.stderr}`);
    const build = spawnSync('cmake', ['--build', dir, '-j2'], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
    firmware = join(dir, 'host_control');
    broker = await startMosquitto();
    subscriber = await mqtt.connectAsync(broker.url, { clientId: 'control-watcher', reconnectPeriod: 0 });
    subscriber.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`));
    await subscriber.subscribeAsync('#', { qos: 1 });
  }, 180_000);

  afterAll(async () => {
    await subscriber?.endAsync();
    await broker?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('mvdevice run --control: broker outage and network loss while it runs; the firmware rides them out; Ctrl-C stops it', { timeout: 90_000 }, async () => {
    const socket = join(dir, 'control.sock');
    const run = new Watched(
      spawn(process.execPath, [MVDEVICE, 'run', '--control', socket, '--timeout', '80', '--', firmware, broker.host, String(broker.port), 'control/up'], { stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    try {
      await run.lines(/^connected 1$/);
      await expect.poll(() => received).toContain('control/up up 1');
      expect(control(socket, 'status')).toEqual({ answer: 'ok: network up, broker up', code: 0 });

      // Broker outage: the session drops and every reconnect is refused until it ends.
      expect(control(socket, 'broker down')).toEqual({ answer: 'ok: network up, broker down', code: 0 });
      await run.lines(/^disconnected$/);
      await run.lines(new RegExp(`^connect failed ${MV_MQTTREQUESTSTATE_SOCKETERROR}$`), 3);
      expect(run.out).not.toMatch(/^connected 2$/m);
      expect(received.filter((m) => m.startsWith('control/up'))).toEqual(['control/up up 1']);
      expect(control(socket, 'broker up')).toEqual({ answer: 'ok: network up, broker up', code: 0 });
      await run.lines(/^connected 2$/);
      await expect.poll(() => received).toContain('control/up up 2');

      // Network loss: the channel closes with NETWORKDISCONNECTED; after recovery the firmware connects again.
      expect(control(socket, 'network down')).toEqual({ answer: 'ok: network down, broker up', code: 0 });
      await run.lines(/^network down$/);
      await run.lines(new RegExp(`^closed ${MV_CLOSUREREASON_NETWORKDISCONNECTED}$`));
      expect(control(socket, 'network up').code).toBe(0);
      await run.lines(/^network up$/);
      await run.lines(/^connected 3$/);
      await expect.poll(() => received).toContain('control/up up 3');

      expect(control(socket, 'reboot')).toEqual({ answer: 'error: unknown command "reboot" (try "help")', code: 1 });
      expect(run.err).toMatch(/control "broker down": ok: network up, broker down/);
    } finally {
      run.child.kill('SIGINT');
    }
    const end = await run.exited;
    expect(end.code).toBe(130);
    expect(run.err).toMatch(/firmware stopped \(SIGINT\)/);
    expect(run.err).not.toMatch(/crashed/);
    expect(existsSync(socket)).toBe(false);
  });

  it('Ctrl-C (SIGINT to the process group) during mvdevice fleet with C firmware stops every firmware process and is nobody\'s error', { timeout: 90_000 }, async () => {
    const before = received.length;
    const fleet = new Watched(
      spawn(process.execPath, [MVDEVICE, 'fleet', '--count', '3', '--shards', '1', '--broker', broker.url, '--protocol', '5', '--duration', '0', '--firmware', firmware, '--json', '--quiet'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group, as a shell gives a foreground job
      }),
    );
    try {
      // Every device's firmware connected and published its first message.
      await expect.poll(() => received.slice(before).filter((m) => m.endsWith(' up 1')).length, { timeout: 30_000 }).toBe(3);
      expect(processesRunning(firmware)).toHaveLength(3);
      process.kill(-fleet.child.pid!, 'SIGINT');
      const end = await fleet.exited;
      expect(end.code).toBe(0);
    } finally {
      if (fleet.child.exitCode === null) process.kill(-fleet.child.pid!, 'SIGKILL');
    }
    const report = JSON.parse(fleet.out);
    expect(report).toMatchObject({ devices: 3, connected: 3, failed: 0, device_errors: 0, interrupted: true });
    expect(processesRunning(firmware)).toEqual([]);
  });
});
