// The inspector without a browser: a real device against a real broker (aedes), the real
// HTTP server, its event stream and its controls.
import { Device, MvMqttClient } from '@mvmqtt/device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAedes, type AedesHarness } from '../../../test/support/brokers.js';
import { BoundedLog, InspectorServer, inspect, preview, valueText } from '../src/index.js';
import { decodeArgs } from '../src/decode.js';
import { openEventStream } from './support/event-stream.js';

describe('BoundedLog', () => {
  it('keeps the newest items, counts what it dropped, and tells a slow reader what it skipped', () => {
    const log = new BoundedLog<{ n: number }>(4);
    for (let n = 1; n <= 10; n++) expect(log.push({ n }, n * 10)).toBe(n);
    const items = (r: { from: number; to: number }) => Array.from({ length: r.to - r.from }, (_, i) => log.at(r.from + i)?.n);
    expect(log.dropped).toBe(6);
    expect(items(log.since(0, 100))).toEqual([7, 8, 9, 10]);
    expect(log.since(0, 100).skipped).toBe(6);
    expect(items(log.since(8, 100))).toEqual([9, 10]);
    expect(log.since(8, 100).skipped).toBe(0);
    expect(log.since(6, 2)).toEqual({ from: 9, to: 11, skipped: 2 });
    expect(log.at(6)).toBeUndefined(); // overwritten
    expect(log.at(11)).toBeUndefined(); // not yet pushed
    expect(log.timeAt(9)).toBe(90);
    expect(() => new BoundedLog(0)).toThrow(RangeError);
  });
});

describe('argument decoding from the spec', () => {
  it('names enum values and shows handles in hex, by parameter name', () => {
    const args = decodeArgs('mvMqttGetNextReadableDataType', [0x1234abcd, { value: 2 }]);
    expect(args.map((a) => a.name)).toEqual(['handle', 'data_type']);
    expect(args[0].text).toBe('0x1234abcd');
    expect(args[1].text).toMatch(/^&MV_MQTTREADABLEDATATYPE_/);
    expect(args[1].direction).toBe('out');
  });

  it('shows sized strings as text, hides passwords, and previews binary payloads in hex', () => {
    const request = { protocol_version: 0, host: { data: 'broker.local', length: 12 }, port: 1883, authentication: { method: 1, username_password: { username: { data: 'me', length: 2 }, password: { data: 'secret', length: 6 } } } };
    const [, text] = decodeArgs('mvMqttRequestConnect', [1, request]).map((a) => a.text);
    expect(text).toContain('host: "broker.local"');
    expect(text).toContain('username: "me"');
    expect(text).not.toContain('secret');
    expect(preview(new Uint8Array([0, 1, 0xff]))).toEqual({ hex: '00 01 ff', bytes: 3 });
    expect(preview(new TextEncoder().encode('{"a":1}')).text).toBe('{"a":1}');
    expect(valueText(new Uint8Array([0xc3]))).toBe('<1 bytes: c3>');
  });
});

