/**
 * MvMqttClient when sessions end: mosquitto killed and restarted (automatic reconnection with
 * backoff and resubscription; the manual path), several message consumers, a partly refused
 * subscribe (aedes: mosquitto 2.0 grants subscriptions its ACL denies), and a network loss.
 */
import { once } from 'node:events';
import mqtt from 'mqtt';
import { MV_MQTTREQUESTSTATE_NOTCONNECTED } from '@mvmqtt/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAedes, startMosquitto, type AedesHarness, type MosquittoHarness } from '../../../test/support/brokers.js';
import { describeWithTools } from '../../../test/support/tools.js';
import {
  Device,
  MvConnectionLostError,
  MvMqttClient,
  MvSubscribeError,
  type DisconnectInfo,
  type ReceivedMessage,
  type ReconnectedInfo,
  type ReconnectingInfo,
} from '../src/index.js';

const id = () => `s-${Math.random().toString(16).slice(2, 10)}`;
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Reads an iterator into `into` until it ends; resolves with what it got. */
async function drain(messages: AsyncIterable<ReceivedMessage>, into: string[]): Promise<string[]> {
  for await (const m of messages) into.push(`${m.topic}=${text(m.payload)}`);
  return into;
}

/** Resolves when `list` has at least `n` entries (it is filled by an event listener or a consumer). */
async function until(device: Device, what: string, ready: () => boolean): Promise<void> {
  await device.waitFor(ready, 20_000, what);
}

