/** Where the generated mock files import from: the SDK package, and the mock's hand-written runtime. */
export { sdkPackage } from '../core/facts.js';

export const RUNTIME = {
  schema: '../schema.js',
  call: '../call.js',
} as const;
