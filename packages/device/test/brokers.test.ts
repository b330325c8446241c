// The shared broker harnesses (test/support/brokers.ts) and test certificates (test/support/certs.ts).
import { existsSync } from 'node:fs';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startAedes, startMosquitto, waitForPort } from '../../../test/support/brokers.js';
import { makeTestCerts } from '../../../test/support/certs.js';
import { describeWithTools } from '../../../test/support/tools.js';

describe('startAedes', () => {
  it('listens on a free loopback port, restarts on the same port, and closes', async () => {
    const b = await startAedes();
    expect(b.url).toBe(`mqtt://127.0.0.1:${b.port}`);
    const c = await mqtt.connectAsync(b.url, { reconnectPeriod: 0 });
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    await b.restart();
    await closed; // clients are dropped by the restart
    const c2 = await mqtt.connectAsync(b.url, { reconnectPeriod: 0 });
    await c2.endAsync();
    await b.close();
    await expect(mqtt.connectAsync(b.url, { reconnectPeriod: 0, connectTimeout: 500 })).rejects.toThrow();
  });
});

describeWithTools(['mosquitto', 'openssl'], 'startMosquitto', () => {
  it('runs with a password file and TLS listeners, restarts on the same ports, and always stops', async () => {
    const certs = makeTestCerts();
    expect(certs.ca.der[0]).toBe(0x30); // DER: an ASN.1 SEQUENCE
    expect(certs.clientKey.pkcs8Der[0]).toBe(0x30);
    const b = await startMosquitto({ users: { u: 'p' }, tls: [{ certs }] });
    try {
      await expect(mqtt.connectAsync(b.url, { reconnectPeriod: 0, username: 'u', password: 'wrong' })).rejects.toThrow();
      const c = await mqtt.connectAsync(b.url, { reconnectPeriod: 0, username: 'u', password: 'p', protocolVersion: 5 });
      await c.endAsync();
      const t = await mqtt.connectAsync(`mqtts://localhost:${b.tlsPorts[0]}`, { reconnectPeriod: 0, username: 'u', password: 'p', ca: certs.ca.pem });
      await t.endAsync();
      await b.restart();
      await waitForPort(b.port);
      const again = await mqtt.connectAsync(b.url, { reconnectPeriod: 0, username: 'u', password: 'p' });
      await again.endAsync();
    } finally {
      await b.close();
      certs.cleanup();
    }
    expect(existsSync(b.dir)).toBe(false);
    expect(existsSync(certs.dir)).toBe(false);
    await expect(mqtt.connectAsync(b.url, { reconnectPeriod: 0, connectTimeout: 500 })).rejects.toThrow();
  });
});
