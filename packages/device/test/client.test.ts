// The high-level async client, on the emulated device, against aedes and mosquitto.
import mqtt from 'mqtt';
import { MV_MQTTREQUESTSTATE_NOTCONNECTED, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, MV_MQTTREQUESTSTATE_SOCKETERROR, MV_STATUS_INVALIDINTERRUPT } from '@mvmqtt/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startAedes, startMosquitto, type AedesHarness, type MosquittoHarness } from '../../../test/support/brokers.js';
import { describeWithTools } from '../../../test/support/tools.js';
import { Device, MvConnectionLostError, MvMqttClient, MvRequestError, MvStatusError, type DisconnectInfo } from '../src/index.js';

const id = () => `c-${Math.random().toString(16).slice(2, 10)}`;
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('MvMqttClient on aedes (MQTT 3.1.1)', () => {
  let broker: AedesHarness;
  const devices: Device[] = [];
  beforeAll(async () => {
    broker = await startAedes({
      authenticate: (_c, username, _p, done) => (username === 'nobody' ? done(Object.assign(new Error('x'), { returnCode: 5 }) as never, false) : done(null, true)),
    });
  });
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.powerOff()));
    await broker.close();
  });
  const device = () => {
    const d = new Device();
    devices.push(d);
    return d;
  };

  it('connects, subscribes, publishes, receives and acknowledges, disconnects', async () => {
    const client = new MvMqttClient(device());
    expect(client.networkConnected).toBe(true);
    await client.connect({ host: broker.host, port: broker.port, clientId: id(), protocolVersion: 4 });
    expect(client.connected).toBe(true);
    expect(await client.subscribe({ 'cmd/a': { qos: 1 }, 'cmd/b': { qos: 0 } })).toEqual([
      { topic: 'cmd/a', reasonCode: 1, reason: 'granted QoS 1', granted: true },
      { topic: 'cmd/b', reasonCode: 0, reason: 'granted QoS 0', granted: true },
    ]);
    expect(await client.publish('data/x', 'reading', { qos: 1 })).toBe(0);
    const other = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    await other.publishAsync('cmd/a', 'go', { qos: 1 });
    await other.publishAsync('cmd/b', 'now', { qos: 0 });
    const got: string[] = [];
    for await (const m of client.messages()) {
      got.push(`${m.topic}=${text(m.payload)}@${m.qos}`);
      m.ack();
      if (got.length === 2) break;
    }
    expect(got).toEqual(['cmd/a=go@1', 'cmd/b=now@0']);
    expect((await client.unsubscribe(['cmd/a', 'cmd/b'])).map((r) => r.reasonCode)).toEqual([0, 0]);
    await client.disconnect();
    expect(client.connected).toBe(false);
    await client.close();
    await other.endAsync();
  });

  it('throws typed errors: refused connect (MvRequestError), socket failure, refused system call (MvStatusError)', async () => {
    const d = device();
    const client = new MvMqttClient(d, { irq: 50 });
    const refused = await client.connect({ host: broker.host, port: broker.port, clientId: id(), protocolVersion: 4, username: 'nobody' }).catch((e) => e);
    expect(refused).toBeInstanceOf(MvRequestError);
    expect(refused.requestState).toBe(MV_MQTTREQUESTSTATE_REQUESTCOMPLETED);
    expect(refused.reasonCode).toBe(5);
    expect(refused.message).toBe('connect refused by the broker: 0x05 (Not authorized)');
    const socket = await client.connect({ host: '127.0.0.1', port: await freePort(), clientId: id() }).catch((e) => e);
    expect(socket).toBeInstanceOf(MvRequestError);
    expect(socket.requestState).toBe(MV_MQTTREQUESTSTATE_SOCKETERROR);
    expect(socket.requestStateName).toBe('MV_MQTTREQUESTSTATE_SOCKETERROR');
    // The same IRQ twice: the second client's mvSetupNotifications is refused.
    let err: unknown;
    try {
      new MvMqttClient(d, { irq: 50 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MvStatusError);
    expect((err as MvStatusError).status).toBe(MV_STATUS_INVALIDINTERRUPT);
    expect((err as MvStatusError).call).toBe('mvSetupNotifications');
    expect((err as MvStatusError).message).toMatch(/IRQ 50 .*already has a notification centre.*\{ irq: 51 \}/);
  });

  it('publishes past the in-flight limit by waiting for responses', async () => {
    const client = new MvMqttClient(device(), { notificationSlots: 64 });
    await client.connect({ host: broker.host, port: broker.port, clientId: id(), protocolVersion: 4 });
    const codes = await Promise.all(Array.from({ length: 100 }, (_, i) => client.publish('bulk', String(i), { qos: i % 2 ? 1 : 0 })));
    expect(codes).toEqual(Array(100).fill(0));
    await client.close();
  });

  it('reports a broker-side disconnect and ends the message iteration', async () => {
    const client = new MvMqttClient(device());
    const clientId = id();
    await client.connect({ host: broker.host, port: broker.port, clientId, protocolVersion: 4 });
    const disconnected = new Promise<DisconnectInfo>((r) => client.once('disconnect', r));
    const iterating = (async () => {
      for await (const _ of client.messages()) void _;
      return 'ended';
    })();
    broker.dropClient(clientId);
    expect(await disconnected).toMatchObject({ cause: 'broker', requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, disconnectCode: 0, requested: false, willReconnect: false });
    expect(await iterating).toBe('ended');
    await expect(client.publish('x', 'y')).rejects.toBeInstanceOf(MvConnectionLostError);
    // The manual path: connect() again, no disconnect() needed first.
    await client.connect({ host: broker.host, port: broker.port, clientId, protocolVersion: 4 });
    expect(client.connected).toBe(true);
    await client.close();
  });

  it('a network loss ends the session; the client reconnects after recovery', async () => {
    const d = device();
    const client = new MvMqttClient(d);
    await client.connect({ host: broker.host, port: broker.port, clientId: id(), protocolVersion: 4 });
    const pending = client.subscribe('never/answered');
    const disconnected = new Promise<DisconnectInfo>((r) => client.once('disconnect', r));
    d.simulateNetworkLoss();
    await expect(pending).rejects.toBeInstanceOf(MvConnectionLostError);
    expect(await disconnected).toMatchObject({ cause: 'network', requested: false });
    expect((await disconnected).error).toBeInstanceOf(MvConnectionLostError);
    expect(client.networkConnected).toBe(false);
    d.restoreNetwork();
    await client.disconnect();
    await client.connect({ host: broker.host, port: broker.port, clientId: id(), protocolVersion: 4 });
    expect((await client.subscribe('after')).map((r) => r.reasonCode)).toEqual([0]);
    await client.close();
  });
});

describeWithTools(['mosquitto'], 'MvMqttClient on mosquitto (MQTT 5)', () => {
  let broker: MosquittoHarness;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('MQTT 5 reason codes and manual acknowledgement across sessions', async () => {
    const d = new Device();
    const client = new MvMqttClient(d);
    const clientId = id();
    const session = { host: broker.host, port: broker.port, clientId, cleanStart: false, protocolVersion: 5 as const };
    await client.connect(session);
    expect(await client.publish('nobody/listens', 'x', { qos: 1 })).toBe(0x10);
    await client.subscribe('jobs/#', { qos: 1 });
    const other = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, protocolVersion: 5 });
    await other.publishAsync('jobs/1', 'work', { qos: 1 });
    const inbox = client.messages();
    const first = (await inbox.next()).value!;
    expect(text(first.payload)).toBe('work');
    await client.disconnect(); // not acknowledged
    await client.connect(session);
    const again = (await client.messages().next()).value!;
    expect(text(again.payload)).toBe('work');
    again.ack();
    await client.close();
    await other.endAsync();
    await d.powerOff();
  });
});
