/**
 * The rules the spec states per function rather than per argument: some calls refuse inside an
 * IRQ handler, some only work in application-test mode. Applied around the behaviours, from
 * the spec's metadata, so no behaviour repeats them.
 */
import { FUNCTIONS, type MvFunctionName } from '@mvmqtt/sdk';
import { refusedInInterrupt, refusedOutsideTestMode } from '@mvmqtt/sdk/runtime';
import type { DeviceBehaviours } from '../generated/index.js';
import type { Kernel } from './kernel.js';

/** The functions with a calling-context rule, found once rather than per device. */
const GUARDED = (Object.keys(FUNCTIONS) as MvFunctionName[]).filter((fn) => {
  const info = FUNCTIONS[fn] as { notInInterrupt?: number; testModeOnly?: number };
  return info.notInInterrupt !== undefined || info.testModeOnly !== undefined;
});

/** Wraps the guarded functions of `behaviours` (a fresh object, changed in place and returned). */
export function guardBehaviours(k: Kernel, behaviours: DeviceBehaviours): DeviceBehaviours {
  const guarded = behaviours as unknown as Record<MvFunctionName, (...args: unknown[]) => number>;
  for (const fn of GUARDED) {
    const inner = guarded[fn];
    guarded[fn] = (...args: unknown[]) => refusedInInterrupt(fn, k.nvic.inHandler) ?? refusedOutsideTestMode(fn, k.system.testMode) ?? inner(...args);
  }
  return behaviours;
}
