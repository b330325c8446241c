/**
 * The config-fetch area: one request per MV_CHANNELTYPE_CONFIGFETCH channel, answered from the
 * device's config store (option `config`) with one CHANNELDATAREADABLE; items in request order.
 */
import {
  MV_CHANNELTYPE_CONFIGFETCH,
  MV_CONFIGFETCHRESULT_OK,
  MV_CONFIGFETCHRESULT_RESPONSETOOLARGE,
  MV_CONFIGKEYFETCHRESULT_KEYNOTFOUND,
  MV_CONFIGKEYFETCHRESULT_OK,
  MV_CONFIGKEYFETCHRESULT_SERVERERROR,
  MV_EVENTTYPE_CHANNELDATAREADABLE,
  MV_STATUS_INDEXINVALID,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_LATEFAULT,
  MV_STATUS_OKAY,
  MV_STATUS_REQUESTALREADYSENT,
  MV_STATUS_RESPONSENOTPRESENT,
} from '@mvmqtt/sdk';
import type {
  MvChannelType,
  MvConfigFetchResult,
  MvConfigKeyFetchParams,
  MvConfigResponseData,
  MvConfigResponseReadItemParams,
  MvConfigKeyFetchResult,
  MvReadConfigFetchResponseDataStatus,
  MvReadConfigResponseItemStatus,
  MvSendConfigFetchRequestStatus,
} from '@mvmqtt/sdk';
import { configAnswerSize, configKeysToFetch, configRequestSize, type ConfigKeySeen, type NotificationTarget } from '@mvmqtt/sdk/runtime';
import { Channel, type ChannelBuffers } from '../channels.js';
import { ConfigStore } from '../config-store.js';
import type { ConfigFetchBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';


interface ConfigAnswer {
  result: MvConfigFetchResult;
  items: { value: Uint8Array | undefined }[];
}

export class ConfigFetchChannel extends Channel {
  sent = false;
  answer: ConfigAnswer | undefined;

  constructor(type: MvChannelType, target: NotificationTarget, buffers: ChannelBuffers) {
    super(type, target, buffers);
  }

  override get unread(): number {
    return this.answer ? 1 : 0;
  }

  /** Answers on a later turn of the event loop, as the cloud would. */
  fetch(store: ConfigStore, keys: readonly ConfigKeySeen[]): void {
    setImmediate(() => {
      if (this.closed || this.released) return;
      const items = keys.map((k) => ({ value: store.get(k.scope, k.store, k.key) }));
      const size = configAnswerSize(items.map((i) => i.value));
      this.answer = size > this.buffers.receiveLength ? { result: MV_CONFIGFETCHRESULT_RESPONSETOOLARGE, items: [] } : { result: MV_CONFIGFETCHRESULT_OK, items };
      this.target.centre.post(MV_EVENTTYPE_CHANNELDATAREADABLE, this.target.tag);
    });
  }
}

/**
 * The checks passed the handle (a live, open config-fetch channel: `k.args.target`), the request's
 * pointer, num_items' width and CONFIG_KEYS_PER_REQUEST_MAX; a key they could not read is recorded
 * as a late fault, met when the kernel reaches it.
 */
export function sendConfigFetchRequest(k: Kernel, store: () => ConfigStore, request: MvConfigKeyFetchParams): MvSendConfigFetchRequestStatus {
  const channel = k.args.target as ConfigFetchChannel;
  if (channel.sent) return MV_STATUS_REQUESTALREADYSENT;
  const keys = configKeysToFetch(request, k.args.lateFault !== undefined);
  if (typeof keys === 'number') {
    // The kernel had started reading the request: the channel's one request is spent.
    if (keys === MV_STATUS_LATEFAULT) channel.sent = true;
    return keys;
  }
  if (configRequestSize(keys) > channel.buffers.sendLength) return MV_STATUS_INVALIDBUFFERSIZE;
  channel.sent = true;
  channel.fetch(store(), keys);
  return MV_STATUS_OKAY;
}

export function readConfigFetchResponseData(k: Kernel, data: MvConfigResponseData): MvReadConfigFetchResponseDataStatus {
  const answer = (k.args.target as ConfigFetchChannel).answer;
  if (!answer) return MV_STATUS_RESPONSENOTPRESENT;
  data.result = answer.result;
  data.num_items = answer.items.length;
  return MV_STATUS_OKAY;
}

/** The checks passed item_index's width, the result pointer, and buf (data holding `size` writable bytes, its length pointer). */
export function readConfigResponseItem(k: Kernel, params: MvConfigResponseReadItemParams): MvReadConfigResponseItemStatus {
  const answer = (k.args.target as ConfigFetchChannel).answer;
  if (!answer) return MV_STATUS_RESPONSENOTPRESENT;
  const item = answer.items[params.item_index];
  if (!item) return MV_STATUS_INDEXINVALID;
  const { data, size, length } = params.buf;
  let result: MvConfigKeyFetchResult = MV_CONFIGKEYFETCHRESULT_OK;
  let copied = 0;
  if (!item.value) result = MV_CONFIGKEYFETCHRESULT_KEYNOTFOUND;
  else if (item.value.byteLength > size && k.options.configValueTooLarge === 'error') result = MV_CONFIGKEYFETCHRESULT_SERVERERROR;
  else {
    copied = Math.min(size, item.value.byteLength);
    data!.set(item.value.subarray(0, copied));
  }
  params.result!.value = result;
  length!.value = copied;
  return MV_STATUS_OKAY;
}

export function createConfigFetchBehaviours(k: Kernel): ConfigFetchBehaviours {
  k.channelTypes.register(MV_CHANNELTYPE_CONFIGFETCH, (type, target, buffers) => new ConfigFetchChannel(type, target, buffers));
  // Loaded once, when the device is made, so that a bad store fails at start and not on first use.
  const store = k.options.config === undefined ? ConfigStore.empty() : ConfigStore.load(k.options.config);
  return {
    mvSendConfigFetchRequest: (_handle, request) => sendConfigFetchRequest(k, () => store, request),
    mvReadConfigFetchResponseData: (_handle, data) => readConfigFetchResponseData(k, data),
    mvReadConfigResponseItem: (_handle, params) => readConfigResponseItem(k, params),
  };
}
