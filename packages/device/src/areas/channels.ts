/** The channels area: open, close, closure reason, and raw byte I/O on opaque-bytes channels. */
import {
  LIMITS,
  MV_CHANNELTYPE_OPAQUEBYTES,
  MV_STATUS_CHANNELCLOSED,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_INVALIDHANDLE,
  MV_STATUS_LATEFAULT,
  MV_STATUS_NETWORKNOTCONNECTED,
  MV_STATUS_OKAY,
  MV_STATUS_PARAMETERFAULT,
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
import { checkedText, isBox, isU32 } from '../kernel/args.js';
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

/** The bytes a `const uint8_t *data, uint32_t len` pair names, or undefined for a bad pointer or a length past its end. */
function dataBytes(data: unknown, len: unknown): Uint8Array | undefined {
  if (!isU32(len)) return undefined;
  const bytes = data instanceof Uint8Array ? data : typeof data === 'string' ? encoder.encode(data) : undefined;
  if (!bytes || len > bytes.byteLength) return undefined;
  return bytes;
}

/** The raw channel behind `handle`, or the status that says why there is none. */
function opaqueChannel(k: Kernel, handle: unknown): OpaqueChannel | typeof MV_STATUS_INVALIDHANDLE | typeof MV_STATUS_CHANNELCLOSED {
  const channel = k.channels.get(handle);
  if (!(channel instanceof OpaqueChannel)) return MV_STATUS_INVALIDHANDLE;
  if (channel.closed) return MV_STATUS_CHANNELCLOSED;
  return channel;
}

export function readChannel(k: Kernel, handle: unknown, pointerOut: unknown, lengthOut: unknown): MvReadChannelStatus {
  const channel = opaqueChannel(k, handle);
  if (!(channel instanceof OpaqueChannel)) return channel;
  if (!isBox(pointerOut) || !isBox(lengthOut)) return MV_STATUS_PARAMETERFAULT;
  const bytes = channel.readable();
  (pointerOut as MvOut<Uint8Array | null>).value = bytes;
  (lengthOut as MvOut<number>).value = bytes.byteLength;
  return MV_STATUS_OKAY;
}

export function readChannelComplete(k: Kernel, handle: unknown, consumed: unknown): MvReadChannelCompleteStatus {
  const channel = opaqueChannel(k, handle);
  if (!(channel instanceof OpaqueChannel)) return channel;
  // More than was offered frees only what was there (the call has no status for it).
  channel.consume(isU32(consumed) ? consumed : 0);
  return MV_STATUS_OKAY;
}

export function writeChannelStream(k: Kernel, handle: unknown, data: unknown, len: unknown, written: unknown): MvWriteChannelStreamStatus {
  const channel = opaqueChannel(k, handle);
  if (!(channel instanceof OpaqueChannel)) return channel;
  const bytes = dataBytes(data, len);
  if (!bytes || !isBox(written)) return MV_STATUS_PARAMETERFAULT;
  const queued = channel.queue(bytes, len as number);
  return report(written as MvOut<number>, queued);
}

export function writeChannel(k: Kernel, handle: unknown, data: unknown, len: unknown, available: unknown): MvWriteChannelStatus {
  const channel = opaqueChannel(k, handle);
  if (!(channel instanceof OpaqueChannel)) return channel;
  const bytes = dataBytes(data, len);
  if (!bytes || !isBox(available)) return MV_STATUS_PARAMETERFAULT;
  // All or nothing; len 0 only asks for the free space.
  if ((len as number) > channel.sendSpace) return MV_STATUS_INVALIDBUFFERSIZE;
  channel.queue(bytes, len as number);
  return report(available as MvOut<number>, channel.sendSpace);
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
    mvReadChannel: (handle, pointerOut, lengthOut) => readChannel(k, handle, pointerOut, lengthOut),
    mvReadChannelComplete: (handle, consumed) => readChannelComplete(k, handle, consumed),
    mvWriteChannelStream: (handle, data, len, written) => writeChannelStream(k, handle, data, len, written),
    mvWriteChannel: (handle, data, len, available) => writeChannel(k, handle, data, len, available),
    mvOpenChannel: (params, handleOut) => openChannel(k, link, opens, params, handleOut),
    mvCloseChannel: (handleInOut) => closeChannel(k, handleInOut),
    mvGetChannelClosureReason: (_handle, reasonOut) => getChannelClosureReason(k, reasonOut),
  };
}
