/** Well-formed arguments for every call, so a provocation changes exactly one thing. */
import {
  MV_MQTTPROTOCOLVERSION_V3_1_1,
  newMvMqttConnectRequest,
  out,
  type MvMqttConnectRequest,
  type MvMqttLostMessageInfo,
  type MvMqttLostMessageReason,
  type MvMqttMessage,
  type MvMqttPublishRequest,
  type MvMqttReadableDataType,
  type MvMqttRequestState,
  type MvMqttSubscribeRequest,
  type MvMqttSubscribeResponse,
  type MvMqttUnsubscribeRequest,
  type MvOut,
  type MvSizedString,
} from '@mvmqtt/sdk';

export const str = (s: string): MvSizedString => ({ data: s, length: Buffer.byteLength(s) });

export function connectRequest(broker: { host: string; port: number }, clientId: string): MvMqttConnectRequest {
  const r = newMvMqttConnectRequest();
  r.protocol_version = MV_MQTTPROTOCOLVERSION_V3_1_1;
  r.host = str(broker.host);
  r.port = broker.port;
  r.clientid = str(clientId);
  r.keepalive = 60;
  r.clean_start = 1;
  return r;
}

export function subscribeRequest(topics: readonly string[], qos = 0, correlation_id = 1): MvMqttSubscribeRequest {
  return { correlation_id, subscriptions: topics.map((t) => ({ topic: str(t), desired_qos: qos, nl: 0, rap: 0, rh: 0 })), num_subscriptions: topics.length };
}

export function unsubscribeRequest(topics: readonly string[], correlation_id = 1): MvMqttUnsubscribeRequest {
  return { correlation_id, topics: topics.map(str), num_topics: topics.length };
}

export function publishRequest(topic: string, payload: string | Uint8Array, qos = 0, correlation_id = 1): MvMqttPublishRequest {
  const data = typeof payload === 'string' ? payload : payload;
  return { correlation_id, topic: str(topic), payload: { data, length: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength }, desired_qos: qos, retain: 0 };
}

/** A subscribe/unsubscribe response with room for `capacity` reason codes, and its boxes. */
export function topicsResponse(capacity: number) {
  const state = out<MvMqttRequestState>(0 as MvMqttRequestState);
  const correlation = out(0);
  const codes = new Uint32Array(capacity);
  const length = out(0);
  const response: MvMqttSubscribeResponse = { request_state: state, correlation_id: correlation, reason_codes: codes, reason_codes_size: capacity, reason_codes_len: length };
  return { response, state, correlation, codes, length };
}

/** Buffers for mvMqttReceiveMessage. */
export function messageBuffers(topicSize = 256, payloadSize = 1024): MvMqttMessage {
  return {
    correlation_id: out(0),
    topic: { data: new Uint8Array(topicSize), size: topicSize, length: out(0) },
    payload: { data: new Uint8Array(payloadSize), size: payloadSize, length: out(0) },
    qos: out(0),
    retain: out(0),
  };
}

export function lostInfo(topicSize = 256): MvMqttLostMessageInfo {
  return { reason: out<MvMqttLostMessageReason>(0 as MvMqttLostMessageReason), topic: { data: new Uint8Array(topicSize), size: topicSize, length: out(0) }, message_len: out(0) };
}

/** A pointer the kernel cannot write through: a frozen box. */
export function readOnlyBox<T>(value: T): MvOut<T> {
  return Object.freeze({ value });
}

export const typeBox = (): MvOut<MvMqttReadableDataType> => out<MvMqttReadableDataType>(0 as MvMqttReadableDataType);
