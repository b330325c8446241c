/** Typed errors of the high-level client: a refused system call, or a request the broker or Microvisor turned down. */
import { ENUM_NAMES, statusName } from '@mvmqtt/sdk';
import type { MvFunctionName, MvMqttRequestState, MvStatus } from '@mvmqtt/sdk';

/** A system call returned something other than OKAY. */
export class MvStatusError extends Error {
  override readonly name = 'MvStatusError';
  constructor(
    readonly call: MvFunctionName,
    readonly status: MvStatus,
  ) {
    super(`${call} returned ${statusName(status)}`);
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
  override readonly name = 'MvRequestError';
  constructor(
    readonly request: 'connect' | 'subscribe' | 'unsubscribe' | 'publish' | 'disconnect',
    readonly requestState: MvMqttRequestState,
    readonly reasonCode: number,
    readonly reasonCodes: readonly number[] = [],
  ) {
    super(`${request} failed: ${requestStateName(requestState)}, reason code 0x${reasonCode.toString(16).padStart(2, '0')}`);
  }

  get requestStateName(): string {
    return requestStateName(this.requestState);
  }
}

/** The session ended (broker disconnect, network loss, channel closed) while the request was waiting. */
export class MvConnectionLostError extends Error {
  override readonly name = 'MvConnectionLostError';
  constructor(
    readonly why: string,
    readonly requestState?: MvMqttRequestState,
    readonly disconnectCode?: number,
  ) {
    super(`connection lost: ${why}`);
  }
}
