/**
 * `json` target: the normalised spec (`<name>.json`), published with the spec package for other
 * tools (in the way webgpu-headers publishes webgpu.json). It is the model itself, plus a header.
 */
import type { Emitter } from '../emitter.js';
import { bannerLines } from '../banner.js';

export const jsonEmitter: Emitter = {
  target: 'json',
  description: 'normalised spec',
  ownedDirs: (model) => [model.product.outputs.json],
  emit(model, ctx) {
    const doc = {
      $comment: bannerLines(ctx).join(' '),
      ...model.data,
    };
    return [{ path: `${model.product.outputs.json}/${model.product.name}.json`, contents: `${JSON.stringify(doc, null, 2)}\n` }];
  },
};
