// TLS and credentials against mosquitto's TLS listeners, with certificates made by openssl for this run.
import { generateKeyPairSync } from 'node:crypto';
import {
  LIMITS,
  MV_MQTTREQUESTSTATE_CERTIFICATEEXPIRED,
  MV_MQTTREQUESTSTATE_INVALIDPARAMETERS,
  MV_MQTTREQUESTSTATE_NXDOMAIN,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
  MV_MQTTREQUESTSTATE_SOCKETERROR,
  MV_MQTTREQUESTSTATE_UNKNOWNCA,
  MV_STATUS_INVALIDAUTHENTICATION,
  MV_STATUS_REQUIREDELEMENTMISSING,
  MV_STATUS_TOOMANYELEMENTS,
} from '@mvmqtt/sdk';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startMosquitto, type MosquittoHarness } from '../../../test/support/brokers.js';
import { makeTestCerts, type TestCerts } from '../../../test/support/certs.js';
import { describeWithTools } from '../../../test/support/tools.js';
import { derCertificateToPem, pkcs8DerKeyToPem } from '../src/mqtt/tls.js';
import type { Device } from '../src/index.js';
import { connectRequest, connected, expectOk, expectStatus, nextItem, openMqtt, subscribed, subscription, tlsCredentials, deviceFixture } from './helpers.js';

const { setup, id } = deviceFixture();

