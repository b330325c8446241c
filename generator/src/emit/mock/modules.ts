/** Where the generated mock files import from: the SDK package, and the mock's hand-written runtime. */
import type { Model } from '../../model/model.js';

export { sdkPackage } from '../core/facts.js';

/** The published mock package (`<scope>/mock`), which a standalone mock imports its runtime from. */
export function mockPackage(model: Model): string {
  return `${model.product.npmScope}/mock`;
}

export const RUNTIME = {
  schema: '../schema.js',
  call: '../call.js',
} as const;
