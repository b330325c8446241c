// Network requests and channel opening/closing (no broker needed: a channel connects only when asked).
import {
  LIMITS,
  MV_CHANNELTYPE_CONFIGFETCH,
  MV_CHANNELTYPE_MQTT,
  MV_CLOSUREREASON_NETWORKDISCONNECTED,
  MV_CLOSUREREASON_NONE,
  MV_EVENTTYPE_CHANNELNOTCONNECTED,
  MV_EVENTTYPE_NETWORKSTATUSCHANGED,
  MV_MQTTREADABLEDATATYPE_NONE,
  MV_NETWORKREASON_NEVERUSEDNETWORKAPI,
  MV_NETWORKREASON_USINGNETWORK,
  MV_NETWORKSTATUS_CONNECTED,
  MV_NETWORKSTATUS_CONNECTING,
  MV_STATUS_CHANNELCLOSED,
  MV_STATUS_INVALIDBUFFERALIGNMENT,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_INVALIDHANDLE,
  MV_STATUS_NETWORKNOTCONNECTED,
  MV_STATUS_PARAMETERFAULT,
  MV_STATUS_RATELIMITED,
  MV_STATUS_TOOMANYCHANNELS,
  MV_STATUS_UNAVAILABLE,
  MV_STATUS_UNKNOWNCHANNELENDPOINT,
  MV_STATUS_UNKNOWNCHANNELTYPE,
  MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION,
  newMvMqttConnectResponse,
  out,
} from '@mvmqtt/sdk';
import type { MvChannelHandle, MvClosureReason, MvMqttReadableDataType, MvNetworkHandle, MvNetworkReason, MvNetworkStatus } from '@mvmqtt/sdk';
import { describe, expect, it } from 'vitest';
import { Center, connectRequest, expectOk, expectStatus, newDevice, openMqtt, openParams, requestNetwork, str } from './helpers.js';

const BUF = LIMITS.CHANNEL_BUFFER_SIZE_MULTIPLE.value;

function open(d: ReturnType<typeof newDevice>, params: unknown) {
  const h = out(0 as MvChannelHandle);
  return { status: d.mvOpenChannel(params as never, h), handle: h.value };
}

describe('network requests', () => {
  it('start CONNECTED, are counted, and are released with the handle zeroed', () => {
    const d = newDevice();
    const c = new Center(d, 1);
    const reasons = out(0 as MvNetworkReason);
    const count = out(99);
    expectOk(d.mvGetNetworkReasons(reasons, count));
    expect(reasons.value & MV_NETWORKREASON_NEVERUSEDNETWORKAPI).toBeTruthy();
    expect(count.value).toBe(0);

    const n1 = requestNetwork(d, c, 1);
    const n2 = requestNetwork(d, c, 2);
    expect(n1).not.toBe(n2);
    const status = out(0 as MvNetworkStatus);
    expectOk(d.mvGetNetworkStatus(n1, status));
    expect(status.value).toBe(MV_NETWORKSTATUS_CONNECTED);
    expectOk(d.mvGetNetworkReasons(reasons, count));
    expect(reasons.value & MV_NETWORKREASON_USINGNETWORK).toBeTruthy();
    expect(reasons.value & MV_NETWORKREASON_NEVERUSEDNETWORKAPI).toBeFalsy();
    expect(count.value).toBe(2);

    const h = out(n1);
    expectOk(d.mvReleaseNetwork(h));
    expect(h.value).toBe(0);
    expectStatus(d.mvReleaseNetwork(out(n1)), MV_STATUS_INVALIDHANDLE, 'released twice');
    expectStatus(d.mvGetNetworkStatus(n1, status), MV_STATUS_INVALIDHANDLE, 'status of a released request');
    expectStatus(d.mvGetNetworkStatus(c.handle as unknown as MvNetworkHandle, status), MV_STATUS_INVALIDHANDLE, 'a centre handle');
    expectStatus(d.mvGetNetworkStatus(n2, null), MV_STATUS_PARAMETERFAULT);
    expectStatus(d.mvGetNetworkReasons(null, count), MV_STATUS_PARAMETERFAULT);
    expectStatus(d.mvReleaseNetwork(null), MV_STATUS_PARAMETERFAULT);
  });

  it('check the struct version and the notification handle', () => {
    const d = newDevice();
    const c = new Center(d, 1);
    const h = out(0 as MvNetworkHandle);
    expectStatus(d.mvRequestNetwork({ version: 2, v1: { notification_handle: c.handle, notification_tag: 1 } }, h), MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION);
    expectStatus(d.mvRequestNetwork({ version: 1, v1: { notification_handle: 0 as never, notification_tag: 1 } }, h), MV_STATUS_PARAMETERFAULT);
    expectStatus(d.mvRequestNetwork(null, h), MV_STATUS_PARAMETERFAULT);
    expectStatus(d.mvRequestNetwork({ version: 1, v1: { notification_handle: c.handle, notification_tag: 1 } }, null), MV_STATUS_PARAMETERFAULT);
  });

  it('loss and recovery: NETWORKSTATUSCHANGED with each request’s tag, status CONNECTING while down', async () => {
    const d = newDevice();
    const c = new Center(d, 1);
    const n = requestNetwork(d, c, 41);
    requestNetwork(d, c, 42);
    d.simulateNetworkLoss();
    d.simulateNetworkLoss(); // no change, no notification
    await d.idle();
    expect(c.records.map((r) => [r.event_type, r.tag])).toEqual([
      [MV_EVENTTYPE_NETWORKSTATUSCHANGED, 41],
      [MV_EVENTTYPE_NETWORKSTATUSCHANGED, 42],
    ]);
    const status = out(0 as MvNetworkStatus);
    expectOk(d.mvGetNetworkStatus(n, status));
    expect(status.value).toBe(MV_NETWORKSTATUS_CONNECTING);
    d.restoreNetwork();
    await d.idle();
    expect(c.records).toHaveLength(4);
    expectOk(d.mvGetNetworkStatus(n, status));
    expect(status.value).toBe(MV_NETWORKSTATUS_CONNECTED);
  });
});

