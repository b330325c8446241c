/** The config-fetch area in the mock: one fetch per channel, answered from the mock's store or by the test (ChannelScript.answerConfig). */
import {
  MV_CONFIGKEYFETCHRESULT_KEYNOTFOUND,
  MV_CONFIGKEYFETCHRESULT_OK,
  MV_CONFIGKEYFETCHRESULT_SERVERERROR,
  MV_STATUS_INDEXINVALID,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_LATEFAULT,
  MV_STATUS_OKAY,
  MV_STATUS_REQUESTALREADYSENT,
  MV_STATUS_RESPONSENOTPRESENT,
} from '@mvmqtt/sdk';
import { ConfigStore, configKeysToFetch, configRequestSize, type ConfigStoreInput } from '@mvmqtt/sdk/runtime';
import type { ConfigFetchBehaviours } from '../generated/index.js';
import { answerConfig, configState } from '../io.js';
import { channelOf, type Kernel } from '../kernel.js';


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
      const keys = configKeysToFetch(request, call.lateFault !== undefined);
      if (typeof keys === 'number') {
        // The kernel had started reading the request: the channel's one request is spent.
        if (keys === MV_STATUS_LATEFAULT) state.sent = true;
        return keys;
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
