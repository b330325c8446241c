/** The external-flash area in the mock: the device core's flash and calls (`ExternalFlash`, `externalFlashCalls` of the shared runtime), in memory or file-backed. */
import { ExternalFlash, externalFlashCalls, type ExternalFlashOptions } from '@mvmqtt/sdk/runtime';
import type { ExternalFlashBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel.js';

/** The external-flash area's options (part of `MockOptions`). */
export interface ExternalFlashAreaOptions {
  /** Geometry and backing of the external flash, as the device core's option (default 1 MiB in memory). */
  externalFlash?: ExternalFlashOptions;
  /** Bytes of external flash the application may use (default 1 MiB, as the device core); `externalFlash.size` says the same. */
  externalFlashSize?: number;
}

export function createExternalFlashBehaviours(k: Kernel, options: ExternalFlashAreaOptions): ExternalFlashBehaviours {
  const flash = new ExternalFlash({ ...options.externalFlash, size: options.externalFlash?.size ?? options.externalFlashSize });
  // Open handles name nothing but themselves.
  const calls = externalFlashCalls(flash, k.handleTable<object>('MvExternalFlashHandle'), () => k.nvic.inHandler);
  return {
    mvExternalFlashOpen: (_call, handle) => calls.mvExternalFlashOpen(handle),
    mvExternalFlashClose: (_call, handle) => calls.mvExternalFlashClose(handle),
    mvExternalFlashReadBlocking: (_call, handle, address, length, buffer) => calls.mvExternalFlashReadBlocking(handle, address, length, buffer),
    mvExternalFlashEraseBlocking: (_call, handle, address, length) => calls.mvExternalFlashEraseBlocking(handle, address, length),
    mvExternalFlashWriteBlocking: (_call, handle, address, length, buffer) => calls.mvExternalFlashWriteBlocking(handle, address, length, buffer),
    mvExternalFlashGetInfo: (_call, handle, info) => calls.mvExternalFlashGetInfo(handle, info),
  };
}
