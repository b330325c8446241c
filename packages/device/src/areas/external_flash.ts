/** The external-flash area: handles onto the application's part of the SPI flash (see ../flash.ts). */
import {
  LIMITS,
  MV_STATUS_ADDRESSOUTOFRANGE,
  MV_STATUS_OKAY,
  MV_STATUS_UNAVAILABLE,
  MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION,
} from '@mvmqtt/sdk';
import type { MvExternalFlashHandle } from '@mvmqtt/sdk';
import { HandleAllocator, HandleTable } from '@mvmqtt/sdk/runtime';
import { isStruct, structVersions } from '../kernel/args.js';
import type { ExternalFlashBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';
import { ExternalFlash, type ExternalFlashOptions } from '@mvmqtt/sdk/runtime';

const INFO_VERSIONS = structVersions('MvExternalFlashInfo');
const encoder = new TextEncoder();

/** The external-flash area's options (part of `DeviceOptions`). */
export interface ExternalFlashAreaOptions {
  /** Geometry and backing of the external flash (default: 1 MiB in memory, chip id 0x00EF4017). */
  externalFlash?: ExternalFlashOptions;
}

export function createExternalFlashBehaviours(k: Kernel, options: ExternalFlashAreaOptions): ExternalFlashBehaviours {
  const flash = new ExternalFlash(options.externalFlash ?? {});
  const handles = new HandleTable<object>(new HandleAllocator(k.options.random));
  k.handleTables.set('MvExternalFlashHandle', handles);
  const erase = { address: LIMITS.FLASH_ERASE_ADDRESS_ALIGNMENT, length: LIMITS.FLASH_ERASE_LENGTH_MULTIPLE };
  /** Every flash call refuses to run inside an interrupt handler. */
  const inIsr = (): boolean => k.nvic.inHandler;
  // The checks held the pointers, the handles (live), the widths of address and length, and that a buffer is at least `length` long.

  return {
    mvExternalFlashOpen(handle) {
      if (inIsr()) return MV_STATUS_UNAVAILABLE;
      if (handles.size >= LIMITS.FLASH_HANDLES_OPEN_MAX.value) return LIMITS.FLASH_HANDLES_OPEN_MAX.status;
      handle.value = handles.add({}) as MvExternalFlashHandle;
      return MV_STATUS_OKAY;
    },
    mvExternalFlashClose(handle) {
      if (inIsr()) return MV_STATUS_UNAVAILABLE;
      handles.delete(handle.value);
      handle.value = 0 as MvExternalFlashHandle;
      return MV_STATUS_OKAY;
    },
    mvExternalFlashReadBlocking(handle, address, length, buffer) {
      if (inIsr()) return MV_STATUS_UNAVAILABLE;
      if (!flash.inRange(address, length)) return MV_STATUS_ADDRESSOUTOFRANGE;
      flash.read(address, buffer, length);
      return MV_STATUS_OKAY;
    },
    mvExternalFlashEraseBlocking(handle, address, length) {
      if (inIsr()) return MV_STATUS_UNAVAILABLE;
      if (!flash.inRange(address, length)) return MV_STATUS_ADDRESSOUTOFRANGE;
      if (address % erase.address.value !== 0) return erase.address.status;
      if (length % erase.length.value !== 0) return erase.length.status;
      flash.erase(address, length);
      return MV_STATUS_OKAY;
    },
    mvExternalFlashWriteBlocking(handle, address, length, buffer) {
      if (inIsr()) return MV_STATUS_UNAVAILABLE;
      const bytes = typeof buffer === 'string' ? encoder.encode(buffer) : buffer;
      if (!flash.inRange(address, length)) return MV_STATUS_ADDRESSOUTOFRANGE;
      flash.write(address, bytes, length);
      return MV_STATUS_OKAY;
    },
    mvExternalFlashGetInfo(handle, info) {
      if (inIsr()) return MV_STATUS_UNAVAILABLE;
      // info is written, so its version is this call's own rule (the checks only held the pointer).
      if (!INFO_VERSIONS.has(info.version as number)) return MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION;
      const v1 = { chip_id: flash.chipId, size: flash.size, num_handles: handles.size };
      if (isStruct(info.v1)) Object.assign(info.v1, v1);
      else info.v1 = v1;
      return MV_STATUS_OKAY;
    },
  };
}