describe('mvOpenChannel', () => {
  it('checks buffer sizes (whole multiples, not zero) and the send buffer’s alignment', () => {
    const d = newDevice();
    const c = new Center(d, 1);
    const n = requestNetwork(d, c);
    const aligned = new Uint8Array(4 * BUF);
    expectStatus(open(d, openParams(c, n, 1, { rx: new Uint8Array(BUF + 100) })).status, MV_STATUS_INVALIDBUFFERSIZE, 'rx not a multiple');
    expectStatus(open(d, openParams(c, n, 1, { tx: new Uint8Array(BUF / 2) })).status, MV_STATUS_INVALIDBUFFERSIZE, 'tx too small');
    expectStatus(open(d, openParams(c, n, 1, { tx: aligned.subarray(BUF / 2, BUF / 2 + BUF) })).status, MV_STATUS_INVALIDBUFFERALIGNMENT, 'tx misaligned');
    expectStatus(open(d, openParams(c, n, 1, { rx: aligned.subarray(BUF / 2, BUF / 2 + BUF) })).status, MV_STATUS_INVALIDBUFFERALIGNMENT, 'rx misaligned');
    expectOk(open(d, openParams(c, n, 1, { tx: aligned.subarray(BUF, 2 * BUF), rx: aligned.subarray(2 * BUF) })).status, 'aligned views');
  });

  it('receive-buffer alignment can be switched off', () => {
    const d = newDevice({ checkReceiveBufferAlignment: false });
    const c = new Center(d, 1);
    const n = requestNetwork(d, c);
    const buf = new Uint8Array(3 * BUF);
    expectOk(open(d, openParams(c, n, 1, { rx: buf.subarray(16, 16 + BUF) })).status);
  });

  it('faults on bad pointers and lengths past the end of a buffer', () => {
    const d = newDevice();
    const c = new Center(d, 1);
    const n = requestNetwork(d, c);
    const p = openParams(c, n, 1);
    expectStatus(open(d, null).status, MV_STATUS_PARAMETERFAULT, 'NULL params');
    expectStatus(d.mvOpenChannel(p as never, null), MV_STATUS_PARAMETERFAULT, 'NULL handle');
    expectStatus(open(d, { ...p, v1: { ...p.v1, receive_buffer: null } }).status, MV_STATUS_PARAMETERFAULT, 'NULL rx');
    expectStatus(open(d, { ...p, v1: { ...p.v1, send_buffer_len: p.v1.send_buffer_len + BUF } }).status, MV_STATUS_PARAMETERFAULT, 'tx length past the end');
    expectStatus(open(d, { ...p, v1: { ...p.v1, endpoint: { data: 'ab', length: 5 } } }).status, MV_STATUS_PARAMETERFAULT, 'endpoint past the end');
    expectStatus(open(d, { ...p, version: 2 }).status, MV_STATUS_PARAMETERFAULT, 'unknown struct version');
    expectStatus(open(d, { ...p, v1: 'x' }).status, MV_STATUS_PARAMETERFAULT, 'garbage v1');
  });

  it('checks handles, channel type and endpoint', () => {
    const d = newDevice({ knownEndpoints: ['log'] });
    const c = new Center(d, 1);
    const n = requestNetwork(d, c);
    const p = openParams(c, n, 1);
    expectStatus(open(d, { ...p, v1: { ...p.v1, notification_handle: n } }).status, MV_STATUS_INVALIDHANDLE, 'a network handle as the centre');
    expectStatus(open(d, { ...p, v1: { ...p.v1, network_handle: c.handle } }).status, MV_STATUS_INVALIDHANDLE, 'a centre handle as the network');
    expectStatus(open(d, { ...p, v1: { ...p.v1, channel_type: 77 } }).status, MV_STATUS_UNKNOWNCHANNELTYPE);
    expectStatus(open(d, { ...p, v1: { ...p.v1, endpoint: str('nowhere') } }).status, MV_STATUS_UNKNOWNCHANNELENDPOINT);
    expectOk(open(d, { ...p, v1: { ...p.v1, endpoint: str('log') } }).status, 'a configured endpoint');
  });

  it('refuses while the network is down (NETWORKNOTCONNECTED) and when injected (UNAVAILABLE)', () => {
    const d = newDevice();
    const c = new Center(d, 1);
    const n = requestNetwork(d, c);
    d.simulateNetworkLoss();
    expectStatus(open(d, openParams(c, n, 1)).status, MV_STATUS_NETWORKNOTCONNECTED);
    d.restoreNetwork();
    d.injectOpenChannelUnavailable();
    expectStatus(open(d, openParams(c, n, 1)).status, MV_STATUS_UNAVAILABLE);
    expectOk(open(d, openParams(c, n, 1)).status);
  });

  it(`allows ${LIMITS.CHANNELS_OPEN_MAX.value} channels at once; closing one frees a place`, () => {
    const d = newDevice();
    const c = new Center(d, 1);
    const n = requestNetwork(d, c);
    const handles: MvChannelHandle[] = [];
    for (let i = 0; i < LIMITS.CHANNELS_OPEN_MAX.value; i++) handles.push(openMqtt(d, c, n, i));
    expect(new Set(handles).size).toBe(handles.length);
    expectStatus(open(d, openParams(c, n, 9)).status, MV_STATUS_TOOMANYCHANNELS);
    const h = out(handles[0]);
    expectOk(d.mvCloseChannel(h));
    expect(h.value).toBe(0);
    expectOk(open(d, openParams(c, n, 9)).status);
  });

  it(`rate-limits opens: ${LIMITS.CHANNEL_OPEN_RATE.value} per ${LIMITS.CHANNEL_OPEN_RATE.windowMs} ms`, async () => {
    const d = newDevice();
    const c = new Center(d, 1);
    const n = requestNetwork(d, c);
    const started = performance.now();
    for (let i = 0; i < LIMITS.CHANNEL_OPEN_RATE.value; i++) {
      const h = out(openMqtt(d, c, n, i));
      expectOk(d.mvCloseChannel(h));
    }
    expectStatus(open(d, openParams(c, n, 1)).status, MV_STATUS_RATELIMITED);
    expect(performance.now() - started).toBeLessThan(LIMITS.CHANNEL_OPEN_RATE.windowMs);
    await new Promise((r) => setTimeout(r, LIMITS.CHANNEL_OPEN_RATE.windowMs + 20 - (performance.now() - started)));
    expectOk(open(d, openParams(c, n, 1)).status, 'after the window');
  });
});

