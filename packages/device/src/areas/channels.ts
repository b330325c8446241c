/** The channels area: mvOpenChannel, mvCloseChannel, mvGetChannelClosureReason. */
import {
  LIMITS,
  MV_STATUS_INVALIDBUFFERALIGNMENT,
  MV_STATUS_INVALIDHANDLE,
  MV_STATUS_NETWORKNOTCONNECTED,
  MV_STATUS_OKAY,
  MV_STATUS_PARAMETERFAULT,
  MV_STATUS_UNAVAILABLE,
  MV_STATUS_UNKNOWNCHANNELENDPOINT,
  MV_STATUS_UNKNOWNCHANNELTYPE,
  MvChannelType,
} from '@mvmqtt/sdk';
import type { MvChannelHandle, MvCloseChannelStatus, MvGetChannelClosureReasonStatus, MvOpenChannelStatus, MvOut } from '@mvmqtt/sdk';
import type { ChannelBuffers } from '../channels.js';
import { isBox, isStruct, isU32, sizedText, structVersions } from '../kernel/args.js';
import type { ChannelsBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';

const VERSIONS = structVersions('MvOpenChannelParams');
const CHANNEL_TYPES = new Set<number>(Object.values(MvChannelType));

function sizeOk(len: number): boolean {
  return len >= LIMITS.CHANNEL_BUFFER_SIZE_MIN.value && len % LIMITS.CHANNEL_BUFFER_SIZE_MULTIPLE.value === 0;
}

export function openChannel(k: Kernel, params: unknown, handleOut: unknown): MvOpenChannelStatus {
  if (!isStruct(params) || !isBox(handleOut)) return MV_STATUS_PARAMETERFAULT;
  // This call has no UNSUPPORTEDSTRUCTUREVERSION in its table: an unknown version is a bad struct.
  const v1 = params.v1;
  if (!VERSIONS.has(params.version as number) || !isStruct(v1)) return MV_STATUS_PARAMETERFAULT;
  const { receive_buffer: rx, receive_buffer_len: rxLen, send_buffer: tx, send_buffer_len: txLen, notification_tag: tag } = v1;
  if (!isU32(tag) || !(rx instanceof Uint8Array) || !(tx instanceof Uint8Array) || !isU32(rxLen) || !isU32(txLen)) return MV_STATUS_PARAMETERFAULT;
  if (rxLen > rx.byteLength || txLen > tx.byteLength) return MV_STATUS_PARAMETERFAULT;
  const endpoint = sizedText(v1.endpoint, 'params->v1.endpoint', false);

  const centre = k.centres.get(v1.notification_handle);
  const network = k.networks.get(v1.network_handle);
  if (!centre || !network) return MV_STATUS_INVALIDHANDLE;
  if (!CHANNEL_TYPES.has(v1.channel_type as number)) return MV_STATUS_UNKNOWNCHANNELTYPE;
  if (!sizeOk(rxLen) || !sizeOk(txLen)) return LIMITS.CHANNEL_BUFFER_SIZE_MULTIPLE.status;
  if (!k.memory.isAligned(tx, LIMITS.CHANNEL_SEND_BUFFER_ALIGNMENT.value)) return LIMITS.CHANNEL_SEND_BUFFER_ALIGNMENT.status;
  const rxAlignment = k.options.limits.value('CHANNEL_RECEIVE_BUFFER_ALIGNMENT');
  if (k.options.checkReceiveBufferAlignment && rxAlignment !== undefined && !k.memory.isAligned(rx, rxAlignment)) {
    return MV_STATUS_INVALIDBUFFERALIGNMENT;
  }
  if (endpoint !== '' && !k.options.knownEndpoints.includes(endpoint)) return MV_STATUS_UNKNOWNCHANNELENDPOINT;
  if (!k.networkUp) return MV_STATUS_NETWORKNOTCONNECTED;
  if (k.unavailableOpens > 0) {
    k.unavailableOpens--;
    return MV_STATUS_UNAVAILABLE;
  }
  if (k.channels.size >= LIMITS.CHANNELS_OPEN_MAX.value) return LIMITS.CHANNELS_OPEN_MAX.status;

  // Rate limit: at most `value` successful opens within any `windowMs`.
  const now = performance.now();
  const rate = LIMITS.CHANNEL_OPEN_RATE;
  k.recentOpens = k.recentOpens.filter((t) => now - t < rate.windowMs);
  if (k.recentOpens.length >= rate.value) return rate.status;
  k.recentOpens.push(now);

  const buffers: ChannelBuffers = { receive: k.memory.range(rx, rxLen), receiveLength: rxLen, send: k.memory.range(tx, txLen), sendLength: txLen };
  const target = { centre, tag };
  let handle = 0;
  const channel = k.channelTypes.create(v1.channel_type as MvChannelType, v1.channel_type as MvChannelType, target, buffers, () => handle);
  handle = k.channels.add(channel);
  (handleOut as MvOut<MvChannelHandle>).value = handle as MvChannelHandle;
  return MV_STATUS_OKAY;
}

export function closeChannel(k: Kernel, handleInOut: unknown): MvCloseChannelStatus {
  if (!isBox(handleInOut)) return MV_STATUS_PARAMETERFAULT;
  const h = handleInOut.value;
  const channel = k.channels.get(h);
  if (!channel) return MV_STATUS_INVALIDHANDLE;
  channel.release();
  k.channels.delete(h as number);
  handleInOut.value = 0;
  return MV_STATUS_OKAY;
}

export function getChannelClosureReason(k: Kernel, handle: unknown, reasonOut: unknown): MvGetChannelClosureReasonStatus {
  if (!isBox(reasonOut)) return MV_STATUS_PARAMETERFAULT;
  const channel = k.channels.get(handle);
  if (!channel) return MV_STATUS_INVALIDHANDLE;
  reasonOut.value = channel.closureReason;
  return MV_STATUS_OKAY;
}

export function createChannelsBehaviours(k: Kernel): ChannelsBehaviours {
  return {
    mvOpenChannel: (params, handleOut) => openChannel(k, params, handleOut),
    mvCloseChannel: (handleInOut) => closeChannel(k, handleInOut),
    mvGetChannelClosureReason: (handle, reasonOut) => getChannelClosureReason(k, handle, reasonOut),
  };
}
