import {
  LIMITS,
  MV_CHANNELTYPE_OPAQUEBYTES,
  MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER,
  MV_CLOSUREREASON_CONNECTIONTERMINATED,
  MV_EVENTTYPE_CHANNELDATAREADABLE,
  MV_EVENTTYPE_CHANNELNOTCONNECTED,
  MV_EVENTTYPE_NETWORKSTATUSCHANGED,
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_MESSAGELOST,
  MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE,
  MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE,
  MV_MQTTREQUESTSTATE_NOTCONNECTED,
  MV_MQTTREQUESTSTATE_NXDOMAIN,
  MV_NETWORKSTATUS_CONNECTING,
  MV_STATUS_CHANNELCLOSED,
  MV_STATUS_INVALIDHANDLE,
  MV_STATUS_LATEFAULT,
  MV_STATUS_OKAY,
  MV_STATUS_RATELIMITED,
  MV_STATUS_UNAVAILABLE,
  newMvMqttConnectResponse,
  newMvMqttDisconnectResponse,
  newMvMqttPublishResponse,
  out,
  statusName,
  type MvChannelHandle,
  type MvClosureReason,
  type MvMqttReadableDataType,
  type MvNotificationHandle,
} from '@mvmqtt/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MockMicrovisor } from '../src/index.js';
import { Firmware, ok, str } from './support.js';

const typeOf = (mv: MockMicrovisor, ch: MvChannelHandle): MvMqttReadableDataType => {
  const t = out(0 as MvMqttReadableDataType);
  ok(mv.mvMqttGetNextReadableDataType(ch, t));
  return t.value;
};

const publish = (topic = 't', correlation_id = 1) => ({ correlation_id, topic: str(topic), payload: str('p'), desired_qos: 0, retain: 0 });

describe('forcing a status', () => {
  it('refuses, at scripting time, a status the function cannot return', () => {
    const mv = new MockMicrovisor();
    expect(() => mv.force('mvGetNetworkReasons', 'MV_STATUS_INVALIDHANDLE')).toThrow(/mvGetNetworkReasons cannot return MV_STATUS_INVALIDHANDLE; its error table lists MV_STATUS_PARAMETERFAULT/);
    expect(() => mv.force('mvOpenChannel', MV_STATUS_OKAY)).toThrow(/cannot return MV_STATUS_OKAY/);
    expect(() => mv.force('mvNoSuchCall' as never, 'MV_STATUS_UNAVAILABLE')).toThrow(/not a syscall/);
  });

  it('returns the status for the next calls only, records them, and does nothing else', () => {
    const mv = new MockMicrovisor();
    const fw = new Firmware(mv);
    mv.force('mvOpenChannel', MV_STATUS_UNAVAILABLE, { times: 2 });
    const h = out(0 as MvChannelHandle);
    expect(mv.mvOpenChannel(fw.params(), h)).toBe(MV_STATUS_UNAVAILABLE);
    expect(mv.mvOpenChannel(fw.params(), h)).toBe(MV_STATUS_UNAVAILABLE);
    expect(h.value).toBe(0);
    expect(mv.channelHandles).toEqual([]);
    expect(mv.mvOpenChannel(fw.params(), h)).toBe(MV_STATUS_OKAY);
    expect(mv.callsTo('mvOpenChannel').map((c) => [c.statusName, c.forced])).toEqual([
      ['MV_STATUS_UNAVAILABLE', true],
      ['MV_STATUS_UNAVAILABLE', true],
      ['MV_STATUS_OKAY', false],
    ]);
  });
});

describe('recording', () => {
  it('keeps each call with a copy of its arguments, its status and the time', () => {
    const mv = new MockMicrovisor();
    const fw = new Firmware(mv);
    const ch = fw.open();
    mv.clock.advance(2.5);
    const req = publish('a/b', 42);
    mv.mvMqttRequestPublish(ch, req);
    req.correlation_id = 43; // the application reuses its struct
    mv.mvMqttRequestPublish(0 as MvChannelHandle, req);
    const [first, second] = mv.callsTo('mvMqttRequestPublish');
    expect(first.args[1]).toMatchObject({ correlation_id: 42, topic: { data: 'a/b', length: 3 } });
    expect(first.at).toBe(2500n);
    expect(second.statusName).toBe('MV_STATUS_INVALIDHANDLE');
    expect(second.reason).toMatch(/handle/);
    expect(mv.lastCall()?.index).toBe(mv.calls.length - 1);
  });
});