describe('channel handles and closure', () => {
  it('a handle is valid until mvCloseChannel, then INVALIDHANDLE; closure reason NONE while open', () => {
    const d = newDevice();
    const c = new Center(d, 1);
    const n = requestNetwork(d, c);
    const ch = openMqtt(d, c, n);
    const reason = out(99 as MvClosureReason);
    expectOk(d.mvGetChannelClosureReason(ch, reason));
    expect(reason.value).toBe(MV_CLOSUREREASON_NONE);
    expectStatus(d.mvGetChannelClosureReason(ch, null), MV_STATUS_PARAMETERFAULT);
    expectOk(d.mvCloseChannel(out(ch)));
    expectStatus(d.mvGetChannelClosureReason(ch, reason), MV_STATUS_INVALIDHANDLE);
    expectStatus(d.mvCloseChannel(out(ch)), MV_STATUS_INVALIDHANDLE, 'closed twice');
    expectStatus(d.mvCloseChannel(out(n as unknown as MvChannelHandle)), MV_STATUS_INVALIDHANDLE, 'a network handle');
    // Arguments are checked in parameter order, on the device core as in the mock: the stale handle comes first.
    expectStatus(d.mvGetChannelClosureReason(ch, null), MV_STATUS_INVALIDHANDLE, 'stale handle and NULL');
    expectStatus(d.mvCloseChannel(null), MV_STATUS_PARAMETERFAULT);
  });

  it('mvMqtt calls on a channel of another type, or on a non-channel handle, are INVALIDHANDLE', () => {
    const d = newDevice();
    const c = new Center(d, 1);
    const n = requestNetwork(d, c);
    const p = openParams(c, n, 1);
    const other = open(d, { ...p, v1: { ...p.v1, channel_type: MV_CHANNELTYPE_CONFIGFETCH } });
    expectOk(other.status);
    const t = out(0 as MvMqttReadableDataType);
    expectStatus(d.mvMqttGetNextReadableDataType(other.handle, t), MV_STATUS_INVALIDHANDLE, 'config-fetch channel');
    expectStatus(d.mvMqttRequestDisconnect(n as unknown as MvChannelHandle), MV_STATUS_INVALIDHANDLE, 'network handle');
    expectStatus(d.mvMqttAcknowledgeMessage(c.handle as unknown as MvChannelHandle, 1), MV_STATUS_INVALIDHANDLE, 'centre handle');
    expectStatus(d.mvMqttReadConnectResponse(0 as MvChannelHandle, newMvMqttConnectResponse()), MV_STATUS_INVALIDHANDLE, 'zero');
    const mq = openMqtt(d, c, n, 2);
    expectOk(d.mvMqttGetNextReadableDataType(mq, t));
    expect(t.value).toBe(MV_MQTTREADABLEDATATYPE_NONE);
    expect(MV_CHANNELTYPE_MQTT).toBe(1);
  });

  it('network loss closes every channel: CHANNELNOTCONNECTED once, then CHANNELCLOSED; the handle stays valid', async () => {
    const d = newDevice();
    const c = new Center(d, 1);
    const n = requestNetwork(d, c, 5);
    const a = openMqtt(d, c, n, 101);
    const b = openMqtt(d, c, n, 102);
    d.simulateNetworkLoss();
    d.restoreNetwork();
    await d.idle();
    expect(c.records.map((r) => [r.event_type, r.tag])).toEqual([
      [MV_EVENTTYPE_NETWORKSTATUSCHANGED, 5],
      [MV_EVENTTYPE_CHANNELNOTCONNECTED, 101],
      [MV_EVENTTYPE_CHANNELNOTCONNECTED, 102],
      [MV_EVENTTYPE_NETWORKSTATUSCHANGED, 5],
    ]);
    const reason = out(0 as MvClosureReason);
    expectOk(d.mvGetChannelClosureReason(a, reason));
    expect(reason.value).toBe(MV_CLOSUREREASON_NETWORKDISCONNECTED);
    const t = out(0 as MvMqttReadableDataType);
    expectStatus(d.mvMqttGetNextReadableDataType(a, t), MV_STATUS_CHANNELCLOSED);
    expectStatus(d.mvMqttRequestConnect(b, connectRequest({ host: '127.0.0.1', port: 1 })), MV_STATUS_CHANNELCLOSED);
    expectStatus(d.mvMqttRequestDisconnect(b), MV_STATUS_CHANNELCLOSED);
    // Still counted until closed by the app.
    expect(d.openChannels).toBe(2);
    expectOk(d.mvCloseChannel(out(a)));
    expectOk(d.mvCloseChannel(out(b)));
    expect(d.openChannels).toBe(0);
    d.simulateNetworkLoss();
    await d.idle();
    expect(c.count(MV_EVENTTYPE_CHANNELNOTCONNECTED)).toBe(2); // nothing for closed channels
  });
});
