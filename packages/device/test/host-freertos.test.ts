/**
 * The FreeRTOS + CMSIS-RTOS2 + STM32U5 HAL example (packages/c-headers/examples/host_freertos),
 * built with mvmqtt_add_host_firmware against ../shared/third_party and run as a user runs it,
 * `mvdevice run --config <store> --device-id <id> -- <firmware>`, against mosquitto with mutual
 * TLS. The certificates are made at test time and reach the firmware only through the config
 * store. Another client watches its readings and sends it commands; a simulated network loss
 * (SIGUSR2 to the runner) must be survived.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMosquitto, type MosquittoHarness } from '../../../test/support/brokers.js';
import { makeTestCerts, type TestCerts } from '../../../test/support/certs.js';
import { describeWithShared, sharedPath } from '../../../test/support/shared.js';
import { describeWithTools } from '../../../test/support/tools.js';

const C_HEADERS = fileURLToPath(new URL('../../c-headers', import.meta.url));
const MVDEVICE = fileURLToPath(new URL('../bin/mvdevice.js', import.meta.url));
/** The firmware falls back to the device id as its client id (the store has no `client`). */
const DEVICE_ID = 'UV00112233445566778899aabbccddeeff';

describeWithShared('third_party', 'host firmware: FreeRTOS example', () => {
  describeWithTools(['cmake', 'gcc', 'mosquitto', 'openssl'], 'against mosquitto with mutual TLS', () => {
    let dir: string;
    let certs: TestCerts;
    let broker: MosquittoHarness;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'mvmqtt-host-freertos-'));
      const build = join(dir, 'build');
      for (const args of [
        ['-S', join(C_HEADERS, 'examples/host_freertos'), '-B', build, `-DCMAKE_PREFIX_PATH=${C_HEADERS}`, `-DTHIRD_PARTY=${sharedPath('third_party')}`],
        ['--build', build, '-j2'],
      ]) {
        const r = spawnSync('cmake', args, { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`cmake ${args[0]} failed:\n${r.stdout}${r.stderr}`);
      }
      certs = makeTestCerts();
      writeFileSync(join(dir, 'ca.der'), certs.ca.der);
      writeFileSync(join(dir, 'client.der'), certs.client.der);
      writeFileSync(join(dir, 'client.key.der'), certs.clientKey.pkcs8Der);
      broker = await startMosquitto({ tls: [{ certs, requireCertificate: true }] });
      // The store names the certificate files relative to itself, as a user's would.
      const store = {
        device: {
          config: { 'broker-host': broker.host, 'broker-port': String(broker.tlsPorts[0]) },
          secret: { 'root-CA': { file: 'ca.der' }, cert: { file: 'client.der' }, 'private-key': { file: 'client.key.der' } },
        },
      };
      writeFileSync(join(dir, 'store.json'), JSON.stringify(store, null, 2));
    }, 180_000);
    afterAll(async () => {
      await broker?.close();
      certs?.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('fetches its settings and certificates, publishes readings, acts on commands, survives network loss and stops on command', { timeout: 120_000 }, async () => {
      const id = DEVICE_ID;
      const watcher = await mqtt.connectAsync({ host: broker.host, port: broker.port, protocolVersion: 5, clientId: 'fw-rtos-watcher' });
      const readings: string[] = [];
      watcher.on('message', (topic, payload) => {
        if (topic === `reading/${id}`) readings.push(payload.toString());
      });
      await watcher.subscribeAsync(`reading/${id}`, { qos: 1 });

      let out = '';
      let err = '';
      const waiters: { re: RegExp; from: number; resolve: () => void }[] = [];
      const check = () => {
        for (const w of [...waiters]) if (w.re.test(out.slice(w.from))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      };
      /** Resolves once the firmware has printed a line matching `re` after this point. */
      const expectLine = (re: RegExp) => new Promise<void>((resolve) => {
        waiters.push({ re, from: out.length, resolve });
        check();
      });
      const connected = expectLine(new RegExp(`^subscribed to command/${id}$`, 'm'));
      const runner = spawn(process.execPath, [MVDEVICE, 'run', '--config', join(dir, 'store.json'), '--device-id', id, '--timeout', '120', '--', join(dir, 'build/host_freertos')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      runner.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        check();
      });
      runner.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const exited = new Promise<number | null>((resolve) => runner.on('close', (code) => resolve(code)));
      try {
        await connected;
        expect(out).toContain(`device ${id}`);
        expect(out).toMatch(new RegExp(`^config: broker ${broker.host}:${broker.tlsPorts[0]}, client ${id}, mutual TLS$`, 'm'));
        expect(out).toContain('(mutual TLS)');
        await expectLine(/^published reading 1$/m);
        // Another client's command changes what the firmware does.
        const faster = expectLine(/^interval now 200 ms$/m);
        await watcher.publishAsync(`command/${id}`, 'interval 200', { qos: 1 });
        await faster;
        const led = expectLine(/^led on$/m);
        await watcher.publishAsync(`command/${id}`, 'led on', { qos: 1 });
        await led;

        // Network loss, the documented way: the firmware notices, then reconnects and carries on publishing.
        const down = expectLine(/^network down$/m);
        runner.kill('SIGUSR2');
        await down;
        const back = expectLine(new RegExp(`^subscribed to command/${id}$`, 'm'));
        runner.kill('SIGUSR2');
        await back;
        const before = readings.length;
        await expectLine(/^published reading \d+$/m);
        await new Promise<void>((resolve) => {
          const poll = setInterval(() => {
            if (readings.length > before) {
              clearInterval(poll);
              resolve();
            }
          }, 20);
        });

        await watcher.publishAsync(`command/${id}`, 'stop', { qos: 1 });
        expect(await exited, `${out}${err}`).toBe(0);
        expect(out).toMatch(/^stopped after \d+ readings$/m);
        expect(readings[0]).toBe('{"reading":0}');
        // The same progress reached the server log (mvServerLog), which the runner prints.
        expect(out).toMatch(new RegExp(`^\\[mv-server-log\\] subscribed to command/${id}$`, 'm'));
        expect(err).toContain('network lost (simulated)');
        expect(err).toContain('network restored');
      } finally {
        runner.kill('SIGTERM');
        await exited;
        await watcher.endAsync();
      }
    });

    it('runs as a fleet (plain MQTT): each firmware process fetches its broker, client id and topics from its own device\'s store', { timeout: 120_000 }, async () => {
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [MVDEVICE, 'fleet', '--count', '2', '--shards', '1', '--broker', broker.url, '--protocol', '5', '--duration', '4', '--firmware', join(dir, 'build/host_freertos'), '--json', '--quiet'],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c));
        child.stderr.on('data', (c: Buffer) => (stderr += c));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(run.code, `${run.stdout}${run.stderr}`).toBe(0);
      const r = JSON.parse(run.stdout) as Record<string, number>;
      expect(r).toMatchObject({ devices: 2, connected: 2, failed: 0, refused: 0, device_errors: 0, lost: 0 });
      // A reading every 2 s on the fleet's uplink topics: the fleet's subscriber saw them (unstamped).
      expect(r.published).toBeGreaterThanOrEqual(2);
      expect(r.unstamped).toBeGreaterThanOrEqual(r.published);
    });
  });
});
