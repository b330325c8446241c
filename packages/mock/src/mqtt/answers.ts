/**
 * How outcomes arrive on an MQTT channel: as readable items, each announced by its own
 * CHANNELDATAREADABLE record. Like the device core:
 * - a request made while the channel is not connected is answered at once with NOTCONNECTED;
 * - a request holds its in-flight slot until the application has read its answer;
 * - items of a type no request produces (messages, lost-message reports, a disconnect the
 *   broker started) arrive unsolicited.
 */
import {
  MV_CLOSUREREASON_CLOSEDBYAPPLICATION,
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREQUESTSTATE_NOTCONNECTED,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
  type MvFunctionName,
  type MvMqttConnectResponse,
  type MvMqttDisconnectResponse,
  type MvMqttPublishResponse,
  type MvMqttReadableDataType,
  type MvMqttRequestState,
} from '@mvmqtt/sdk';
import { producedBy, type MqttChannel, type PendingRequest, type ReadableData, type TopicsResponseData } from './channel.js';

type Answer = (request: PendingRequest, state: MvMqttRequestState) => ReadableData;

/** What a broker that accepts everything answers to each kind of request (`state`: the request state). */
const ANSWERS: Partial<Record<MvFunctionName, Answer>> = {
  mvMqttRequestConnect: (_r, request_state): MvMqttConnectResponse => ({ request_state, reason_code: 0 }),
  mvMqttRequestSubscribe: (r, request_state): TopicsResponseData => ({
    request_state,
    correlation_id: r.correlation_id ?? 0,
    // Granted QoS per topic: what was asked for. A request that never reached the broker has no codes.
    reason_codes: request_state === MV_MQTTREQUESTSTATE_REQUESTCOMPLETED ? [...(r.topics ?? [])] : [],
  }),
  mvMqttRequestUnsubscribe: (r, request_state): TopicsResponseData => ({
    request_state,
    correlation_id: r.correlation_id ?? 0,
    reason_codes: request_state === MV_MQTTREQUESTSTATE_REQUESTCOMPLETED ? (r.topics ?? []).map(() => 0) : [],
  }),
  mvMqttRequestPublish: (r, request_state): MvMqttPublishResponse => ({ request_state, correlation_id: r.correlation_id ?? 0, reason_code: 0 }),
  mvMqttRequestDisconnect: (_r, request_state): MvMqttDisconnectResponse => ({ request_state, disconnect_code: 0 }),
};

/** The item that answers `request`, in `state`, with `overrides` applied. */
export function answerFor(request: PendingRequest, state: MvMqttRequestState, overrides: Partial<ReadableData> = {}): { type: MvMqttReadableDataType; data: ReadableData } {
  const type = producedBy(request.fn);
  const answer = ANSWERS[request.fn];
  if (type === undefined || !answer) throw new Error(`@mvmqtt/mock: no answer is known for ${request.fn}`);
  return { type, data: { ...answer(request, state), ...overrides } as ReadableData };
}

/** Queues the answer to `request` (no longer pending) and applies what it means for the connection. */
export function deliverAnswer(channel: MqttChannel, request: PendingRequest, type: MvMqttReadableDataType, data: ReadableData): void {
  const i = channel.pending.indexOf(request);
  if (i >= 0) channel.pending.splice(i, 1);
  if (type === MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE) {
    const r = data as MvMqttConnectResponse;
    channel.phase = r.request_state === MV_MQTTREQUESTSTATE_REQUESTCOMPLETED && r.reason_code === 0 ? 'connected' : 'ended';
  }
  if (type === MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE) {
    channel.phase = 'ended';
    channel.closureReason = MV_CLOSUREREASON_CLOSEDBYAPPLICATION;
  }
  channel.enqueue({ type, data, answers: request.fn });
}

/** An item nobody asked for arrives (a message, a lost-message report, a broker-side disconnect). */
export function deliverUnsolicited(channel: MqttChannel, type: MvMqttReadableDataType, data: ReadableData): void {
  if (type === MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE) {
    channel.phase = 'ended';
    for (const request of [...channel.pending]) answerNow(channel, request, MV_MQTTREQUESTSTATE_NOTCONNECTED);
  }
  channel.enqueue({ type, data });
}

/** Answers `request` at once with `state` (success fields otherwise). */
export function answerNow(channel: MqttChannel, request: PendingRequest, state: MvMqttRequestState): void {
  const { type, data } = answerFor(request, state);
  deliverAnswer(channel, request, type, data);
}

/** Answers `request` with success if it is still waiting (automatic answering). */
export function autoAnswer(channel: MqttChannel, request: PendingRequest): void {
  if (channel.closed || !channel.pending.includes(request)) return;
  answerNow(channel, request, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED);
}
