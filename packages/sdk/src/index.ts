// The SDK: generated declarations and data from the spec, plus the hand-written helpers.
export * from './generated/index.js';
export * from './box.js';
