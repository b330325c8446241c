/** The channels area: open, close, closure reason, and raw byte I/O on opaque-bytes channels. */
import {
  LIMITS,
  MV_CHANNELTYPE_OPAQUEBYTES,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_LATEFAULT,
  MV_STATUS_NETWORKNOTCONNECTED,
  MV_STATUS_OKAY,
  MV_STATUS_UNAVAILABLE,
  MV_STATUS_UNKNOWNCHANNELENDPOINT,
  MV_STATUS_UNKNOWNCHANNELTYPE,
  MvChannelType,
} from '@mvmqtt/sdk';
import type {
  MvChannelHandle,
  MvClosureReason,
  MvCloseChannelStatus,
  MvOpenChannelParams,
  MvGetChannelClosureReasonStatus,
  MvOpenChannelStatus,
  MvOut,
  MvReadChannelCompleteStatus,
  MvReadChannelStatus,
  MvWriteChannelStatus,
  MvWriteChannelStreamStatus,
} from '@mvmqtt/sdk';
import { OpaqueChannel } from '../opaque.js';
import type { Channel, ChannelBuffers } from '../channels.js';
import { checkedText, isU32 } from '../kernel/args.js';
import type { ChannelsBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';
import { NetworkLink } from '@mvmqtt/sdk/runtime';

/** What mvOpenChannel remembers between calls, kept in the kernel as `k.state(ChannelOpens)`. */
export class ChannelOpens {
  /** Times (performance.now) of recent successful opens, for the open rate limit. */
  recent: number[] = [];
  /** Fault injection: this many coming opens return UNAVAILABLE. */
  unavailable = 0;
}
const CHANNEL_TYPES = new Set<number>(Object.values(MvChannelType));

/**
 * The checks passed the version, both handles (live), the tag, both buffers (real memory holding
 * their lengths), the buffer sizes and alignments (the limit book) and the endpoint's bytes.
 */
export function openChannel(k: Kernel, link: NetworkLink, opens: ChannelOpens, params: MvOpenChannelParams, handleOut: MvOut<MvChannelHandle>): MvOpenChannelStatus {
  const v1 = params.v1;
  const { receive_buffer: rx, receive_buffer_len: rxLen, send_buffer: tx, send_buffer_len: txLen, notification_tag: tag } = v1;
  if (!CHANNEL_TYPES.has(v1.channel_type)) return MV_STATUS_UNKNOWNCHANNELTYPE;
  const endpoint = checkedText(v1.endpoint);
  if (endpoint !== '' && !k.options.knownEndpoints.includes(endpoint)) return MV_STATUS_UNKNOWNCHANNELENDPOINT;
  if (!link.up) return MV_STATUS_NETWORKNOTCONNECTED;
  if (opens.unavailable > 0) {
    opens.unavailable--;
    return MV_STATUS_UNAVAILABLE;
  }
  if (k.channels.size >= LIMITS.CHANNELS_OPEN_MAX.value) return LIMITS.CHANNELS_OPEN_MAX.status;

  // Rate limit: at most `value` successful opens within any `windowMs`.
  const now = performance.now();
  const rate = LIMITS.CHANNEL_OPEN_RATE;
  opens.recent = opens.recent.filter((t) => now - t < rate.windowMs);
  if (opens.recent.length >= rate.value) return rate.status;
  opens.recent.push(now);

  const buffers: ChannelBuffers = {
    receive: k.memory.range(rx!, rxLen),
    receiveLength: rxLen,
    send: k.memory.range(tx!, txLen),
    sendLength: txLen,
    receiveView: rx!.subarray(0, rxLen),
    sendView: tx!.subarray(0, txLen),
    endpoint,
  };
  const centre = k.centres.get(v1.notification_handle)!;
  const target = { centre, tag };
  let handle = 0;
  const channel = k.channelTypes.create(v1.channel_type, v1.channel_type, target, buffers, () => handle);
  handle = k.channels.add(channel);
  handleOut.value = handle as MvChannelHandle;
  return MV_STATUS_OKAY;
}

/** The checks found `*handleInOut` a live channel (closed by the server or not). */
export function closeChannel(k: Kernel, handleInOut: MvOut<MvChannelHandle>): MvCloseChannelStatus {
  const channel = k.args.target as Channel;
  channel.release();
  k.channels.delete(handleInOut.value);
  handleInOut.value = 0 as MvChannelHandle;
  return MV_STATUS_OKAY;
}

export function getChannelClosureReason(k: Kernel, reasonOut: MvOut<MvClosureReason>): MvGetChannelClosureReasonStatus {
  reasonOut.value = (k.args.target as Channel).closureReason;
  return MV_STATUS_OKAY;
}

const encoder = new TextEncoder();

// Raw channels: the checks passed the handle (a live, open opaque-bytes channel: `k.args.target`),
// the output pointers, len's width and data holding at least `len` bytes.

export function readChannel(k: Kernel, pointerOut: MvOut<Uint8Array | null>, lengthOut: MvOut<number>): MvReadChannelStatus {
  const bytes = (k.args.target as OpaqueChannel).readable();
  pointerOut.value = bytes;
  lengthOut.value = bytes.byteLength;
  return MV_STATUS_OKAY;
}

export function readChannelComplete(k: Kernel, consumed: number): MvReadChannelCompleteStatus {
  // The call has no status for a bad count: nothing is freed. More than was offered frees only what was there.
  (k.args.target as OpaqueChannel).consume(isU32(consumed) ? consumed : 0);
  return MV_STATUS_OKAY;
}

export function writeChannelStream(k: Kernel, data: Uint8Array | string, len: number, written: MvOut<number>): MvWriteChannelStreamStatus {
  const queued = (k.args.target as OpaqueChannel).queue(typeof data === 'string' ? encoder.encode(data) : data, len);
  return report(written, queued);
}

export function writeChannel(k: Kernel, data: Uint8Array | string, len: number, available: MvOut<number>): MvWriteChannelStatus {
  const channel = k.args.target as OpaqueChannel;
  // All or nothing; len 0 only asks for the free space.
  if (len > channel.sendSpace) return MV_STATUS_INVALIDBUFFERSIZE;
  channel.queue(typeof data === 'string' ? encoder.encode(data) : data, len);
  return report(available, channel.sendSpace);
}

/** Writes the count after the bytes were queued: a fault now is late (the bytes stay queued). */
function report(box: MvOut<number>, value: number): typeof MV_STATUS_OKAY | typeof MV_STATUS_LATEFAULT {
  try {
    box.value = value;
    return MV_STATUS_OKAY;
  } catch {
    return MV_STATUS_LATEFAULT;
  }
}

/** Registers the raw channel type with the kernel. */
function registerOpaqueChannels(k: Kernel): void {
  k.channelTypes.register(MV_CHANNELTYPE_OPAQUEBYTES, (type, target, buffers, handle) => new OpaqueChannel(type, target, buffers, k.options.opaqueEndpoint, handle));
}

export function createChannelsBehaviours(k: Kernel): ChannelsBehaviours {
  registerOpaqueChannels(k);
  const link = k.state(NetworkLink);
  const opens = k.state(ChannelOpens);
  return {
    mvReadChannel: (_handle, pointerOut, lengthOut) => readChannel(k, pointerOut, lengthOut),
    mvReadChannelComplete: (_handle, consumed) => readChannelComplete(k, consumed),
    mvWriteChannelStream: (_handle, data, len, written) => writeChannelStream(k, data, len, written),
    mvWriteChannel: (_handle, data, len, available) => writeChannel(k, data, len, available),
    mvOpenChannel: (params, handleOut) => openChannel(k, link, opens, params, handleOut),
    mvCloseChannel: (handleInOut) => closeChannel(k, handleInOut),
    mvGetChannelClosureReason: (_handle, reasonOut) => getChannelClosureReason(k, reasonOut),
  };
}
