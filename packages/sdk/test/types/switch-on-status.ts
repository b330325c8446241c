/**
 * Firmware-style code that handles a syscall's result. tsc compiles this file as part of the type
 * tests: each `@ts-expect-error` must meet an error, so a `case` for a status the function can
 * never return is proven to be rejected. (test/typecheck.test.ts also compiles it with the
 * directives removed and checks that exactly those lines fail.)
 */
import {
  MV_STATUS_CHANNELCLOSED,
  MV_STATUS_INVALIDHANDLE,
  MV_STATUS_OKAY,
  MV_STATUS_PARAMETERFAULT,
  MV_STATUS_RATELIMITED,
  MV_STATUS_TOOMANYCHANNELS,
  MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION,
  type MvChannelHandle,
  type MvSyscalls,
} from '../../src/index.js';

export function disconnect(sys: MvSyscalls, channel: MvChannelHandle): string {
  const status = sys.mvMqttRequestDisconnect(channel);
  switch (status) {
    case MV_STATUS_OKAY:
      return 'sent';
    case MV_STATUS_RATELIMITED:
      return 'retry later';
    case MV_STATUS_INVALIDHANDLE:
    case MV_STATUS_CHANNELCLOSED:
      return 'reopen';
    // @ts-expect-error mvMqttRequestDisconnect never returns MV_STATUS_TOOMANYCHANNELS
    case MV_STATUS_TOOMANYCHANNELS:
      return 'impossible';
  }
}

export function isVersionProblem(sys: MvSyscalls, channel: MvChannelHandle): boolean {
  const status = sys.mvMqttAcknowledgeMessage(channel, 1);
  // @ts-expect-error mvMqttAcknowledgeMessage takes no versioned struct
  return status === MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION;
}

/** Handling every status needs no `default`: the union is closed, so tsc knows the switch is exhaustive. */
export function describeClose(sys: MvSyscalls, handle: { value: MvChannelHandle }): string {
  switch (sys.mvCloseChannel(handle)) {
    case MV_STATUS_OKAY:
      return 'closed';
    case MV_STATUS_PARAMETERFAULT:
      return 'bad pointer';
    case MV_STATUS_INVALIDHANDLE:
      return 'not a channel';
  }
}
