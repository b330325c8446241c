/** The external-flash area in the mock: the device core's flash (`ExternalFlash` of the shared runtime), in memory or file-backed, with the same rules. */
import {
  LIMITS,
  MV_STATUS_ADDRESSOUTOFRANGE,
  MV_STATUS_OKAY,
  MV_STATUS_UNAVAILABLE,
  MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION,
  STRUCT_VERSIONS,
  type MvExternalFlashHandle,
} from '@mvmqtt/sdk';
import { ExternalFlash, type ExternalFlashOptions } from '@mvmqtt/sdk/runtime';
import type { ExternalFlashBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel.js';
import { utf8 } from '../values.js';

const INFO_VERSIONS: ReadonlySet<number> = new Set(STRUCT_VERSIONS.MvExternalFlashInfo.versions);

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
  const handles = k.handleTable<object>('MvExternalFlashHandle');
  const erase = { address: LIMITS.FLASH_ERASE_ADDRESS_ALIGNMENT, length: LIMITS.FLASH_ERASE_LENGTH_MULTIPLE };
  const inRange = (address: number, length: number): boolean => flash.inRange(address, length);
  const inIsr = (): boolean => k.nvic.inHandler;

  return {
    mvExternalFlashOpen(_call, handle) {
      if (inIsr()) return MV_STATUS_UNAVAILABLE;
      if (handles.size >= LIMITS.FLASH_HANDLES_OPEN_MAX.value) return LIMITS.FLASH_HANDLES_OPEN_MAX.status;
      handle.value = handles.add({}) as MvExternalFlashHandle;
      return MV_STATUS_OKAY;
    },
    mvExternalFlashClose(_call, handle) {
      if (inIsr()) return MV_STATUS_UNAVAILABLE;
      handles.delete(handle.value);
      handle.value = 0 as MvExternalFlashHandle;
      return MV_STATUS_OKAY;
    },
    mvExternalFlashReadBlocking(_call, _handle, address, length, buffer) {
      if (inIsr()) return MV_STATUS_UNAVAILABLE;
      if (!inRange(address, length)) return MV_STATUS_ADDRESSOUTOFRANGE;
      flash.read(address, buffer, length);
      return MV_STATUS_OKAY;
    },
    mvExternalFlashEraseBlocking(_call, _handle, address, length) {
      if (inIsr()) return MV_STATUS_UNAVAILABLE;
      if (!inRange(address, length)) return MV_STATUS_ADDRESSOUTOFRANGE;
      if (address % erase.address.value !== 0) return erase.address.status;
      if (length % erase.length.value !== 0) return erase.length.status;
      flash.erase(address, length);
      return MV_STATUS_OKAY;
    },
    mvExternalFlashWriteBlocking(_call, _handle, address, length, buffer) {
      if (inIsr()) return MV_STATUS_UNAVAILABLE;
      if (!inRange(address, length)) return MV_STATUS_ADDRESSOUTOFRANGE;
      flash.write(address, typeof buffer === 'string' ? utf8(buffer) : buffer, length);
      return MV_STATUS_OKAY;
    },
    mvExternalFlashGetInfo(_call, _handle, info) {
      if (inIsr()) return MV_STATUS_UNAVAILABLE;
      if (!INFO_VERSIONS.has(info.version)) return MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION;
      info.v1 = { chip_id: flash.chipId, size: flash.size, num_handles: handles.size };
      return MV_STATUS_OKAY;
    },
  };
}
