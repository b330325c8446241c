/**
 * Typed errors of the high-level client, each saying what to do about it:
 * - `MvStatusError`: a system call refused (the status, and a hint when there is an obvious fix);
 * - `MvRequestError`: Microvisor or the broker turned a request down (request state, named reason code);
 * - `MvSubscribeError`: some topics of a subscribe were refused (which, and why; the rest were granted);
 * - `MvConnectionLostError`: the session is gone (broker or network), whatever the request was.
 */
import { ENUM_NAMES, statusName } from '@mvmqtt/sdk';
import type { MvFunctionName, MvMqttRequestState, MvStatus } from '@mvmqtt/sdk';
import { describeReasonCode, type ReasonCodeSource } from './reason-codes.js';

/** A system call returned something other than OKAY. */
export class MvStatusError extends Error {
  override readonly name = 'MvStatusError';
  constructor(
    readonly call: MvFunctionName,
    readonly status: MvStatus,
    /** What to do about it, when the client can tell. */
    readonly hint?: string | undefined,
  ) {
    super(`${call} returned ${statusName(status)}${hint ? `: ${hint}` : ''}`);
  }

  get statusName(): string {
    return statusName(this.status);
  }
}

export function requestStateName(state: number): string {
  return (ENUM_NAMES.MvMqttRequestState as Readonly<Record<number, string>>)[state] ?? `MvMqttRequestState(${state})`;
}

/** A response arrived but says the request failed: its request_state, and the broker's reason code. */
export class MvRequestError extends Error {
  override readonly name: string = 'MvRequestError';
  constructor(
    readonly request: ReasonCodeSource,
    readonly requestState: MvMqttRequestState,
    readonly reasonCode: number,
    readonly reasonCodes: readonly number[] = [],
    /** The MQTT version of the session, to name the reason code. */
    readonly protocolVersion: 4 | 5 = 5,
    detail?: string,
  ) {
    super(
      detail ??
        (requestState === 0
          ? `${request} refused by the broker: ${describeReasonCode(request, reasonCode, protocolVersion)}`
          : `${request} failed: ${requestStateName(requestState)}`),
    );
  }

  get requestStateName(): string {
    return requestStateName(this.requestState);
  }

  /** The broker's reason code in words (mqtt.js's names for the MQTT tables). */
  get reasonCodeName(): string {
    return describeReasonCode(this.request, this.reasonCode, this.protocolVersion);
  }
}

/** One topic of a subscribe: what the broker answered for it. */
export interface SubscribeResult {
  readonly topic: string;
  /** The SUBACK code: 0–2 is the granted QoS, 0x80 and above a refusal. */
  readonly reasonCode: number;
  /** The code in words: `granted QoS 1`, `Not authorized`, … */
  readonly reason: string;
  readonly granted: boolean;
}

/** One topic of an unsubscribe: what the broker answered for it (3.1.1 has no codes: always 0). */
export interface UnsubscribeResult {
  readonly topic: string;
  readonly reasonCode: number;
  readonly reason: string;
}

/** Some topics of a subscribe were refused: `refused` names them and their codes; the others in `results` are live. */
export class MvSubscribeError extends MvRequestError {
  override readonly name = 'MvSubscribeError';
  readonly refused: readonly SubscribeResult[];
  constructor(
    readonly results: readonly SubscribeResult[],
    protocolVersion: 4 | 5,
  ) {
    const refused = results.filter((r) => !r.granted);
    const granted = results.filter((r) => r.granted);
    const list = refused.map((r) => `'${r.topic}' (${describeReasonCode('subscribe', r.reasonCode, protocolVersion)})`).join(', ');
    const rest = granted.length > 0 ? `; granted: ${granted.map((r) => `'${r.topic}' (${r.reason})`).join(', ')}` : '';
    super('subscribe', 0 as MvMqttRequestState, refused[0]?.reasonCode ?? 0, results.map((r) => r.reasonCode), protocolVersion, `subscribe refused for ${list}${rest}`);
    this.refused = refused;
  }
}

/** Why a session ended: the application asked, the broker ended it (or went away), or the network was lost. */
export type DisconnectCause = 'application' | 'broker' | 'network';

/** The session ended (broker gone, network lost, channel closed) before or while the request was waiting. */
export class MvConnectionLostError extends Error {
  override readonly name = 'MvConnectionLostError';
  constructor(
    readonly why: string,
    /** Who ended the session (undefined: there was none to begin with). */
    readonly origin: DisconnectCause | undefined = undefined,
    readonly requestState?: MvMqttRequestState | undefined,
    readonly disconnectCode?: number | undefined,
  ) {
    super(`connection lost: ${why}`);
  }
}
