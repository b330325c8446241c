/**
 * How outcomes arrive on an MQTT channel: as readable items, each announced by its own
 * CHANNELDATAREADABLE record. An item of a type some request produces (READABLE_DATA in the
 * SDK) completes the oldest such request in flight; other items (messages, lost-message
 * reports, a disconnect the broker started) arrive unsolicited.
 */
import {
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREQUESTSTATE_NOTCONNECTED,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
  READABLE_DATA,
  type MvFunctionName,
  type MvReadableDataInfo,
  type MvMqttConnectResponse,
  type MvMqttDisconnectResponse,
  type MvMqttPublishResponse,
  type MvMqttReadableDataType,
} from '@mvmqtt/sdk';
import { producedBy, type Channel, type Kernel, type PendingRequest, type ReadableData, type TopicsResponseData } from './kernel.js';

/** What a broker that accepts everything answers to each kind of request. */
const SUCCESS: Partial<Record<MvFunctionName, (request: PendingRequest, channel: Channel) => ReadableData>> = {
  mvMqttRequestConnect: (): MvMqttConnectResponse => ({ request_state: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, reason_code: 0 }),
  mvMqttRequestSubscribe: (r, channel): TopicsResponseData => ({
    request_state: channel.connected ? MV_MQTTREQUESTSTATE_REQUESTCOMPLETED : MV_MQTTREQUESTSTATE_NOTCONNECTED,
    correlation_id: r.correlation_id ?? 0,
    // A granted QoS per topic: what was asked for.
    reason_codes: channel.connected ? [...(r.topics ?? [])] : [],
  }),
  mvMqttRequestUnsubscribe: (r, channel): TopicsResponseData => ({
    request_state: channel.connected ? MV_MQTTREQUESTSTATE_REQUESTCOMPLETED : MV_MQTTREQUESTSTATE_NOTCONNECTED,
    correlation_id: r.correlation_id ?? 0,
    reason_codes: channel.connected ? (r.topics ?? []).map(() => 0) : [],
  }),
  mvMqttRequestPublish: (r, channel): MvMqttPublishResponse => ({
    request_state: channel.connected ? MV_MQTTREQUESTSTATE_REQUESTCOMPLETED : MV_MQTTREQUESTSTATE_NOTCONNECTED,
    correlation_id: r.correlation_id ?? 0,
    reason_code: 0,
  }),
  mvMqttRequestDisconnect: (): MvMqttDisconnectResponse => ({ request_state: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, disconnect_code: 0 }),
};

/** The item that answers `request` with success, with `overrides` applied. */
export function answerFor(request: PendingRequest, channel: Channel, overrides: Partial<ReadableData> = {}): { type: MvMqttReadableDataType; data: ReadableData } {
  const type = producedBy(request.fn);
  const success = SUCCESS[request.fn];
  if (type === undefined || !success) throw new Error(`@mvmqtt/mock: no answer is known for ${request.fn}`);
  return { type, data: { ...success(request, channel), ...overrides } as ReadableData };
}

/** An item arrives on the channel: it completes a request in flight, changes the connection state, and is queued. */
export function arrive(k: Kernel, channel: Channel, type: MvMqttReadableDataType, data: ReadableData): void {
  if (channel.closed) return;
  const producers: readonly string[] = (READABLE_DATA as Readonly<Record<number, MvReadableDataInfo | undefined>>)[type]?.producers ?? [];
  const i = channel.pending.findIndex((p) => producers.includes(p.fn));
  if (i >= 0) channel.pending.splice(i, 1);
  if (type === MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE) {
    const r = data as MvMqttConnectResponse;
    channel.connected = r.request_state === MV_MQTTREQUESTSTATE_REQUESTCOMPLETED && r.reason_code === 0;
  }
  if (type === MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE) channel.connected = false;
  k.enqueue(channel, { type, data });
}

/** Answers `request` with success if it is still waiting (automatic answering). */
export function autoAnswer(k: Kernel, channel: Channel, request: PendingRequest): void {
  if (channel.closed || !channel.pending.includes(request)) return;
  const { type, data } = answerFor(request, channel);
  arrive(k, channel, type, data);
}
