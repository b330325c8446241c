/**
 * Errors a user of MvMqttClient can act on: PEM credentials are converted (the system-call layer
 * keeps the device's DER rules), an EC key or unreadable credentials say what is required, and a
 * topic MQTT does not allow is refused with the reason before anything is sent.
 */
import { generateKeyPairSync } from 'node:crypto';
import { MV_MQTTREQUESTSTATE_INVALIDPARAMETERS, MV_STATUS_INPUTTOOLONG, MV_STATUS_PARAMETERFAULT } from '@mvmqtt/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAedes, startMosquitto, type AedesHarness, type MosquittoHarness } from '../../../test/support/brokers.js';
import { makeTestCerts, type TestCerts } from '../../../test/support/certs.js';
import { describeWithTools } from '../../../test/support/tools.js';
import { Device, MvCredentialError, MvMqttClient, MvRequestError, MvStatusError, reasonCodeName } from '../src/index.js';

const id = () => `e-${Math.random().toString(16).slice(2, 10)}`;

describeWithTools(['mosquitto', 'openssl'], 'MvMqttClient TLS credentials (mosquitto requiring a client certificate)', () => {
  let certs: TestCerts;
  let broker: MosquittoHarness;
  const devices: Device[] = [];
  beforeAll(async () => {
    certs = makeTestCerts();
    broker = await startMosquitto({ tls: [{ certs, requireCertificate: true }] });
  });
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.powerOff()));
    await broker?.close();
    certs?.cleanup();
  });
  const client = () => {
    const d = new Device();
    devices.push(d);
    return new MvMqttClient(d);
  };
  const at = () => ({ host: 'localhost', port: broker.tlsPorts[0], clientId: id() });

  it('takes PEM text and PEM file bytes, converting them to DER and PKCS#8 DER', async () => {
    const c = client();
    await c.connect({ ...at(), tls: { ca: [new TextEncoder().encode(certs.ca.pem)], cert: [certs.client.pem], key: certs.clientKey.pem } });
    expect(await c.publish('tls/pem', 'x', { qos: 1 })).toBe(0);
    await c.close();
  });

  it('still takes DER as Microvisor does', async () => {
    const c = client();
    await c.connect({ ...at(), tls: { ca: [certs.ca.der], cert: [certs.client.der], key: certs.clientKey.pkcs8Der } });
    await c.close();
  });

  it('an EC key: the refusal says DER/PKCS#8 and RSA are required, and how to allow EC', async () => {
    const c = client();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const err = await c.connect({ ...at(), tls: { ca: [certs.ca.pem], cert: [certs.client.pem], key: ec } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MvRequestError);
    expect((err as MvRequestError).requestState).toBe(MV_MQTTREQUESTSTATE_INVALIDPARAMETERS);
    expect((err as Error).message).toMatch(/PKCS#8 DER/);
    expect((err as Error).message).toMatch(/the key is EC, and the device accepts RSA keys only unless it was created with rsaKeysOnly: false/);
    await c.close();
  });

  it('text that is no PEM is refused before any channel is opened', async () => {
    const c = client();
    await expect(c.connect({ ...at(), tls: { ca: ['not a certificate'] } })).rejects.toThrow(MvCredentialError);
    await expect(c.connect({ ...at(), tls: { key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' } })).rejects.toThrow(/tls.key is PEM that node:crypto cannot read/);
    expect(c.connected).toBe(false);
    await c.close();
  });
});

describe('MvMqttClient topic checks (aedes)', () => {
  let broker: AedesHarness;
  let device: Device;
  beforeAll(async () => {
    broker = await startAedes();
    device = new Device();
  });
  afterAll(async () => {
    await device.powerOff();
    await broker.close();
  });

  it('a topic MQTT does not allow is refused with the reason; the session goes on', async () => {
    const c = new MvMqttClient(device);
    await c.connect({ host: broker.host, port: broker.port, clientId: id() });
    const wildcard = await c.publish('a/+', 'x').catch((e: unknown) => e);
    expect(wildcard).toBeInstanceOf(MvStatusError);
    expect((wildcard as MvStatusError).status).toBe(MV_STATUS_PARAMETERFAULT);
    expect((wildcard as Error).message).toBe("mvMqttRequestPublish returned MV_STATUS_PARAMETERFAULT: topic name 'a/+' holds a wildcard (+ or #), which only topic filters may use");
    await expect(c.subscribe(['ok', ''])).rejects.toThrow(/topic filter '' is empty/);
    await expect(c.unsubscribe('a/#/b')).rejects.toThrow(/# other than as the whole last level/);
    const long = await c.publish('t'.repeat(70_000), 'x').catch((e: unknown) => e);
    expect((long as MvStatusError).status).toBe(MV_STATUS_INPUTTOOLONG);
    expect(await c.publish('a/b', 'x', { qos: 1 })).toBe(0);
    await c.close();
  });
});

describe('reason codes in words', () => {
  // Expected names from the MQTT tables (3.1.1 §3.2.2.3, 5.0 §2.4), typed here, not read from the code under test.
  it('names a code by the packet it came in and the protocol version', () => {
    expect(reasonCodeName('connect', 5, 4)).toBe('Not authorized');
    expect(reasonCodeName('connect', 4, 4)).toBe('Bad username or password');
    expect(reasonCodeName('connect', 0x87, 5)).toBe('Not authorized');
    expect(reasonCodeName('connect', 0x86, 5)).toBe('Bad User Name or Password');
    expect(reasonCodeName('subscribe', 1, 5)).toBe('granted QoS 1');
    expect(reasonCodeName('subscribe', 0x80, 4)).toBe('Unspecified error');
    expect(reasonCodeName('subscribe', 0xa2, 5)).toBe('Wildcard Subscriptions not supported');
    expect(reasonCodeName('publish', 0x10, 5)).toBe('No matching subscribers');
    expect(reasonCodeName('publish', 1, 5)).toBe('unknown reason code');
    expect(reasonCodeName('unsubscribe', 0x11, 5)).toBe('No subscription existed');
    expect(reasonCodeName('disconnect', 0x8b, 5)).toBe('Server shutting down');
    expect(reasonCodeName('disconnect', 0, 5)).toBe('normal disconnection');
  });
});
