/**
 * `json` target: the normalised spec, published from @mvmqtt/api-spec for other tools
 * (in the way webgpu-headers publishes webgpu.json). It is the model itself, plus a header.
 */
import type { Emitter } from '../emitter.js';
import { bannerLines } from '../banner.js';

export const jsonEmitter: Emitter = {
  target: 'json',
  description: 'normalised spec (api-spec/generated/mvmqtt.json)',
  ownedDirs: ['api-spec/generated'],
  emit(model, ctx) {
    const doc = {
      $comment: bannerLines(ctx).join(' '),
      ...model.data,
    };
    return [{ path: 'api-spec/generated/mvmqtt.json', contents: `${JSON.stringify(doc, null, 2)}\n` }];
  },
};
