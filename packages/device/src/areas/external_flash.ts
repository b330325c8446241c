/** The external-flash area: handles onto the application's part of the SPI flash (`ExternalFlash` and its calls, shared with the mock). */
import { ExternalFlash, HandleAllocator, HandleTable, externalFlashCalls, type ExternalFlashOptions } from '@mvmqtt/sdk/runtime';
import type { ExternalFlashBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';

/** The external-flash area's options (part of `DeviceOptions`). */
export interface ExternalFlashAreaOptions {
  /** Geometry and backing of the external flash (default: 1 MiB in memory, chip id 0x00EF4017). */
  externalFlash?: ExternalFlashOptions;
}

export function createExternalFlashBehaviours(k: Kernel, options: ExternalFlashAreaOptions): ExternalFlashBehaviours {
  const handles = new HandleTable<object>(new HandleAllocator(k.options.random));
  k.handleTables.set('MvExternalFlashHandle', handles);
  return externalFlashCalls(new ExternalFlash(options.externalFlash ?? {}), handles, () => k.nvic.inHandler);
}
