/**
 * How a failed connection attempt reaches the application: never as a silent drop, always
 * as a CONNECTRESPONSE whose request_state says what went wrong (or REQUESTCOMPLETED with
 * the broker's CONNACK code when the broker refused).
 */
import {
  MV_MQTTREQUESTSTATE_CERTIFICATEEXPIRED,
  MV_MQTTREQUESTSTATE_NXDOMAIN,
  MV_MQTTREQUESTSTATE_SOCKETERROR,
  MV_MQTTREQUESTSTATE_UNKNOWNCA,
  MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER,
  MV_CLOSUREREASON_CHANNELRESETBYSERVER,
  MV_CLOSUREREASON_CONNECTIONTERMINATED,
} from '@mvmqtt/sdk';
import type { MvClosureReason, MvMqttRequestState } from '@mvmqtt/sdk';
import type { ConnackCodeMapping } from './options.js';

/** getaddrinfo failures. */
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);

/** The broker's certificate could not be traced to a trusted CA, or does not name the host. */
const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const EXPIRED_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** A transport or TLS error seen before CONNACK → the connect response's request_state. */
export function connectFailureState(err: unknown): MvMqttRequestState {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string') {
    if (DNS_CODES.has(code)) return MV_MQTTREQUESTSTATE_NXDOMAIN;
    if (UNTRUSTED_CODES.has(code)) return MV_MQTTREQUESTSTATE_UNKNOWNCA;
    if (EXPIRED_CODES.has(code)) return MV_MQTTREQUESTSTATE_CERTIFICATEEXPIRED;
  }
  return MV_MQTTREQUESTSTATE_SOCKETERROR;
}

/** mqtt.js reports a refused CONNACK as an error whose `code` is the broker's numeric return/reason code. */
export function connackRefusalCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/** MQTT 3.1.1 CONNACK return codes 1-5 and their MQTT 5 reason-code counterparts. */
const V311_TO_V5: Readonly<Record<number, number>> = {
  1: 0x84, // unacceptable protocol version → unsupported protocol version
  2: 0x85, // identifier rejected → client identifier not valid
  3: 0x88, // server unavailable
  4: 0x86, // bad user name or password
  5: 0x87, // not authorized
};

export function connackReasonCode(code: number, protocolVersion: 4 | 5, mapping: ConnackCodeMapping): number {
  if (protocolVersion === 4 && mapping === 'v5') return V311_TO_V5[code] ?? code;
  return code;
}

/** Why an established connection ended, for mvGetChannelClosureReason. */
export function closureReasonFor(err: unknown): MvClosureReason {
  const code = (err as { code?: unknown })?.code;
  if (code === undefined) return MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER;
  if (code === 'ECONNRESET' || code === 'EPIPE') return MV_CLOSUREREASON_CHANNELRESETBYSERVER;
  return MV_CLOSUREREASON_CONNECTIONTERMINATED;
}
