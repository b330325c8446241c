import { describe, expect, it } from 'vitest';
import {
  MV_CHANNELTYPE_MQTT,
  MV_EVENTTYPE_CHANNELDATAREADABLE,
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED,
  MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
  MV_STATUS_OKAY,
  decodeMvNotification,
  newMvMqttConnectRequest,
  newMvMqttConnectResponse,
  out,
  type MvChannelHandle,
  type MvNetworkHandle,
  type MvNotificationHandle,
  type MvOpenChannelParams,
} from '@mvmqtt/sdk';
import { MockMicrovisor } from '../src/index.js';

describe('a demo-like session', () => {
  it('connects, subscribes and receives a message', () => {
    const mv = new MockMicrovisor({ irqDelivery: 'manual' });
    const ring = new Uint8Array(8 * 16);
    const centre = out(0 as MvNotificationHandle);
    expect(mv.mvSetupNotifications({ irq: 10, buffer: ring, buffer_size: ring.byteLength }, centre)).toBe(MV_STATUS_OKAY);
    const seen: number[] = [];
    let index = 0;
    mv.nvic.setHandler(10, () => {
      seen.push(decodeMvNotification(ring, index * 16).event_type);
      index = (index + 1) % 8;
    });
    mv.nvic.enable(10);
    const net = out(0 as MvNetworkHandle);
    expect(mv.mvRequestNetwork({ version: 1, v1: { notification_handle: centre.value, notification_tag: 1 } }, net)).toBe(MV_STATUS_OKAY);
    const channel = out(0 as MvChannelHandle);
    const params: MvOpenChannelParams = {
      version: 1,
      v1: {
        notification_handle: centre.value,
        notification_tag: 2,
        network_handle: net.value,
        receive_buffer: new Uint8Array(1024),
        receive_buffer_len: 1024,
        send_buffer: new Uint8Array(512),
        send_buffer_len: 512,
        channel_type: MV_CHANNELTYPE_MQTT,
        endpoint: { data: null, length: 0 },
      },
    };
    expect(mv.mvOpenChannel(params, channel)).toBe(MV_STATUS_OKAY);
    const req = newMvMqttConnectRequest();
    req.host = { data: 'broker', length: 6 };
    req.clientid = { data: 'me', length: 2 };
    expect(mv.mvMqttRequestConnect(channel.value, req)).toBe(MV_STATUS_OKAY);
    mv.flush();
    expect(seen).toEqual([MV_EVENTTYPE_CHANNELDATAREADABLE]);
    const type = out(0 as never);
    expect(mv.mvMqttGetNextReadableDataType(channel.value, type)).toBe(MV_STATUS_OKAY);
    expect(type.value).toBe(MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE);
    const resp = newMvMqttConnectResponse();
    expect(mv.mvMqttReadConnectResponse(channel.value, resp)).toBe(MV_STATUS_OKAY);
    expect(resp.request_state).toBe(MV_MQTTREQUESTSTATE_REQUESTCOMPLETED);
    expect(mv.mvMqttRequestSubscribe(channel.value, { correlation_id: 5, subscriptions: [{ topic: { data: 'a/b', length: 3 }, desired_qos: 1, nl: 0, rap: 0, rh: 0 }], num_subscriptions: 1 })).toBe(MV_STATUS_OKAY);
    mv.flush();
    mv.mvMqttGetNextReadableDataType(channel.value, type);
    expect(type.value).toBe(MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE);
    const codes = new Uint32Array(1);
    const state = out(99 as never);
    const corr = out(0);
    const len = out(0);
    expect(mv.mvMqttReadSubscribeResponse(channel.value, { request_state: state, correlation_id: corr, reason_codes: codes, reason_codes_size: 4, reason_codes_len: len })).toBe(MV_STATUS_OKAY);
    expect([state.value, corr.value, codes[0], len.value]).toEqual([0, 5, 1, 1]);
    mv.channel(channel.value).receive({ topic: 'a/b', payload: 'hello', qos: 1 });
    mv.flush();
    mv.mvMqttGetNextReadableDataType(channel.value, type);
    expect(type.value).toBe(MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED);
    const topic = new Uint8Array(16);
    const payload = new Uint8Array(16);
    const tl = out(0), pl = out(0), q = out(0), r = out(0);
    expect(mv.mvMqttReceiveMessage(channel.value, { correlation_id: corr, topic: { data: topic, size: 16, length: tl }, payload: { data: payload, size: 16, length: pl }, qos: q, retain: r })).toBe(MV_STATUS_OKAY);
    expect(new TextDecoder().decode(payload.subarray(0, pl.value))).toBe('hello');
    expect(seen.length).toBe(3);
    expect(mv.calls.map((c) => c.statusName).every((n) => n === 'MV_STATUS_OKAY')).toBe(true);
  });
});