describe('inspector server', () => {
  let broker: AedesHarness;
  let server: InspectorServer;

  beforeAll(async () => {
    broker = await startAedes();
    server = await InspectorServer.start();
  });
  afterAll(async () => {
    await server?.close();
    await broker?.close();
  });

  /** Reads the page stream of a device until `needle` appears; returns what was read. */
  async function streamUntil(id: string, needle: string): Promise<string> {
    const stream = await openEventStream(`${server.url}events?device=${id}`);
    try {
      return await stream.until(needle);
    } finally {
      await stream.close();
    }
  }

  async function post(path: string, body: unknown, type = 'application/json') {
    const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { ok?: boolean; message?: string; error?: string } };
  }

  it('streams a device session and its state, and its controls reach the device', async () => {
    const device = new Device();
    const attachment = server.attach(device, { name: 'unit' });
    const client = new MvMqttClient(device, { irq: 42 });
    await client.connect({ host: '127.0.0.1', port: broker.port, clientId: 'inspector-unit', protocolVersion: 4 });
    await client.subscribe('cmd/unit', { qos: 1 });
    const inbox = client.messages();

    // The stream: the page's first batch has the calls made so far.
    const text = await streamUntil(attachment.id, 'mvMqttRequestSubscribe');
    expect(text).toContain('event: devices');
    expect(text).toContain('"name":"unit"');

    const state = (await (await fetch(`${server.url}api/devices/${attachment.id}/state`)).json()) as { channels: { state: string; session: { subscriptions: { topic: string; granted: number }[] } }[] };
    expect(state.channels[0].state).toBe('connected');
    expect(state.channels[0].session.subscriptions).toEqual([{ topic: 'cmd/unit', requestedQos: 1, granted: 1 }]);

    // Inject through the broker the device uses (learnt from its connect request).
    expect(await post(`api/devices/${attachment.id}/inject`, { topic: 'cmd/unit', payload: 'hello', qos: 1 })).toEqual({ status: 200, body: { ok: true, message: 'published on cmd/unit' } });
    const { value } = await inbox.next();
    expect(new TextDecoder().decode(value!.payload)).toBe('hello');
    value!.ack();

    // Bad control input: a clear message, nothing done.
    expect((await post(`api/devices/${attachment.id}/inject`, { topic: 'cmd/#', payload: 'x' })).status).toBe(400);
    expect((await post(`api/devices/${attachment.id}/inject`, { topic: 'cmd/unit', qos: 3 })).body.error).toBe('qos: 0, 1 or 2');
    expect((await post(`api/devices/${attachment.id}/network-down`, {}, 'text/plain')).status).toBe(415);
    expect((await post('api/devices/nope/network-down', {})).status).toBe(404);
    expect(device.networkUp).toBe(true);

    // Network loss from the control: the device's network goes down, the session ends.
    expect((await post(`api/devices/${attachment.id}/network-down`, {})).status).toBe(200);
    expect(device.networkUp).toBe(false);
    await device.waitFor(() => !client.connected, 10_000, 'the session to end');
    expect((await post(`api/devices/${attachment.id}/network-up`, {})).status).toBe(200);
    expect(device.networkUp).toBe(true);

    await client.close();
    await device.powerOff();
    await attachment.detach();
  });

  it('a late attach shows what was set up before it: centres, channels, sessions, network; and the records that follow', async () => {
    const device = new Device();
    const client = new MvMqttClient(device, { irq: 44 });
    await client.connect({ host: '127.0.0.1', port: broker.port, clientId: 'inspector-late', protocolVersion: 4 });
    await client.subscribe('cmd/late', { qos: 1 });
    const inbox = client.messages();

    const attachment = server.attach(device, { name: 'late' });
    const state = (await (await fetch(`${server.url}api/devices/${attachment.id}/state`)).json()) as {
      networkUp: boolean;
      injectTo: string;
      centres: { irq: number; writePosition: number; slots: unknown[] }[];
      channels: { state: string; session: { broker: string; clientId: string; protocol: string; subscriptions: { topic: string; granted: number }[] } }[];
    };
    expect(state.networkUp).toBe(true);
    expect(state.centres).toHaveLength(1);
    expect(state.centres[0].irq).toBe(44);
    // Connect and subscribe responses were written before the attach: the write position moved.
    expect(state.centres[0].writePosition).toBeGreaterThan(0);
    expect(state.channels[0].state).toBe('connected');
    expect(state.channels[0].session).toMatchObject({ broker: `127.0.0.1:${broker.port}`, clientId: 'inspector-late', protocol: 'MQTT 3.1.1', subscriptions: [{ topic: 'cmd/late', granted: 1 }] });
    expect(state.injectTo).toBe(`mqtt://127.0.0.1:${broker.port}`);

    // The timeline starts with the snapshot, then the records of the centre set up before the attach.
    await client.publish('cmd/other', 'x', { qos: 1 });
    const text = await streamUntil(attachment.id, 'MV_EVENTTYPE_CHANNELDATAREADABLE');
    expect(text).toMatch(/"kind":"attach"[^}]*centre 0x[0-9a-f]+ on IRQ 44: \d+ slots/);
    expect(text).toMatch(/MQTT 3\.1\.1 to 127\.0\.0\.1:\d+ as inspector-late, subscribed to cmd\/late \(QoS 1\)/);
    expect(text).toContain('"totals":{');

    // Inject works with the broker learnt from the device's state.
    expect((await post(`api/devices/${attachment.id}/inject`, { topic: 'cmd/late', payload: 'late hello', qos: 1 })).status).toBe(200);
    const { value } = await inbox.next();
    expect(new TextDecoder().decode(value!.payload)).toBe('late hello');
    value!.ack();
    await client.close();
    await device.powerOff();
    await attachment.detach();
  });

  it('a broker disconnect from the control ends the MQTT session unsolicited', async () => {
    const device = new Device();
    const attachment = server.attach(device);
    const client = new MvMqttClient(device, { irq: 43 });
    await client.connect({ host: '127.0.0.1', port: broker.port, clientId: 'inspector-drop', protocolVersion: 4 });
    expect((await post(`api/devices/${attachment.id}/broker-disconnect`, {})).status).toBe(200);
    await device.waitFor(() => !client.connected, 10_000, 'the session to end');
    expect(await streamUntil(attachment.id, 'solicited: false')).toMatch(/MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE \{[^}]*solicited: false/);
    await client.close();
    await device.powerOff();
    await attachment.detach();
  });

  it('an offered device is observed only while a page shows it; a relaying server lists and serves it', async () => {
    const device = new Device();
    // Count the device's observers as the servers add and remove them.
    let observers = 0;
    const observe = device.observe.bind(device);
    device.observe = (receiver) => {
      observers++;
      const stop = observe(receiver);
      return () => {
        observers--;
        stop();
      };
    };
    const client = new MvMqttClient(device, { irq: 45 });
    await client.connect({ host: '127.0.0.1', port: broker.port, clientId: 'inspector-offered', protocolVersion: 4 });
    const shard = await InspectorServer.start();
    const fleet = await InspectorServer.start();
    try {
      const offered = shard.offer(device, { name: 'offered 7' });
      fleet.relay('s0', shard.url);
      expect(observers).toBe(0);
      const list = (await (await fetch(`${fleet.url}api/devices`)).json()) as { id: string; name: string }[];
      expect(list).toEqual([{ id: `s0.${offered.id}`, name: 'offered 7', networkUp: true }]);

      // A page on the relaying server: the fleet's list, then the device's snapshot and live calls from the shard.
      const stream = await openEventStream(`${fleet.url}events?device=s0.${offered.id}`);
      await stream.until('MQTT 3.1.1 to 127.0.0.1');
      expect(observers).toBe(1);
      await client.publish('offered/t', 'x', { qos: 1 });
      const text = await stream.until('mvMqttRequestPublish');
      // Whole messages only, each device list the relaying server's own.
      for (const message of text.split('\n\n').filter((m) => m.includes('event: devices'))) expect(message).toContain(`"id":"s0.${offered.id}"`);
      const state = (await (await fetch(`${fleet.url}api/devices/s0.${offered.id}/state`)).json()) as { name: string; channels: { state: string }[] };
      expect(state.name).toBe('offered 7');
      expect(state.channels[0].state).toBe('connected');
      await stream.close();
      await device.waitFor(() => observers === 0, 10_000, 'the shard to stop observing once the page closed');

      // A control through the relaying server reaches the device, and leaves it unobserved.
      const res2 = await fetch(`${fleet.url}api/devices/s0.${offered.id}/network-down`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res2.status).toBe(200);
      expect(device.networkUp).toBe(false);
      expect(observers).toBe(0);
      expect((await fetch(`${fleet.url}api/devices/s0.nope/state`)).status).toBe(404);
      expect((await fetch(`${fleet.url}api/devices/s0.${offered.id}/inject`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).toBe(415);
    } finally {
      await client.close();
      await device.powerOff();
      await fleet.close();
      await shard.close();
    }
  });

  it('several devices share one server; detaching stops their events', async () => {
    const a = new Device();
    const b = new Device();
    const first = await inspect(a, { name: 'fleet a' });
    const second = await inspect(b, { name: 'fleet b' });
    expect(new URL(first.url).port).toBe(new URL(second.url).port);
    const list = (await (await fetch(new URL('/api/devices', first.url))).json()) as { name: string }[];
    expect(list.map((d) => d.name)).toEqual(['fleet a', 'fleet b']);
    await first.detach();
    await second.detach();
    // The last detach closed the shared server.
    await expect(fetch(new URL('/api/devices', first.url))).rejects.toThrow();
  });
});
