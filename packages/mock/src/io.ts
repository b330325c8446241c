/**
 * State of the request/response and raw-byte channel types in the mock: raw byte rings, the one
 * HTTP request and its response, the one config fetch and its answer. Kept beside the channel
 * (not in it) so that MQTT channels carry none of it.
 */
import {
  MV_CONFIGFETCHRESULT_OK,
  MV_CONFIGFETCHRESULT_RESPONSETOOLARGE,
  MV_EVENTTYPE_CHANNELDATAREADABLE,
  MV_EVENTTYPE_CHANNELDATAWRITESPACE,
  MV_HTTPRESULT_OK,
  type MvConfigFetchResult,
  type MvHttpResult,
} from '@mvmqtt/sdk';
import { ByteRing, configAnswerSize, httpRequestProblem, type ConfigKeySeen } from '@mvmqtt/sdk/runtime';
import type { Channel, Kernel } from './kernel.js';
import { utf8 } from './values.js';

// --- raw (opaque-bytes) channels ---------------------------------------------------------------

export interface RawState {
  rx: ByteRing;
  tx: ByteRing;
  /** Bytes from the far end that did not fit in the receive buffer yet. */
  backlog: Uint8Array[];
  /** Bytes the application sent, drained from the send buffer, not yet taken by the test. */
  sent: Uint8Array[];
  drainQueued: boolean;
}

const raw = new WeakMap<Channel, RawState>();

export function rawState(channel: Channel): RawState {
  let s = raw.get(channel);
  if (!s) {
    const views = channel.views ?? { receive: new Uint8Array(channel.receiveLength), send: new Uint8Array(0) };
    s = { rx: new ByteRing(views.receive), tx: new ByteRing(views.send), backlog: [], sent: [], drainQueued: false };
    raw.set(channel, s);
  }
  return s;
}

/** Moves waiting bytes into the receive ring; notifies when any moved. */
export function fillRaw(channel: Channel): void {
  const s = rawState(channel);
  const moved = s.rx.pushFrom(s.backlog);
  if (moved > 0 && !channel.closed) channel.target.centre.post(MV_EVENTTYPE_CHANNELDATAREADABLE, channel.target.tag);
}

/** The send buffer drains as kernel work: the bytes go to `sent`, then CHANNELDATAWRITESPACE. */
export function queueRawDrain(k: Kernel, channel: Channel): void {
  const s = rawState(channel);
  if (s.drainQueued) return;
  s.drainQueued = true;
  k.defer(() => {
    s.drainQueued = false;
    if (channel.closed || s.tx.length === 0) return;
    s.sent.push(s.tx.takeAll());
    channel.target.centre.post(MV_EVENTTYPE_CHANNELDATAWRITESPACE, channel.target.tag);
  });
}

// --- HTTP -------------------------------------------------------------------------------------

export interface HttpAnswer {
  result?: MvHttpResult;
  status_code?: number;
  /** Response header lines, `Name: value`. */
  headers?: readonly (string | Uint8Array)[];
  body?: string | Uint8Array;
}

export interface HttpResponseState {
  result: MvHttpResult;
  status_code: number;
  headers: Uint8Array[];
  body: Uint8Array;
}

export interface HttpRequestSeen {
  method: string;
  url: string;
  headers: string[];
  body: Uint8Array;
  timeout_ms: number;
}

export interface HttpState {
  sent: boolean;
  request?: HttpRequestSeen;
  response?: HttpResponseState;
}

const httpStates = new WeakMap<Channel, HttpState>();

export function httpState(channel: Channel): HttpState {
  let s = httpStates.get(channel);
  if (!s) httpStates.set(channel, (s = { sent: false }));
  return s;
}

const asBytes = (x: string | Uint8Array | undefined): Uint8Array => (typeof x === 'string' ? utf8(x) : (x ?? new Uint8Array(0)));

/** Stores the response and notifies (once; later answers are ignored). */
export function answerHttp(channel: Channel, answer: HttpAnswer): void {
  const s = httpState(channel);
  if (s.response || channel.closed) return;
  s.response = {
    result: answer.result ?? MV_HTTPRESULT_OK,
    status_code: answer.status_code ?? 200,
    headers: (answer.headers ?? []).map(asBytes),
    body: asBytes(answer.body),
  };
  channel.target.centre.post(MV_EVENTTYPE_CHANNELDATAREADABLE, channel.target.tag);
}

/** The automatic answer: an empty 200, or what the device core would find wrong with the request (https only). */
export function autoHttpAnswer(request: HttpRequestSeen): HttpAnswer {
  const problem = httpRequestProblem({ ...request, timeoutMs: request.timeout_ms }, ['https:']);
  return problem === undefined ? { result: MV_HTTPRESULT_OK, status_code: 200 } : { result: problem, status_code: 0 };
}

// --- config fetch ----------------------------------------------------------------------------

/** A key the mock's kernel sent (the SDK runtime's type, which the device core uses too). */
export type { ConfigKeySeen };

export interface ConfigAnswerState {
  result: MvConfigFetchResult;
  /** One per requested key, in request order; undefined: not found. */
  items: (Uint8Array | undefined)[];
}

export interface ConfigState {
  sent: boolean;
  keys?: ConfigKeySeen[];
  answer?: ConfigAnswerState;
}

const configStates = new WeakMap<Channel, ConfigState>();

export function configState(channel: Channel): ConfigState {
  let s = configStates.get(channel);
  if (!s) configStates.set(channel, (s = { sent: false }));
  return s;
}

/** Answers a config fetch from the given values (in request order) and notifies once. */
export function answerConfig(channel: Channel, items: readonly (string | Uint8Array | undefined)[], result?: MvConfigFetchResult): void {
  const s = configState(channel);
  if (s.answer || channel.closed) return;
  const values = items.map((v) => (v === undefined ? undefined : asBytes(v)));
  const tooLarge = result === MV_CONFIGFETCHRESULT_RESPONSETOOLARGE || (result === undefined && configAnswerSize(values) > channel.receiveLength);
  s.answer = tooLarge ? { result: MV_CONFIGFETCHRESULT_RESPONSETOOLARGE, items: [] } : { result: result ?? MV_CONFIGFETCHRESULT_OK, items: values };
  channel.target.centre.post(MV_EVENTTYPE_CHANNELDATAREADABLE, channel.target.tag);
}