describeWithTools(['openssl'], 'DER credentials for Node', () => {
  let certs: TestCerts;
  beforeAll(() => {
    certs = makeTestCerts();
  });
  afterAll(() => certs?.cleanup());

  it('converts DER certificates and PKCS#8 DER keys to the PEM Node wants', () => {
    const pem = derCertificateToPem(certs.ca.der, 'cacert', 0);
    expect(pem).toContain('-----BEGIN CERTIFICATE-----');
    expect(new X509Certificate(pem).fingerprint256).toBe(new X509Certificate(certs.ca.pem).fingerprint256);
    const key = pkcs8DerKeyToPem(certs.clientKey.pkcs8Der, true);
    expect(key).toContain('-----BEGIN PRIVATE KEY-----');
    expect(createPrivateKey(key).asymmetricKeyType).toBe('rsa');
  });

  it('names what was unusable', () => {
    expect(() => derCertificateToPem(new Uint8Array([1, 2, 3]), 'clientcert', 2)).toThrow(/clientcert\[2\]/);
    expect(() => derCertificateToPem(new TextEncoder().encode(certs.ca.pem), 'cacert', 0)).toThrow(/PEM/);
    expect(() => pkcs8DerKeyToPem(new TextEncoder().encode(certs.clientKey.pem), true)).toThrow(/PEM/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(() => pkcs8DerKeyToPem(new Uint8Array(ec), true)).toThrow(/RSA/);
    expect(pkcs8DerKeyToPem(new Uint8Array(ec), false)).toContain('PRIVATE KEY');
  });
});

describeWithTools(['mosquitto', 'openssl'], 'TLS connections (mosquitto)', () => {
  let certs: TestCerts;
  let broker: MosquittoHarness;
  /** tlsPorts[0]: server certificate from the test CA; [1]: expired certificate; [2]: client certificate required. */
  let tlsPort: number;
  let expiredPort: number;
  let mutualPort: number;

  beforeAll(async () => {
    certs = makeTestCerts();
    broker = await startMosquitto({
      users: { device: 'pw' },
      tls: [{ certs }, { certs, serverCert: 'expired' }, { certs, requireCertificate: true }],
    });
    [tlsPort, expiredPort, mutualPort] = broker.tlsPorts;
  });
  afterAll(async () => {
    await broker?.close();
    certs?.cleanup();
  });

  const ca = () => tlsCredentials([certs.ca.der]);
  const withClientCert = () => tlsCredentials([certs.ca.der], { certs: [certs.client.der], key: certs.clientKey.pkcs8Der });

  async function connectResponse(device: Device, ch: ReturnType<typeof openMqtt>) {
    const item = await nextItem(device, ch);
    if (item.type !== 'connect') throw new Error(`expected a connect response, got ${item.type}`);
    return { requestState: item.requestState, reasonCode: item.reasonCode };
  }

  it('connects over TLS with the CA chain, MQTT 5 and 3.1.1, with username and password', async () => {
    for (const v5 of [true, false]) {
      const { device, center, network } = setup();
      const ch = await connected(device, center, network, { host: 'localhost', port: tlsPort, v5, clientId: id(), username: 'device', password: 'pw', tls: ca() });
      expect(await subscribed(device, ch, [subscription('tls/x', 1)])).toEqual([1]);
    }
  });

  it('mutual TLS on a broker with a password file: the certificate is accepted, the anonymous login is not', async () => {
    const { device, center, network } = setup();
    // The password file applies to every listener; the client certificate is what this listener adds.
    const ch = openMqtt(device, center, network);
    expectOk(device.mvMqttRequestConnect(ch, connectRequest({ host: '127.0.0.1', port: mutualPort, v5: true, clientId: id(), tls: withClientCert() })));
    const r = await connectResponse(device, ch);
    // Authenticated by certificate, but anonymous for the password check: the broker refuses at CONNACK.
    expect(r.requestState).toBe(MV_MQTTREQUESTSTATE_REQUESTCOMPLETED);
    expect(r.reasonCode).toBeGreaterThanOrEqual(0x80);
  });

  it('without the required client certificate the TLS handshake fails: SOCKETERROR', async () => {
    const { device, center, network } = setup();
    const ch = openMqtt(device, center, network);
    expectOk(device.mvMqttRequestConnect(ch, connectRequest({ host: '127.0.0.1', port: mutualPort, v5: true, clientId: id(), username: 'device', password: 'pw', tls: ca() })));
    expect(await connectResponse(device, ch)).toEqual({ requestState: MV_MQTTREQUESTSTATE_SOCKETERROR, reasonCode: 0 });
  });

  it('a server certificate from an unknown CA: UNKNOWNCA (with a wrong CA, and with the bundled roots)', async () => {
    const { device, center, network } = setup();
    const wrong = openMqtt(device, center, network, 1);
    expectOk(device.mvMqttRequestConnect(wrong, connectRequest({ host: 'localhost', port: tlsPort, clientId: id(), tls: tlsCredentials([certs.otherCa.der]) })));
    expect(await connectResponse(device, wrong)).toEqual({ requestState: MV_MQTTREQUESTSTATE_UNKNOWNCA, reasonCode: 0 });
    const bundled = openMqtt(device, center, network, 2);
    expectOk(device.mvMqttRequestConnect(bundled, connectRequest({ host: 'localhost', port: tlsPort, clientId: id(), tls: tlsCredentials([]) })));
    expect(await connectResponse(device, bundled)).toEqual({ requestState: MV_MQTTREQUESTSTATE_UNKNOWNCA, reasonCode: 0 });
  });

  it('alwaysTls: TLS without credentials verifies against the bundled roots', async () => {
    const { device, center, network } = setup({ alwaysTls: true });
    const ch = openMqtt(device, center, network);
    expectOk(device.mvMqttRequestConnect(ch, connectRequest({ host: 'localhost', port: tlsPort, clientId: id() })));
    expect(await connectResponse(device, ch)).toEqual({ requestState: MV_MQTTREQUESTSTATE_UNKNOWNCA, reasonCode: 0 });
  });

  it('an expired server certificate: CERTIFICATEEXPIRED', async () => {
    const { device, center, network } = setup();
    const ch = openMqtt(device, center, network);
    expectOk(device.mvMqttRequestConnect(ch, connectRequest({ host: 'localhost', port: expiredPort, clientId: id(), tls: ca() })));
    expect(await connectResponse(device, ch)).toEqual({ requestState: MV_MQTTREQUESTSTATE_CERTIFICATEEXPIRED, reasonCode: 0 });
  });

  it('an unresolvable host: NXDOMAIN; a refused port: SOCKETERROR', async () => {
    const { device, center, network } = setup();
    const nx = openMqtt(device, center, network, 1);
    expectOk(device.mvMqttRequestConnect(nx, connectRequest({ host: 'nonexistent.invalid', port: tlsPort, clientId: id(), tls: ca() })));
    expect(await connectResponse(device, nx)).toEqual({ requestState: MV_MQTTREQUESTSTATE_NXDOMAIN, reasonCode: 0 });
    const refused = openMqtt(device, center, network, 2);
    expectOk(device.mvMqttRequestConnect(refused, connectRequest({ host: '127.0.0.1', port: await freePort(), clientId: id(), tls: ca() })));
    expect(await connectResponse(device, refused)).toEqual({ requestState: MV_MQTTREQUESTSTATE_SOCKETERROR, reasonCode: 0 });
  });

  it('credential rules: username/password with a client key, too many certificates, a certificate without its key', () => {
    const { device, center, network } = setup();
    const ch = openMqtt(device, center, network);
    expectStatus(
      device.mvMqttRequestConnect(ch, connectRequest({ host: 'localhost', port: tlsPort, clientId: id(), username: 'device', password: 'pw', tls: withClientCert() })),
      MV_STATUS_INVALIDAUTHENTICATION,
    );
    const tooMany = Array(LIMITS.TLS_CERTIFICATES_PER_CHAIN_MAX.value + 1).fill(certs.ca.der);
    expectStatus(device.mvMqttRequestConnect(ch, connectRequest({ host: 'localhost', port: tlsPort, clientId: id(), tls: tlsCredentials(tooMany) })), MV_STATUS_TOOMANYELEMENTS, 'CA chain');
    expectStatus(
      device.mvMqttRequestConnect(ch, connectRequest({ host: 'localhost', port: tlsPort, clientId: id(), tls: tlsCredentials([certs.ca.der], { certs: tooMany, key: certs.clientKey.pkcs8Der }) })),
      MV_STATUS_TOOMANYELEMENTS,
      'client chain',
    );
    const noKey = withClientCert();
    noKey.clientcert.key = { data: null, length: 0 };
    expectStatus(device.mvMqttRequestConnect(ch, connectRequest({ host: 'localhost', port: tlsPort, clientId: id(), tls: noKey })), MV_STATUS_REQUIREDELEMENTMISSING);
    // The limit itself is allowed.
    const eight = Array(LIMITS.TLS_CERTIFICATES_PER_CHAIN_MAX.value).fill(certs.ca.der);
    expectOk(device.mvMqttRequestConnect(ch, connectRequest({ host: 'localhost', port: tlsPort, clientId: id(), username: 'device', password: 'pw', tls: tlsCredentials(eight) })));
  });

  it('PEM instead of DER, or a non-RSA key: the connect response says INVALIDPARAMETERS', async () => {
    const { device, center, network } = setup();
    const junk = openMqtt(device, center, network, 1);
    expectOk(device.mvMqttRequestConnect(junk, connectRequest({ host: 'localhost', port: tlsPort, clientId: id(), tls: tlsCredentials([new TextEncoder().encode(certs.ca.pem)]) })));
    expect(await connectResponse(device, junk)).toEqual({ requestState: MV_MQTTREQUESTSTATE_INVALIDPARAMETERS, reasonCode: 0 });
    const ec = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' }));
    const ecKey = openMqtt(device, center, network, 2);
    expectOk(device.mvMqttRequestConnect(ecKey, connectRequest({ host: 'localhost', port: mutualPort, clientId: id(), tls: tlsCredentials([certs.ca.der], { certs: [certs.client.der], key: ec }) })));
    expect(await connectResponse(device, ecKey)).toEqual({ requestState: MV_MQTTREQUESTSTATE_INVALIDPARAMETERS, reasonCode: 0 });
  });
});

describeWithTools(['mosquitto', 'openssl'], 'mutual TLS without a password file (mosquitto)', () => {
  let certs: TestCerts;
  let broker: MosquittoHarness;
  beforeAll(async () => {
    certs = makeTestCerts();
    broker = await startMosquitto({ tls: [{ certs, requireCertificate: true }] });
  });
  afterAll(async () => {
    await broker?.close();
    certs?.cleanup();
  });

  it('connects with a DER client certificate and PKCS#8 DER key, and exchanges messages', async () => {
    const { device, center, network } = setup();
    const tls = tlsCredentials([certs.ca.der], { certs: [certs.client.der], key: certs.clientKey.pkcs8Der });
    const ch = await connected(device, center, network, { host: 'localhost', port: broker.tlsPorts[0], v5: true, clientId: id(), tls });
    await subscribed(device, ch, [subscription('mtls/echo')]);
    expectOk(device.mvMqttRequestPublish(ch, { correlation_id: 1, topic: { data: 'mtls/echo', length: 9 }, payload: { data: 'hi', length: 2 }, desired_qos: 1, retain: 0 }));
    const items = [await nextItem(device, ch), await nextItem(device, ch)];
    expect(items.map((i) => i.type).sort()).toEqual(['message', 'publish']);
  });
});