describe('determinism', () => {
  afterEach(() => vi.useRealTimers());

  it('gives the same non-zero, unique handles for the same seed', () => {
    const handles = (seed: number) => {
      const mv = new MockMicrovisor({ seed });
      const fw = new Firmware(mv);
      return [fw.centre, fw.network, fw.open(), fw.open(3)];
    };
    expect(handles(7)).toEqual(handles(7));
    expect(handles(7)).not.toEqual(handles(8));
    const h = handles(1);
    expect(new Set(h).size).toBe(h.length);
    expect(h).not.toContain(0);
  });

  it('starts no timer, and the clock only moves when told', async () => {
    vi.useFakeTimers();
    const mv = new MockMicrovisor();
    const fw = new Firmware(mv);
    const ch = fw.open();
    fw.connect(ch);
    mv.mvMqttRequestPublish(ch, publish());
    await Promise.resolve();
    mv.flush();
    expect(vi.getTimerCount()).toBe(0);
    expect(mv.clock.microseconds()).toBe(0n);
    expect(fw.records.every((r) => r.microseconds === 0n)).toBe(true);
  });

  it('applies the open rate limit over the mock clock', () => {
    const mv = new MockMicrovisor();
    const fw = new Firmware(mv);
    for (let i = 0; i < LIMITS.CHANNEL_OPEN_RATE.value; i++) ok(mv.mvCloseChannel(out(fw.open())));
    expect(mv.mvOpenChannel(fw.params(), out(0 as MvChannelHandle))).toBe(MV_STATUS_RATELIMITED);
    mv.clock.advance(LIMITS.CHANNEL_OPEN_RATE.windowMs!);
    expect(mv.mvOpenChannel(fw.params(), out(0 as MvChannelHandle))).toBe(MV_STATUS_OKAY);
  });
});

describe('notifications', () => {
  it('writes one record per event and runs the handler once per record, only on flush with manual delivery', () => {
    const mv = new MockMicrovisor({ irqDelivery: 'manual' });
    const fw = new Firmware(mv, 10, 2);
    const ch = fw.open(77);
    fw.connect(ch);
    mv.mvMqttRequestPublish(ch, publish()); // answered NOTCONNECTED at once: the connection is not up yet
    expect(fw.records).toEqual([]);
    expect(mv.nvic.pendingCount(10)).toBe(1);
    mv.flush();
    expect(fw.records.map((r) => [r.event_type, r.tag])).toEqual([
      [MV_EVENTTYPE_CHANNELDATAREADABLE, 77],
      [MV_EVENTTYPE_CHANNELDATAREADABLE, 77],
    ]);
  });

  it('wraps the ring and counts records written over undelivered ones', () => {
    const mv = new MockMicrovisor({ irqDelivery: 'manual' });
    const fw = new Firmware(mv, 11, 2);
    for (let tag = 1; tag <= 3; tag++) mv.notify(fw.centre, MV_EVENTTYPE_NETWORKSTATUSCHANGED, tag);
    expect(mv.notificationOverruns).toBe(1);
    mv.flush();
    // The third record went into slot 0; the handler reads slot by slot, as the demos do.
    expect(fw.records.map((r) => r.tag)).toEqual([3, 2, 3]);
  });

  it('delivers interrupts after the syscall returns, as a microtask', async () => {
    const mv = new MockMicrovisor();
    const fw = new Firmware(mv);
    mv.notify(fw.centre, MV_EVENTTYPE_NETWORKSTATUSCHANGED, 5);
    expect(fw.records).toEqual([]);
    await Promise.resolve();
    expect(fw.records.map((r) => r.tag)).toEqual([5]);
  });
});