describeWithTools(['mosquitto'], 'MvMqttClient, mosquitto killed and restarted', () => {
  let broker: MosquittoHarness;
  const devices: Device[] = [];
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.powerOff()));
    await broker?.close();
  });
  const device = () => {
    const d = new Device();
    devices.push(d);
    return d;
  };
  const peerPublish = async (topic: string, payload: string) => {
    const peer = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    await peer.publishAsync(topic, payload, { qos: 1 });
    await peer.endAsync();
  };

  it('reconnects by itself with a doubling wait, subscribes again, and its iterators keep going', async () => {
    const d = device();
    const client = new MvMqttClient(d);
    const disconnects: DisconnectInfo[] = [];
    const attempts: ReconnectingInfo[] = [];
    client.on('disconnect', (i) => disconnects.push(i));
    client.on('reconnecting', (i) => attempts.push(i));
    await client.connect({ host: broker.host, port: broker.port, clientId: id(), protocolVersion: 5, reconnect: { initialDelayMs: 20, maxDelayMs: 80 } });
    await client.subscribe(['sens/a', 'sens/b'], { qos: 1 });
    const first: string[] = [];
    const second: string[] = [];
    const consumers = [drain(client.messages(), first), drain(client.messages(), second)];
    await peerPublish('sens/a', 'before');
    await until(d, 'both consumers to get the first message', () => first.length === 1 && second.length === 1);

    await broker.stop();
    await until(d, 'the disconnect event', () => disconnects.length === 1);
    expect(disconnects[0]).toMatchObject({ cause: 'broker', requested: false, requestState: MV_MQTTREQUESTSTATE_NOTCONNECTED, willReconnect: true });
    expect(disconnects[0].error).toBeInstanceOf(MvConnectionLostError);
    expect(client.connected).toBe(false);
    await expect(client.publish('sens/x', 'while down')).rejects.toBeInstanceOf(MvConnectionLostError);
    await until(d, 'a few failed attempts', () => attempts.length >= 4);
    // The wait doubles from initialDelayMs up to maxDelayMs; each attempt after the first carries the previous failure.
    expect(attempts.slice(0, 4).map((a) => a.delayMs)).toEqual([20, 40, 80, 80]);
    expect(attempts[1].error).toBeInstanceOf(Error);

    const reconnected = once(client, 'reconnect') as Promise<[ReconnectedInfo]>;
    await broker.restart();
    const [info] = await reconnected;
    expect(info.resubscribed.map((r) => [r.topic, r.granted])).toEqual([
      ['sens/a', true],
      ['sens/b', true],
    ]);
    expect(client.connected).toBe(true);
    await peerPublish('sens/b', 'after');
    await until(d, 'both consumers to get the message after the restart', () => first.length === 2 && second.length === 2);
    expect(first).toEqual(['sens/a=before', 'sens/b=after']);
    expect(second).toEqual(first);

    await client.disconnect();
    expect(await Promise.all(consumers)).toEqual([first, second]); // both iterations ended
    expect(disconnects.map((i) => i.cause)).toEqual(['broker', 'application']);
    await client.close();
  });

  it('without reconnect: the session ends, every iterator ends, and connect() again is the manual path', async () => {
    const d = device();
    const client = new MvMqttClient(d);
    const options = { host: broker.host, port: broker.port, clientId: id() };
    await client.connect(options);
    await client.subscribe('manual/#');
    const consumers = [drain(client.messages(), []), drain(client.messages(), [])];
    const disconnected = once(client, 'disconnect') as Promise<[DisconnectInfo]>;
    await broker.stop();
    const [info] = await disconnected;
    expect(info).toMatchObject({ cause: 'broker', requested: false, willReconnect: false });
    expect(await Promise.all(consumers)).toEqual([[], []]);
    expect(client.connected).toBe(false);
    await expect(client.subscribe('x')).rejects.toBeInstanceOf(MvConnectionLostError);
    await broker.restart();
    await client.connect(options); // no "already connected"
    await client.subscribe('manual/#');
    const got: string[] = [];
    const consumer = drain(client.messages(), got);
    await peerPublish('manual/1', 'hello');
    await until(d, 'the message on the new session', () => got.length === 1);
    await client.close();
    expect(await consumer).toEqual(['manual/1=hello']);
  });

  it('several consumers: each gets every message; break leaves the others; close ends the rest', async () => {
    const d = device();
    const client = new MvMqttClient(d);
    await client.connect({ host: broker.host, port: broker.port, clientId: id() });
    await client.subscribe('multi/#');
    const events: string[] = [];
    client.on('message', (m) => events.push(`${m.topic}=${text(m.payload)}`));
    const stays: string[] = [];
    const staying = drain(client.messages(), stays);
    const leaves: string[] = [];
    const leaving = (async () => {
      for await (const m of client.messages()) {
        leaves.push(`${m.topic}=${text(m.payload)}`);
        break;
      }
    })();
    await peerPublish('multi/1', 'a');
    await leaving;
    await peerPublish('multi/2', 'b');
    await until(d, 'the staying consumer to get both', () => stays.length === 2);
    expect(leaves).toEqual(['multi/1=a']);
    expect(stays).toEqual(['multi/1=a', 'multi/2=b']);
    expect(events).toEqual(stays);
    await client.close();
    expect(await staying).toEqual(stays);
    const after = await client.messages().next();
    expect(after.done).toBe(true);
  });
});

