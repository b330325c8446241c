/** Where the generated mock files import from: the SDK package, and the mock's hand-written runtime. */
export const SDK = '@mvmqtt/sdk';

export const RUNTIME = {
  schema: '../schema.js',
  call: '../call.js',
} as const;

export const MOCK_GENERATED_DIR = 'packages/mock/src/generated';
