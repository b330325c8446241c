/**
 * Simulated application memory: the model is shared with the mock (`@mvmqtt/sdk/runtime`);
 * the checks on what the application passed live here.
 */
export { SimulatedMemory, overlaps, type AddressRange } from '@mvmqtt/sdk/runtime';

/** True when `x` is a live (not detached) view of the wanted element type. */
export function isBytes(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array;
}

export function isWords(x: unknown): x is Uint32Array {
  return x instanceof Uint32Array;
}