describe('answers and arrivals', () => {
  it('answers requests with success by default, in flight until the answer is read', () => {
    const mv = new MockMicrovisor();
    const fw = new Firmware(mv);
    const ch = fw.open();
    fw.connect(ch);
    mv.flush();
    ok(mv.mvMqttReadConnectResponse(ch, newMvMqttConnectResponse()));
    for (let i = 0; i < LIMITS.MQTT_PUBLISHES_IN_FLIGHT_MAX.value!; i++) ok(mv.mvMqttRequestPublish(ch, publish('t', i)));
    mv.flush();
    expect(mv.mvMqttRequestPublish(ch, publish())).toBe(MV_STATUS_RATELIMITED);
    const r = newMvMqttPublishResponse();
    ok(mv.mvMqttReadPublishResponse(ch, r));
    expect(r).toEqual({ request_state: 0, correlation_id: 0, reason_code: 0 });
    ok(mv.mvMqttRequestPublish(ch, publish()));
  });

  it('lets a test answer by hand, with any request state or reason codes', () => {
    const mv = new MockMicrovisor({ respond: 'manual' });
    const fw = new Firmware(mv);
    const ch = fw.open();
    fw.connect(ch);
    mv.flush();
    expect(typeOf(mv, ch)).toBe(0);
    mv.channel(ch).answer({ request_state: MV_MQTTREQUESTSTATE_NXDOMAIN });
    const response = newMvMqttConnectResponse();
    ok(mv.mvMqttReadConnectResponse(ch, response));
    expect(response.request_state).toBe(MV_MQTTREQUESTSTATE_NXDOMAIN);
    expect(() => mv.channel(ch).answer()).toThrow(/no request/);
  });

  it('turns a message that does not fit the receive buffer into a lost-message report', () => {
    const mv = new MockMicrovisor();
    const fw = new Firmware(mv);
    const ch = fw.open(2, 512);
    mv.channel(ch).receive({ topic: 'big', payload: new Uint8Array(600) });
    expect(typeOf(mv, ch)).toBe(MV_MQTTREADABLEDATATYPE_MESSAGELOST);
    const len = out(0);
    ok(mv.mvMqttReceiveLostMessageInfo(ch, { reason: out(9 as never), topic: { data: new Uint8Array(8), size: 8, length: out(0) }, message_len: len }));
    expect(len.value).toBe(603);
  });

  it('a broker-side disconnect answers what is waiting with NOTCONNECTED, then a disconnect response', () => {
    const mv = new MockMicrovisor({ respond: 'manual' });
    const fw = new Firmware(mv);
    const ch = fw.open();
    fw.connect(ch);
    mv.channel(ch).answer();
    ok(mv.mvMqttReadConnectResponse(ch, newMvMqttConnectResponse()));
    ok(mv.mvMqttRequestSubscribe(ch, { correlation_id: 1, subscriptions: [{ topic: str('a'), desired_qos: 0, nl: 0, rap: 0, rh: 0 }], num_subscriptions: 1 }));
    mv.channel(ch).brokerDisconnect({ disconnect_code: 0x8e });
    expect(typeOf(mv, ch)).toBe(MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE);
    const state = out(0 as never);
    ok(mv.mvMqttReadSubscribeResponse(ch, { request_state: state, correlation_id: out(0), reason_codes: null, reason_codes_size: 0, reason_codes_len: out(0) }));
    expect(state.value).toBe(MV_MQTTREQUESTSTATE_NOTCONNECTED);
    expect(typeOf(mv, ch)).toBe(MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE);
    const bye = newMvMqttDisconnectResponse();
    ok(mv.mvMqttReadDisconnectResponse(ch, bye));
    expect(bye.disconnect_code).toBe(0x8e);
  });

  it('the server closing a channel notifies once, then every call but close gets CHANNELCLOSED', () => {
    const mv = new MockMicrovisor({ irqDelivery: 'manual' });
    const fw = new Firmware(mv);
    const ch = fw.open(5);
    mv.channel(ch).close();
    mv.flush();
    expect(fw.records.map((r) => r.event_type)).toEqual([MV_EVENTTYPE_CHANNELNOTCONNECTED]);
    expect(mv.mvMqttRequestPublish(ch, publish())).toBe(MV_STATUS_CHANNELCLOSED);
    const reason = out(0 as MvClosureReason);
    ok(mv.mvGetChannelClosureReason(ch, reason));
    expect(reason.value).toBe(MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER);
    ok(mv.mvCloseChannel(out(ch)));
    expect(mv.mvGetChannelClosureReason(ch, reason)).toBe(MV_STATUS_INVALIDHANDLE);
  });

  it('scripts MQTT only on an MQTT channel: another type has no MQTT state, and MQTT scripting on it throws', () => {
    const mv = new MockMicrovisor({ irqDelivery: 'manual' });
    const fw = new Firmware(mv);
    const h = out(0 as MvChannelHandle);
    const params = fw.params(4);
    ok(mv.mvOpenChannel({ ...params, v1: { ...params.v1, channel_type: MV_CHANNELTYPE_OPAQUEBYTES } }, h));
    const raw = mv.channel(h.value);
    expect([raw.readable, raw.pending, raw.connected]).toEqual([[], [], false]);
    expect(() => raw.receive({ topic: 't' })).toThrow(/not an MQTT channel/);
    expect(() => raw.brokerDisconnect()).toThrow(/not an MQTT channel/);
    expect(mv.kernelState().channels).toEqual([{ handle: h.value, closed: false, unread: 0 }]);
  });

  it('a late fault ends the channel without a notification', () => {
    const mv = new MockMicrovisor({ irqDelivery: 'manual' });
    const fw = new Firmware(mv);
    const ch = fw.open();
    expect(mv.mvMqttRequestPublish(ch, { ...publish(), payload: { data: 5 as never, length: 3 } })).toBe(MV_STATUS_LATEFAULT);
    mv.flush();
    expect(fw.records).toEqual([]);
    const reason = out(0 as MvClosureReason);
    ok(mv.mvGetChannelClosureReason(ch, reason));
    expect(reason.value).toBe(MV_CLOSUREREASON_CONNECTIONTERMINATED);
  });

  it('losing the network closes every channel and tells every network request', () => {
    const mv = new MockMicrovisor({ irqDelivery: 'manual' });
    const fw = new Firmware(mv);
    fw.open(2);
    fw.open(3);
    mv.setNetworkStatus(MV_NETWORKSTATUS_CONNECTING);
    mv.flush();
    expect(fw.records.map((r) => [r.event_type, r.tag])).toEqual([
      [MV_EVENTTYPE_NETWORKSTATUSCHANGED, 1],
      [MV_EVENTTYPE_CHANNELNOTCONNECTED, 2],
      [MV_EVENTTYPE_CHANNELNOTCONNECTED, 3],
    ]);
  });

  it('acknowledgements of QoS 1 messages are in flight until the kernel sends them', () => {
    const mv = new MockMicrovisor({ irqDelivery: 'manual', limits: { MQTT_ACKNOWLEDGEMENTS_IN_FLIGHT_MAX: 1 } });
    const fw = new Firmware(mv);
    const ch = fw.open();
    const ids: number[] = [];
    for (const qos of [1, 1]) {
      mv.channel(ch).receive({ topic: 't', payload: 'x', qos });
      const id = out(0);
      ok(mv.mvMqttReceiveMessage(ch, { correlation_id: id, topic: { data: new Uint8Array(4), size: 4, length: out(0) }, payload: { data: new Uint8Array(4), size: 4, length: out(0) }, qos: out(0), retain: out(0) }));
      ids.push(id.value);
    }
    expect(ids).toEqual([1, 2]);
    ok(mv.mvMqttAcknowledgeMessage(ch, ids[0]));
    expect(mv.mvMqttAcknowledgeMessage(ch, ids[1])).toBe(MV_STATUS_RATELIMITED);
    mv.flush();
    ok(mv.mvMqttAcknowledgeMessage(ch, ids[1]));
  });
});