describe('MvMqttClient on aedes: partial subscribe, broker restart, network loss', () => {
  let broker: AedesHarness;
  const devices: Device[] = [];
  beforeAll(async () => {
    // Subscriptions under secret/ are refused (SUBACK 0x80); the others are granted.
    broker = await startAedes({ authorizeSubscribe: (_c, sub, done) => (sub.topic.startsWith('secret/') ? done(null, null) : done(null, sub)) });
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

  it('a partly refused subscribe names the refused topic and its code; the granted ones are live and renewed after a restart', async () => {
    const d = device();
    const client = new MvMqttClient(d);
    await client.connect({ host: broker.host, port: broker.port, clientId: id(), reconnect: { initialDelayMs: 20 } });
    const err = await client.subscribe(['open/a', 'secret/x', 'open/b']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MvSubscribeError);
    const refusal = err as MvSubscribeError;
    expect(refusal.refused).toEqual([{ topic: 'secret/x', reasonCode: 0x80, reason: 'Unspecified error', granted: false }]);
    expect(refusal.reasonCode).toBe(0x80);
    expect(refusal.message).toBe("subscribe refused for 'secret/x' (0x80 (Unspecified error)); granted: 'open/a' (granted QoS 0), 'open/b' (granted QoS 0)");
    expect(refusal.results.map((r) => r.granted)).toEqual([true, false, true]);

    const reconnected = once(client, 'reconnect') as Promise<[ReconnectedInfo]>;
    await broker.restart();
    const [info] = await reconnected;
    expect(info.resubscribed.map((r) => r.topic)).toEqual(['open/a', 'open/b']);
    const got: string[] = [];
    const consumer = drain(client.messages(), got);
    const peer = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    await peer.publishAsync('open/b', 'live', { qos: 1 });
    await until(d, 'the message on a renewed subscription', () => got.length === 1);
    await peer.endAsync();
    await client.close();
    expect(await consumer).toEqual(['open/b=live']);
  });

  it('the broker going away is one error class: a request waiting for its answer and one made afterwards', async () => {
    const d = device();
    const client = new MvMqttClient(d);
    const clientId = id();
    await client.connect({ host: broker.host, port: broker.port, clientId });
    // aedes never answers publishes to hold/ (the authorization callback is never called): the request stays in flight.
    broker.broker.authorizePublish = (_c, packet, done) => (packet.topic.startsWith('hold/') ? undefined : done(null));
    const waiting = client.publish('hold/1', 'x', { qos: 1 });
    broker.dropClient(clientId);
    await expect(waiting).rejects.toBeInstanceOf(MvConnectionLostError);
    await expect(client.publish('after', 'x', { qos: 1 })).rejects.toBeInstanceOf(MvConnectionLostError);
    await client.close();
  });

  it('a network loss is a disconnect event with its cause; the client reconnects once the network is back', async () => {
    const d = device();
    const client = new MvMqttClient(d);
    const attempts: ReconnectingInfo[] = [];
    client.on('reconnecting', (i) => attempts.push(i));
    await client.connect({ host: broker.host, port: broker.port, clientId: id(), reconnect: { initialDelayMs: 10, maxDelayMs: 20 } });
    await client.subscribe('net/x');
    const disconnected = once(client, 'disconnect') as Promise<[DisconnectInfo]>;
    d.simulateNetworkLoss();
    const [info] = await disconnected;
    expect(info).toMatchObject({ cause: 'network', requested: false, willReconnect: true });
    await until(d, 'attempts failing while the network is down', () => attempts.length >= 3);
    expect(attempts[2].error?.message).toMatch(/NETWORKNOTCONNECTED/);
    const reconnected = once(client, 'reconnect') as Promise<[ReconnectedInfo]>;
    d.restoreNetwork();
    expect((await reconnected)[0].resubscribed.map((r) => r.topic)).toEqual(['net/x']);
    expect(client.connected).toBe(true);
    await client.close();
  });

  it('disconnect() while reconnecting stops it; give-up after maxAttempts is reported', async () => {
    const d = device();
    const client = new MvMqttClient(d);
    await client.connect({ host: broker.host, port: broker.port, clientId: id(), reconnect: { initialDelayMs: 10, maxDelayMs: 10, maxAttempts: 2 } });
    const gaveUp = once(client, 'reconnectFailed') as Promise<[Error]>;
    const consumer = drain(client.messages(), []);
    d.simulateNetworkLoss();
    const [why] = await gaveUp;
    expect(why.message).toMatch(/NETWORKNOTCONNECTED/);
    expect(client.reconnectingNow).toBe(false);
    expect(await consumer).toEqual([]);
    d.restoreNetwork();
    await client.connect({ host: broker.host, port: broker.port, clientId: id(), reconnect: { initialDelayMs: 60_000 } });
    d.simulateNetworkLoss();
    await until(d, 'the reconnection to start', () => client.reconnectingNow);
    await client.disconnect(); // does not wait a minute
    expect(client.reconnectingNow).toBe(false);
    d.restoreNetwork();
    await client.close();
  });
});
