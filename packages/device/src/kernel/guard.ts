/**
 * The rules the spec states per function rather than per argument: some calls refuse inside an
 * IRQ handler, some only work in application-test mode. Applied around the behaviours, from
 * the spec's metadata, so no behaviour repeats them.
 */
import { FUNCTIONS, type MvFunctionName } from '@mvmqtt/sdk';
import { refusedInInterrupt, refusedOutsideTestMode } from '@mvmqtt/sdk/runtime';
import type { DeviceBehaviours } from '../generated/index.js';
import type { Kernel } from './kernel.js';

export function guardBehaviours(k: Kernel, behaviours: DeviceBehaviours): DeviceBehaviours {
  const guarded: Record<string, unknown> = { ...behaviours };
  for (const fn of Object.keys(FUNCTIONS) as MvFunctionName[]) {
    const info = FUNCTIONS[fn] as { notInInterrupt?: number; testModeOnly?: number };
    if (info.notInInterrupt === undefined && info.testModeOnly === undefined) continue;
    const inner = behaviours[fn] as (...args: unknown[]) => number;
    guarded[fn] = (...args: unknown[]) => refusedInInterrupt(fn, k.nvic.inHandler) ?? refusedOutsideTestMode(fn, k.system.testMode) ?? inner(...args);
  }
  return guarded as unknown as DeviceBehaviours;
}
