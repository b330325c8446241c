/**
 * The FreeRTOS + CMSIS-RTOS2 + STM32U5 HAL example (packages/c-headers/examples/host_freertos),
 * built with mvmqtt_add_host_firmware against ../shared/third_party and run against mosquitto
 * with mutual TLS (certificates made at test time). Another client watches its readings and
 * sends it commands; a simulated network loss must be survived.
 */
import { spawnSync } from 'node:child_process';
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
import { runFirmware, type RunningFirmware, type RunResult } from '../src/host/runner.js';

const C_HEADERS = fileURLToPath(new URL('../../c-headers', import.meta.url));

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
    }, 180_000);
    afterAll(async () => {
      await broker?.close();
      certs?.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('publishes readings, acts on commands, survives network loss and stops on command', async () => {
      const id = 'fw-rtos';
      const watcher = await mqtt.connectAsync({ host: broker.host, port: broker.port, protocolVersion: 5, clientId: 'fw-rtos-watcher' });
      const readings: string[] = [];
      watcher.on('message', (topic, payload) => {
        if (topic === `reading/${id}`) readings.push(payload.toString());
      });
      await watcher.subscribeAsync(`reading/${id}`, { qos: 1 });

      let out = '';
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
      let running!: RunningFirmware;
      const started = new Promise<void>((resolve) => setTimeout(resolve, 0));
      const connected = expectLine(/^subscribed to command\/fw-rtos$/m);
      const result: Promise<RunResult> = runFirmware({
        firmware: join(dir, 'build/host_freertos'),
        args: [broker.host, String(broker.tlsPorts[0]), id, join(dir, 'ca.der'), join(dir, 'client.der'), join(dir, 'client.key.der')],
        stdout: 'pipe',
        onStdout: (c) => {
          out += c.toString();
          check();
        },
        log: () => undefined,
        timeoutSeconds: 120,
        onStart: (r) => (running = r),
      });
      await started;
      try {
        await connected;
        expect(out).toContain('(mutual TLS)');
        await expectLine(/^published reading 1$/m);
        // Another client's command changes what the firmware does.
        const faster = expectLine(/^interval now 200 ms$/m);
        await watcher.publishAsync(`command/${id}`, 'interval 200', { qos: 1 });
        await faster;
        const led = expectLine(/^led on$/m);
        await watcher.publishAsync(`command/${id}`, 'led on', { qos: 1 });
        await led;

        // Network loss: the firmware notices, then reconnects and carries on publishing.
        const down = expectLine(/^network down$/m);
        running.device.simulateNetworkLoss();
        await down;
        const back = expectLine(/^subscribed to command\/fw-rtos$/m);
        running.device.restoreNetwork();
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
        const r = await result;
        expect(r.exitCode, out).toBe(0);
        expect(out).toMatch(/^stopped after \d+ readings$/m);
        expect(readings[0]).toBe('{"reading":0}');
      } finally {
        running?.stop();
        await result.catch(() => undefined);
        await watcher.endAsync();
      }
    });
  });
});
