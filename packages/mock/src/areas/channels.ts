/** The channels area in the mock: mvOpenChannel, mvCloseChannel, mvGetChannelClosureReason. */
import {
  ENUM_NAMES,
  MV_NETWORKSTATUS_CONNECTED,
  MV_STATUS_NETWORKNOTCONNECTED,
  MV_STATUS_OKAY,
  MV_STATUS_UNKNOWNCHANNELENDPOINT,
  MV_STATUS_UNKNOWNCHANNELTYPE,
  type MvChannelHandle,
  type MvSizedString,
} from '@mvmqtt/sdk';
import type { ChannelsBehaviours } from '../generated/index.js';
import { Channel, channelOf, limit, type Kernel } from '../kernel.js';
import { utf8 } from '../values.js';

const CHANNEL_TYPES = new Set(Object.keys(ENUM_NAMES.MvChannelType).map(Number));

/** Enum fields whose unknown values get a status of their own (the validator leaves them to us). */
export const BEHAVIOUR_ENUMS: ReadonlySet<string> = new Set(['MvOpenChannelParams.v1.channel_type']);

/** The bytes of an `MvSizedString` the validator accepted (length 0: absent). */
function sizedBytes(s: MvSizedString): Uint8Array {
  if (s.length === 0 || s.data === null) return new Uint8Array(0);
  const bytes = typeof s.data === 'string' ? utf8(s.data) : s.data;
  return bytes.subarray(0, s.length);
}

const decoder = new TextDecoder();

export function createChannelsBehaviours(k: Kernel): ChannelsBehaviours {
  return {
    mvOpenChannel(call, params, handle) {
      const v1 = params.v1;
      if (!CHANNEL_TYPES.has(v1.channel_type)) return MV_STATUS_UNKNOWNCHANNELTYPE;
      if (!k.knownEndpoints.has(decoder.decode(sizedBytes(v1.endpoint)))) return MV_STATUS_UNKNOWNCHANNELENDPOINT;
      if (k.networkStatus !== MV_NETWORKSTATUS_CONNECTED) return MV_STATUS_NETWORKNOTCONNECTED;
      const limited = limit(k, call, { objects: k.channels.size, recentCalls: k.recentCalls(call.fn) });
      if (limited !== undefined) return limited;
      k.noteCall(call.fn);
      const centre = k.centres.get(v1.notification_handle)!.centre;
      const buffers = [k.memory.range(v1.receive_buffer!, v1.receive_buffer_len), k.memory.range(v1.send_buffer!, v1.send_buffer_len)];
      const channel = new Channel(v1.channel_type, { centre, tag: v1.notification_tag }, v1.receive_buffer_len, buffers);
      channel.handle = k.channels.add(channel);
      handle.value = channel.handle as MvChannelHandle;
      return MV_STATUS_OKAY;
    },

    mvCloseChannel(_call, handle) {
      const channel = channelOf(k, handle.value);
      // After the application closes a channel nothing more is reported for it.
      channel.end(channel.closure);
      k.channels.delete(handle.value);
      handle.value = 0 as MvChannelHandle;
      return MV_STATUS_OKAY;
    },

    mvGetChannelClosureReason(_call, handle, reason_out) {
      reason_out.value = channelOf(k, handle).closure;
      return MV_STATUS_OKAY;
    },
  };
}
