/** The config-fetch area in the mock: one fetch per channel, answered from the mock's store or by the test (ChannelScript.answerConfig). */
import {
  MV_CONFIGKEYFETCHRESULT_KEYNOTFOUND,
  MV_CONFIGKEYFETCHRESULT_OK,
  MV_CONFIGKEYFETCHRESULT_SERVERERROR,
  MV_STATUS_INDEXINVALID,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_INVALIDCONFIGKEY,
  MV_STATUS_LATEFAULT,
  MV_STATUS_OKAY,
  MV_STATUS_REQUESTALREADYSENT,
  MV_STATUS_RESPONSENOTPRESENT,
} from '@mvmqtt/sdk';
import { ConfigStore, configKeyText, configRequestSize, unknownScopeOrStore, type ConfigStoreInput } from '@mvmqtt/sdk/runtime';
import type { ConfigFetchBehaviours } from '../generated/index.js';
import { answerConfig, configState, type ConfigKeySeen } from '../io.js';
import { channelOf, type Kernel } from '../kernel.js';
import { isObject } from '@mvmqtt/sdk/runtime';
import { utf8 } from '../values.js';


/** The config-fetch area's options (part of `MockOptions`). */
export interface ConfigFetchOptions {
  /**
   * The config store automatic fetch answers come from, in the device core's format (a JSON file
   * path, `{ device|account: { config|secret: { key: value } } }`, or a `ConfigStore`); checked
   * with the same parser, so a bad store throws the same `ConfigStoreError`.
   */
  config?: ConfigStoreInput;
  /** A config value longer than the application's buffer: 'error' (default, as the device core; SERVERERROR, nothing copied) or 'truncate'. */
  configValueTooLarge?: 'error' | 'truncate';
}

/** The store automatic fetch answers come from (the `config` option); `mock.setConfigItem` adds to it. */
export class ConfigAnswers {
  store = ConfigStore.empty();
}

export function createConfigFetchBehaviours(k: Kernel, options: ConfigFetchOptions): ConfigFetchBehaviours {
  const answers = k.state(ConfigAnswers);
  if (options.config !== undefined) answers.store = ConfigStore.load(options.config);
  const store = answers.store;
  const valueTooLarge = options.configValueTooLarge ?? 'error';
  return {
    mvSendConfigFetchRequest(call, handle, request) {
      const channel = channelOf(k, handle);
      const state = configState(channel);
      if (state.sent) return MV_STATUS_REQUESTALREADYSENT;
      const keys: ConfigKeySeen[] = [];
      // Key by key, as the device core reads them: a bad element is a late fault where it is met.
      for (let i = 0; i < request.num_items; i++) {
        const item: unknown = (request.keys_to_fetch as unknown[] | null)?.[i];
        if (!isObject(item)) break;
        const { scope, store, key } = item as { scope: number; store: number; key: { data: unknown; length: number } };
        const unknown = unknownScopeOrStore(scope, store);
        if (unknown !== undefined) return unknown;
        const data = typeof key.data === 'string' ? utf8(key.data) : key.data;
        if (key.length > 0 && !(data instanceof Uint8Array && data.byteLength >= key.length)) break;
        const text = configKeyText(key.length === 0 ? undefined : (data as Uint8Array).subarray(0, key.length));
        if (text === undefined) return MV_STATUS_INVALIDCONFIGKEY;
        keys.push({ scope, store, key: text });
      }
      if (keys.length < request.num_items || call.lateFault) {
        // The kernel had started reading the request: the channel's one request is spent.
        state.sent = true;
        return MV_STATUS_LATEFAULT;
      }
      if (configRequestSize(keys) > channel.views!.send.byteLength) return MV_STATUS_INVALIDBUFFERSIZE;
      state.sent = true;
      state.keys = keys;
      if (k.respond === 'auto') k.defer(() => answerConfig(channel, keys.map((key) => store.get(key.scope, key.store, key.key))));
      return MV_STATUS_OKAY;
    },

    mvReadConfigFetchResponseData(_call, handle, response_data) {
      const answer = configState(channelOf(k, handle)).answer;
      if (!answer) return MV_STATUS_RESPONSENOTPRESENT;
      response_data.result = answer.result;
      response_data.num_items = answer.items.length;
      return MV_STATUS_OKAY;
    },

    mvReadConfigResponseItem(_call, handle, params) {
      const answer = configState(channelOf(k, handle)).answer;
      if (!answer) return MV_STATUS_RESPONSENOTPRESENT;
      if (params.item_index >= answer.items.length) return MV_STATUS_INDEXINVALID;
      const value = answer.items[params.item_index];
      const { data, size, length } = params.buf;
      let copied = 0;
      let result: number = MV_CONFIGKEYFETCHRESULT_OK;
      // As the device core: too long is SERVERERROR with nothing copied, or (configValueTooLarge 'truncate') what fits.
      if (!value) result = MV_CONFIGKEYFETCHRESULT_KEYNOTFOUND;
      else if (value.byteLength > size && valueTooLarge === 'error') result = MV_CONFIGKEYFETCHRESULT_SERVERERROR;
      else {
        copied = Math.min(size, value.byteLength);
        data!.set(value.subarray(0, copied));
      }
      (params.result as { value: number }).value = result;
      length!.value = copied;
      return MV_STATUS_OKAY;
    },
  };
}
