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
  MV_STATUS_CHANNELCLOSED,
  MV_STATUS_INDEXINVALID,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_INVALIDCONFIGKEY,
  MV_STATUS_INVALIDHANDLE,
  MV_STATUS_LATEFAULT,
  MV_STATUS_OKAY,
  MV_STATUS_PARAMETERFAULT,
  MV_STATUS_REQUESTALREADYSENT,
  MV_STATUS_RESPONSENOTPRESENT,
  MV_STATUS_TOOMANYCONFIGKEYS,
} from '@mvmqtt/sdk';
import type {
  MvChannelType,
  MvConfigFetchResult,
  MvConfigKeyFetchResult,
  MvReadConfigFetchResponseDataStatus,
  MvReadConfigResponseItemStatus,
  MvSendConfigFetchRequestStatus,
} from '@mvmqtt/sdk';
import { configAnswerSize, configKeyText, configRequestSize, unknownScopeOrStore, type NotificationTarget } from '@mvmqtt/sdk/runtime';
import { Channel, type ChannelBuffers } from '../channels.js';
import { ConfigStore } from '../config-store.js';
import { Fault, fault, isBox, isStruct, isU32, sizedBytes } from '../kernel/args.js';
import type { ConfigFetchBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';


interface KeyToFetch {
  scope: number;
  store: number;
  key: string;
}

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
  fetch(store: ConfigStore, keys: readonly KeyToFetch[]): void {
    setImmediate(() => {
      if (this.closed || this.released) return;
      const items = keys.map((k) => ({ value: store.get(k.scope, k.store, k.key) }));
      const size = configAnswerSize(items.map((i) => i.value));
      this.answer = size > this.buffers.receiveLength ? { result: MV_CONFIGFETCHRESULT_RESPONSETOOLARGE, items: [] } : { result: MV_CONFIGFETCHRESULT_OK, items };
      this.target.centre.post(MV_EVENTTYPE_CHANNELDATAREADABLE, this.target.tag);
    });
  }
}

function configChannel(k: Kernel, handle: unknown): ConfigFetchChannel | typeof MV_STATUS_INVALIDHANDLE | typeof MV_STATUS_CHANNELCLOSED {
  const channel = k.channels.get(handle);
  if (!(channel instanceof ConfigFetchChannel)) return MV_STATUS_INVALIDHANDLE;
  if (channel.closed) return MV_STATUS_CHANNELCLOSED;
  return channel;
}


export function sendConfigFetchRequest(k: Kernel, store: () => ConfigStore, handle: unknown, request: unknown): MvSendConfigFetchRequestStatus {
  const channel = configChannel(k, handle);
  if (!(channel instanceof ConfigFetchChannel)) return channel;
  if (!isStruct(request)) return MV_STATUS_PARAMETERFAULT;
  const count = request.num_items;
  if (!isU32(count)) return MV_STATUS_PARAMETERFAULT;
  const maxKeys = k.options.limits.get('CONFIG_KEYS_PER_REQUEST_MAX')?.value;
  if (maxKeys !== undefined && count > maxKeys) return MV_STATUS_TOOMANYCONFIGKEYS;
  if (channel.sent) return MV_STATUS_REQUESTALREADYSENT;
  const keys: KeyToFetch[] = [];
  try {
    const list = request.keys_to_fetch;
    if (count > 0 && !Array.isArray(list)) fault('request->keys_to_fetch is not a valid pointer', true);
    for (let i = 0; i < count; i++) {
      const item: unknown = (list as unknown[])[i];
      if (!isStruct(item)) fault(`request->keys_to_fetch[${i}] is not a valid element`, true);
      const unknown = unknownScopeOrStore(item.scope, item.store);
      if (unknown !== undefined) return unknown;
      const text = configKeyText(sizedBytes(item.key, `request->keys_to_fetch[${i}].key`, true));
      if (text === undefined) return MV_STATUS_INVALIDCONFIGKEY;
      keys.push({ scope: item.scope as number, store: item.store as number, key: text });
    }
  } catch (err) {
    if (!(err instanceof Fault)) throw err;
    // The kernel had started reading the request: the channel's one request is spent.
    channel.sent = true;
    return MV_STATUS_LATEFAULT;
  }
  if (configRequestSize(keys) > channel.buffers.sendLength) return MV_STATUS_INVALIDBUFFERSIZE;
  channel.sent = true;
  channel.fetch(store(), keys);
  return MV_STATUS_OKAY;
}

export function readConfigFetchResponseData(k: Kernel, handle: unknown, data: unknown): MvReadConfigFetchResponseDataStatus {
  const channel = configChannel(k, handle);
  if (!(channel instanceof ConfigFetchChannel)) return channel;
  if (!isStruct(data)) return MV_STATUS_PARAMETERFAULT;
  const answer = channel.answer;
  if (!answer) return MV_STATUS_RESPONSENOTPRESENT;
  data.result = answer.result;
  data.num_items = answer.items.length;
  return MV_STATUS_OKAY;
}

export function readConfigResponseItem(k: Kernel, handle: unknown, params: unknown): MvReadConfigResponseItemStatus {
  const channel = configChannel(k, handle);
  if (!(channel instanceof ConfigFetchChannel)) return channel;
  if (!isStruct(params) || !isU32(params.item_index) || !isBox(params.result) || !isStruct(params.buf)) return MV_STATUS_PARAMETERFAULT;
  const { data, size, length } = params.buf;
  if (!(data instanceof Uint8Array) || !isU32(size) || size > data.byteLength || !isBox(length)) return MV_STATUS_PARAMETERFAULT;
  const answer = channel.answer;
  if (!answer) return MV_STATUS_RESPONSENOTPRESENT;
  const item = answer.items[params.item_index];
  if (!item) return MV_STATUS_INDEXINVALID;
  let result: MvConfigKeyFetchResult = MV_CONFIGKEYFETCHRESULT_OK;
  let copied = 0;
  if (!item.value) result = MV_CONFIGKEYFETCHRESULT_KEYNOTFOUND;
  else if (item.value.byteLength > size && k.options.configValueTooLarge === 'error') result = MV_CONFIGKEYFETCHRESULT_SERVERERROR;
  else {
    copied = Math.min(size, item.value.byteLength);
    data.set(item.value.subarray(0, copied));
  }
  params.result.value = result;
  length.value = copied;
  return MV_STATUS_OKAY;
}

export function createConfigFetchBehaviours(k: Kernel): ConfigFetchBehaviours {
  k.channelTypes.register(MV_CHANNELTYPE_CONFIGFETCH, (type, target, buffers) => new ConfigFetchChannel(type, target, buffers));
  // Loaded once, when the device is made, so that a bad store fails at start and not on first use.
  const store = k.options.config === undefined ? ConfigStore.empty() : ConfigStore.load(k.options.config);
  return {
    mvSendConfigFetchRequest: (handle, request) => sendConfigFetchRequest(k, () => store, handle, request),
    mvReadConfigFetchResponseData: (handle, data) => readConfigFetchResponseData(k, handle, data),
    mvReadConfigResponseItem: (handle, params) => readConfigResponseItem(k, handle, params),
  };
}
