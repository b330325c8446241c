/**
 * When the device runs pended IRQ handlers (the NVIC's delivery strategy).
 *
 * `tick` (process.nextTick, the default) interleaves them with mqtt.js's packet processing, which
 * itself steps from packet to packet on nextTick, so the application drains items as they arrive;
 * `microtask` waits until the whole nextTick queue is empty (a burst of packets is parsed first);
 * `macrotask` defers them to setImmediate.
 */
import { nextTick } from 'node:process';
import type { IrqScheduler } from '@mvmqtt/sdk/runtime';

export type IrqDelivery = 'tick' | 'microtask' | 'macrotask';

export const IRQ_SCHEDULERS: Readonly<Record<IrqDelivery, IrqScheduler>> = {
  // nextTick imported: the global `process` is a getter in Node, a call per pend.
  tick: (drain) => nextTick(drain),
  microtask: (drain) => queueMicrotask(drain),
  macrotask: (drain) => setImmediate(drain),
};
