/** The channels area in the mock: mvOpenChannel, mvCloseChannel, mvGetChannelClosureReason. */
import {
  ENUM_NAMES,
  MV_STATUS_NETWORKNOTCONNECTED,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_LATEFAULT,
  MV_STATUS_OKAY,
  MV_STATUS_UNKNOWNCHANNELENDPOINT,
  MV_STATUS_UNKNOWNCHANNELTYPE,
  type MvChannelHandle,
  type MvSizedString,
} from '@mvmqtt/sdk';
import { NetworkLink } from '@mvmqtt/sdk/runtime';
import type { ChannelsBehaviours } from '../generated/index.js';
import { channelOf, limit, type Kernel } from '../kernel.js';
import { utf8 } from '../values.js';
import { fillRaw, queueRawDrain, rawState } from '../io.js';

const CHANNEL_TYPES = new Set(Object.keys(ENUM_NAMES.MvChannelType).map(Number));

/** The bytes of an `MvSizedString` the validator accepted (length 0: absent). */
function sizedBytes(s: MvSizedString): Uint8Array {
  if (s.length === 0 || s.data === null) return new Uint8Array(0);
  const bytes = typeof s.data === 'string' ? utf8(s.data) : s.data;
  return bytes.subarray(0, s.length);
}

const decoder = new TextDecoder();

/** Writes a count after the bytes were queued: a fault now is late (the bytes stay queued). */
function report(box: { value: number }, value: number): typeof MV_STATUS_OKAY | typeof MV_STATUS_LATEFAULT {
  try {
    box.value = value;
    return MV_STATUS_OKAY;
  } catch {
    return MV_STATUS_LATEFAULT;
  }
}

/** The channels area's options (part of `MockOptions`). */
export interface ChannelsOptions {
  /** Endpoints `mvOpenChannel` accepts besides the empty one (default none). */
  knownEndpoints?: readonly string[];
}

export function createChannelsBehaviours(k: Kernel, options: ChannelsOptions): ChannelsBehaviours {
  const knownEndpoints: ReadonlySet<string> = new Set(['', ...(options.knownEndpoints ?? [])]);
  const link = k.state(NetworkLink);
  return {
    mvOpenChannel(call, params, handle) {
      const v1 = params.v1;
      if (!CHANNEL_TYPES.has(v1.channel_type)) return MV_STATUS_UNKNOWNCHANNELTYPE;
      if (!knownEndpoints.has(decoder.decode(sizedBytes(v1.endpoint)))) return MV_STATUS_UNKNOWNCHANNELENDPOINT;
      if (!link.up) return MV_STATUS_NETWORKNOTCONNECTED;
      const limited = limit(k, call, { objects: k.channels.size, recentCalls: k.recentCalls(call.fn) });
      if (limited !== undefined) return limited;
      k.noteCall(call.fn);
      const centre = k.centres.get(v1.notification_handle)!.centre;
      const buffers = [k.memory.range(v1.receive_buffer!, v1.receive_buffer_len), k.memory.range(v1.send_buffer!, v1.send_buffer_len)];
      const views = { receive: v1.receive_buffer!.subarray(0, v1.receive_buffer_len), send: v1.send_buffer!.subarray(0, v1.send_buffer_len) };
      const channel = k.channelTypes.create(v1.channel_type, v1.channel_type, { centre, tag: v1.notification_tag }, v1.receive_buffer_len, buffers, views);
      channel.handle = k.channels.add(channel);
      handle.value = channel.handle as MvChannelHandle;
      return MV_STATUS_OKAY;
    },

    mvCloseChannel(_call, handle) {
      const channel = channelOf(k, handle.value);
      // After the application closes a channel nothing more is reported for it.
      channel.end(channel.closureReason);
      k.channels.delete(handle.value);
      handle.value = 0 as MvChannelHandle;
      return MV_STATUS_OKAY;
    },

    mvGetChannelClosureReason(_call, handle, reason_out) {
      reason_out.value = channelOf(k, handle).closureReason;
      return MV_STATUS_OKAY;
    },

    // Raw channels: the validator has checked the handle names an open opaque-bytes channel.
    mvReadChannel(_call, handle, read_pointer_out, length_out) {
      const bytes = rawState(channelOf(k, handle)).rx.readable();
      read_pointer_out.value = bytes;
      length_out.value = bytes.byteLength;
      return MV_STATUS_OKAY;
    },

    mvReadChannelComplete(_call, handle, consumed) {
      const channel = channelOf(k, handle);
      rawState(channel).rx.consume(consumed >>> 0);
      fillRaw(channel);
      return MV_STATUS_OKAY;
    },

    mvWriteChannelStream(_call, handle, data, len, written) {
      const channel = channelOf(k, handle);
      const queued = rawState(channel).tx.push(typeof data === 'string' ? utf8(data) : data, len);
      if (queued > 0) queueRawDrain(k, channel);
      return report(written, queued);
    },

    mvWriteChannel(_call, handle, data, len, available) {
      const channel = channelOf(k, handle);
      const tx = rawState(channel).tx;
      if (len > tx.space) return MV_STATUS_INVALIDBUFFERSIZE;
      tx.push(typeof data === 'string' ? utf8(data) : data, len);
      if (len > 0) queueRawDrain(k, channel);
      return report(available, tx.space);
    },
  };
}