describe('options', () => {
  it('are the kernel options and those each area module declares, so a misspelt one is a type error', () => {
    const mv = new MockMicrovisor({ seed: 3, knownEndpoints: ['x'], configValueTooLarge: 'truncate', externalFlashSize: 8192 });
    expect(mv.kernelState().channels).toEqual([]);
    // @ts-expect-error no area declares `knownEndpoint`
    expect(() => new MockMicrovisor({ knownEndpoint: ['x'] })).not.toThrow();
  });

  it('overrides configurable limits and refuses the others', () => {
    expect(() => new MockMicrovisor({ limits: { CHANNELS_OPEN_MAX: 9 } })).toThrow(/not configurable/);
    const mv = new MockMicrovisor({ limits: { NOTIFICATION_BUFFER_ALIGNMENT: false } });
    const c = out(0 as MvNotificationHandle);
    ok(mv.mvSetupNotifications({ irq: 1, buffer: new Uint8Array(80).subarray(4, 68), buffer_size: 64 }, c));
    expect(statusName(new MockMicrovisor().mvSetupNotifications({ irq: 1, buffer: new Uint8Array(80).subarray(4, 68), buffer_size: 64 }, c))).toBe('MV_STATUS_PARAMETERFAULT');
  });

  it('knows endpoints it is told about', () => {
    const mv = new MockMicrovisor({ knownEndpoints: ['log'] });
    const fw = new Firmware(mv);
    const p = fw.params();
    p.v1.endpoint = str('log');
    ok(mv.mvOpenChannel(p, out(0 as MvChannelHandle)));
  });
});

describe('reading', () => {
  it('peeks at the next item and reads only what is at the head', () => {
    const mv = new MockMicrovisor();
    const fw = new Firmware(mv);
    const ch = fw.open();
    fw.connect(ch);
    mv.flush();
    expect(typeOf(mv, ch)).toBe(MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE);
    expect(statusName(mv.mvMqttReadPublishResponse(ch, newMvMqttPublishResponse()))).toBe('MV_STATUS_WRONGDATAREQUESTED');
    expect(typeOf(mv, ch)).toBe(MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE);
    // A read-only response struct is a bad pointer: refused before anything is consumed.
    expect(statusName(mv.mvMqttReadConnectResponse(ch, Object.freeze(newMvMqttConnectResponse())))).toBe('MV_STATUS_PARAMETERFAULT');
    expect(typeOf(mv, ch)).toBe(MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE);
    ok(mv.mvMqttReadConnectResponse(ch, newMvMqttConnectResponse()));
    expect(typeOf(mv, ch)).toBe(0);
    mv.mvMqttRequestPublish(ch, publish());
    mv.flush();
    expect(typeOf(mv, ch)).toBe(MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE);
  });
});
