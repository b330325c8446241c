// The command-line entry points of the inspector: `npm start -- --inspect[=PORT]` and
// `mvdevice run --inspect[=PORT]` refuse a bad port with one line, and never hang on exit;
// `mvdevice run --inspect` serves a host build of C firmware's calls, state and controls.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MV_STATUS_OKAY } from '@mvmqtt/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithTools } from '../../../test/support/tools.js';
import { openEventStream } from './support/event-stream.js';

const REPO = resolve(import.meta.dirname, '../../..');
const MVDEVICE = join(REPO, 'packages/device/bin/mvdevice.js');
const START = join(REPO, 'scripts/start.mjs');
const run = (args: string[]) => spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });

describe('--inspect on the command lines', () => {
  it('npm start refuses a port that is not one, with the usage', () => {
    const r = run([START, '--inspect=99999']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--inspect=99999: a port number (0-65535) is needed');
    expect(r.stderr).toContain('[--inspect[=PORT]]');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('mvdevice run refuses a port that is not one', () => {
    const r = run([MVDEVICE, 'run', '--inspect=web', '--', 'firmware']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--inspect=web: a port number (0-65535) is needed');
  });

  it('mvdevice run --inspect exits (its server closed) when the firmware cannot start', () => {
    const r = run([MVDEVICE, 'run', '--inspect', '--', join(REPO, 'no-such-firmware')]);
    expect(r.signal).toBeNull(); // not killed by the timeout: nothing kept the process alive
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot start firmware');
  });
});

describeWithTools(['cmake', 'gcc'], 'mvdevice run --inspect with a host build of C firmware', () => {
  let dir: string;
  beforeAll(() => {
    // The device package's probe: it sets up a centre, requests the network, then spins on
    // mvGetNetworkStatus until the network is lost, and takes the interrupt that brings.
    dir = mkdtempSync(join(tmpdir(), 'mvmqtt-inspect-probe-'));
    const source = join(REPO, 'packages/device/test/fixtures/host-probe');
    for (const args of [['-S', source, '-B', dir, `-DCMAKE_PREFIX_PATH=${join(REPO, 'packages/c-headers')}`], ['--build', dir, '-j2']]) {
      const r = spawnSync('cmake', args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`cmake ${args[0]} failed:\n${r.stdout}${r.stderr}`);
    }
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the firmware\'s calls live and its state, and the page\'s network control reaches it', async () => {
    const child = spawn(process.execPath, [MVDEVICE, 'run', '--inspect', '--', join(dir, 'host_probe')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    try {
      const until = async (what: () => boolean, name: string) => {
        const deadline = Date.now() + 30_000;
        while (!what()) {
          if (child.exitCode !== null || Date.now() > deadline) throw new Error(`never saw ${name}; stdout:\n${stdout}\nstderr:\n${stderr}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await until(() => /^inspector: http:\/\/127\.0\.0\.1:\d+\/$/m.test(stderr), 'the inspector address');
      const url = /^inspector: (\S+)$/m.exec(stderr)![1];
      // The firmware now spins on mvGetNetworkStatus, waiting for the network to go.
      await until(() => stdout.includes('waiting_for_network_loss 1'), 'the firmware waiting');
      const [device] = (await (await fetch(new URL('/api/devices', url))).json()) as { id: string; name: string }[];
      expect(device.name).toBe('host_probe');

      const stream = await openEventStream(new URL(`/events?device=${device.id}`, url));
      await stream.until(/"name":"mvGetNetworkStatus"[^}]*"statusName":"MV_STATUS_OKAY"/);
      await stream.close();
      const state = (await (await fetch(new URL(`/api/devices/${device.id}/state`, url))).json()) as { networkUp: boolean; networkRequests: string[]; centres: { irq: number; slots: unknown[]; irqEnabled: boolean }[] };
      expect(state.networkUp).toBe(true);
      expect(state.networkRequests).toHaveLength(1);
      expect(state.centres).toMatchObject([{ irq: 43 }]);
      expect(state.centres[0].slots).toHaveLength(8);

      // The page's "Lose network": the firmware sees the status change, takes its interrupt and ends.
      const res = await fetch(new URL(`/api/devices/${device.id}/network-down`, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(200);
      expect(await exited).toBe(0);
      expect(stdout).toContain('handler_calls 1');
      expect(stdout).toContain(`close ${MV_STATUS_OKAY}`);
    } finally {
      child.kill();
    }
  });
});
