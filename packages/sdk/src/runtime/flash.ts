/**
 * The external SPI flash the application may use: `size` bytes from address 0, erased to 0xFF,
 * kept in memory or in a file (created, or grown to `size` filled with 0xFF, when shorter).
 * Writes overwrite by default; `nor: true` models NOR flash, where a write can only clear bits
 * (new = old AND data), so writing without erasing first corrupts what was there.
 * Shared by the device core and the mock, so both keep the same geometry, defaults and bytes.
 */
import {
  LIMITS,
  MV_STATUS_ADDRESSOUTOFRANGE,
  MV_STATUS_OKAY,
  MV_STATUS_UNAVAILABLE,
  MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION,
  STRUCT_VERSIONS,
  type MvExternalFlashCloseStatus,
  type MvExternalFlashEraseBlockingStatus,
  type MvExternalFlashGetInfoStatus,
  type MvExternalFlashHandle,
  type MvExternalFlashInfo,
  type MvExternalFlashOpenStatus,
  type MvExternalFlashReadBlockingStatus,
  type MvExternalFlashWriteBlockingStatus,
} from '../generated/index.js';
import type { MvOut } from '../box.js';
import type { HandleTable } from './handles.js';
import { nodeFs, type RuntimeFs } from './node-fs.js';

export interface ExternalFlashOptions {
  /** Bytes available to the application (default 1 MiB; a multiple of the 4096-byte erase sector). */
  size?: number;
  /** What mvExternalFlashGetInfo reports as `chip_id` (default 0x00EF4017, a Winbond W25Q64 JEDEC id). */
  chipId?: number;
  /** Back the flash with this file (default: memory only). */
  file?: string;
  /** NOR semantics: a write ANDs into what is there (default false: plain overwrite). */
  nor?: boolean;
}

export const DEFAULT_FLASH_SIZE = 1024 * 1024;
export const DEFAULT_FLASH_CHIP_ID = 0x00ef4017;
/** The erase sector: the unit the spec's erase limits are stated in, and the unit of storage here. */
const SECTOR = LIMITS.FLASH_ERASE_LENGTH_MULTIPLE.value;
const ERASED = 0xff;

/**
 * Erased sectors are not stored: a sector gets its own bytes on its first write and gives
 * them back when erased whole. A device that never touches its flash costs no memory, which
 * matters when one process runs thousands of devices (`mvdevice fleet`): a 1 MiB flash
 * filled with 0xFF up front was 1 MiB of resident memory per device.
 */
export class ExternalFlash {
  readonly size: number;
  readonly chipId: number;
  private readonly nor: boolean;
  /** Sector index → its bytes; a sector not there is erased (all 0xFF). Made on the first write. */
  private sectors: Map<number, Uint8Array> | undefined;
  private readonly fd: number | undefined;
  private readonly fs: RuntimeFs | undefined;

  constructor(options: ExternalFlashOptions = {}) {
    this.size = options.size ?? DEFAULT_FLASH_SIZE;
    this.chipId = options.chipId ?? DEFAULT_FLASH_CHIP_ID;
    this.nor = options.nor ?? false;
    if (!Number.isInteger(this.size) || this.size <= 0 || this.size % SECTOR !== 0) throw new Error(`externalFlash.size must be a positive multiple of ${SECTOR} (got ${this.size})`);
    if (options.file !== undefined) {
      const fs = (this.fs = nodeFs('externalFlash.file'));
      this.fd = fs.openSync(options.file, fs.existsSync(options.file) ? 'r+' : 'w+');
      const have = Math.min(fs.fstatSync(this.fd).size, this.size);
      const chunk = new Uint8Array(SECTOR);
      for (let at = 0; at < have; at += SECTOR) {
        const n = Math.min(SECTOR, have - at);
        chunk.fill(ERASED);
        fs.readSync(this.fd, chunk, 0, n, at);
        if (!chunk.every((b) => b === ERASED)) (this.sectors ??= new Map()).set(at / SECTOR, chunk.slice());
      }
      // A shorter file grows to the flash's size, erased.
      if (have < this.size) this.persist(have, this.size - have);
    }
  }

  /** `address + length` lies inside the flash (no 32-bit wrap-around). */
  inRange(address: number, length: number): boolean {
    return address + length <= this.size;
  }

  read(address: number, into: Uint8Array, length: number): void {
    this.spans(address, length, (sector, from, n, at) => {
      const bytes = this.sectors?.get(sector);
      if (bytes) into.set(bytes.subarray(from, from + n), at);
      else into.fill(ERASED, at, at + n);
    });
  }

  write(address: number, data: Uint8Array, length: number): void {
    this.spans(address, length, (sector, from, n, at) => {
      const sectors = (this.sectors ??= new Map());
      let bytes = sectors.get(sector);
      if (!bytes) sectors.set(sector, (bytes = new Uint8Array(SECTOR).fill(ERASED)));
      for (let i = 0; i < n; i++) bytes[from + i] = this.nor ? bytes[from + i] & data[at + i] : data[at + i];
    });
    this.persist(address, length);
  }

  erase(address: number, length: number): void {
    this.spans(address, length, (sector, from, n) => {
      if (n === SECTOR) this.sectors?.delete(sector);
      else this.sectors?.get(sector)?.fill(ERASED, from, from + n);
    });
    this.persist(address, length);
  }

  close(): void {
    if (this.fd !== undefined) this.fs!.closeSync(this.fd);
  }

  /** Calls `each(sector, offset in the sector, byte count, offset from address)` for the sectors [address, address + length) covers. */
  private spans(address: number, length: number, each: (sector: number, from: number, n: number, at: number) => void): void {
    for (let at = 0; at < length; ) {
      const sector = Math.floor((address + at) / SECTOR);
      const from = (address + at) % SECTOR;
      const n = Math.min(SECTOR - from, length - at);
      each(sector, from, n, at);
      at += n;
    }
  }

  private persist(address: number, length: number): void {
    const fd = this.fd;
    const fs = this.fs;
    if (fd === undefined || !fs || length <= 0) return;
    const erased = new Uint8Array(SECTOR).fill(ERASED);
    this.spans(address, length, (sector, from, n, at) => void fs.writeSync(fd, this.sectors?.get(sector) ?? erased, from, n, address + at));
  }
}

/**
 * The external-flash calls as both runtimes answer them once the generated argument checks have
 * passed (pointers set, handles live, address and length within their widths, buffers long
 * enough): no call inside an interrupt handler, the open-handle limit, the range, the erase
 * alignment, and GetInfo's version (info is written, so its version is this call's own rule).
 */
export function externalFlashCalls(flash: ExternalFlash, handles: HandleTable<object>, inHandler: () => boolean) {
  const erase = { address: LIMITS.FLASH_ERASE_ADDRESS_ALIGNMENT, length: LIMITS.FLASH_ERASE_LENGTH_MULTIPLE };
  const infoVersions: ReadonlySet<number> = new Set(STRUCT_VERSIONS.MvExternalFlashInfo.versions);
  return {
    mvExternalFlashOpen(handle: MvOut<MvExternalFlashHandle>): MvExternalFlashOpenStatus {
      if (inHandler()) return MV_STATUS_UNAVAILABLE;
      if (handles.size >= LIMITS.FLASH_HANDLES_OPEN_MAX.value) return LIMITS.FLASH_HANDLES_OPEN_MAX.status as MvExternalFlashOpenStatus;
      handle.value = handles.add({}) as MvExternalFlashHandle;
      return MV_STATUS_OKAY;
    },
    mvExternalFlashClose(handle: MvOut<MvExternalFlashHandle>): MvExternalFlashCloseStatus {
      if (inHandler()) return MV_STATUS_UNAVAILABLE;
      handles.delete(handle.value);
      handle.value = 0 as MvExternalFlashHandle;
      return MV_STATUS_OKAY;
    },
    mvExternalFlashReadBlocking(_handle: MvExternalFlashHandle, address: number, length: number, buffer: Uint8Array): MvExternalFlashReadBlockingStatus {
      if (inHandler()) return MV_STATUS_UNAVAILABLE;
      if (!flash.inRange(address, length)) return MV_STATUS_ADDRESSOUTOFRANGE;
      flash.read(address, buffer, length);
      return MV_STATUS_OKAY;
    },
    mvExternalFlashEraseBlocking(_handle: MvExternalFlashHandle, address: number, length: number): MvExternalFlashEraseBlockingStatus {
      if (inHandler()) return MV_STATUS_UNAVAILABLE;
      if (!flash.inRange(address, length)) return MV_STATUS_ADDRESSOUTOFRANGE;
      if (address % erase.address.value !== 0) return erase.address.status as MvExternalFlashEraseBlockingStatus;
      if (length % erase.length.value !== 0) return erase.length.status as MvExternalFlashEraseBlockingStatus;
      flash.erase(address, length);
      return MV_STATUS_OKAY;
    },
    mvExternalFlashWriteBlocking(_handle: MvExternalFlashHandle, address: number, length: number, buffer: Uint8Array | string): MvExternalFlashWriteBlockingStatus {
      if (inHandler()) return MV_STATUS_UNAVAILABLE;
      if (!flash.inRange(address, length)) return MV_STATUS_ADDRESSOUTOFRANGE;
      flash.write(address, typeof buffer === 'string' ? encoder.encode(buffer) : buffer, length);
      return MV_STATUS_OKAY;
    },
    mvExternalFlashGetInfo(_handle: MvExternalFlashHandle, info: MvExternalFlashInfo): MvExternalFlashGetInfoStatus {
      if (inHandler()) return MV_STATUS_UNAVAILABLE;
      if (!infoVersions.has(info.version)) return MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION;
      const v1 = { chip_id: flash.chipId, size: flash.size, num_handles: handles.size };
      // Written into the application's own struct when it gave one.
      if (typeof info.v1 === 'object' && info.v1 !== null) Object.assign(info.v1, v1);
      else info.v1 = v1;
      return MV_STATUS_OKAY;
    },
  };
}

// The SDK builds without DOM or Node types; both runtimes provide TextEncoder.
declare const TextEncoder: new () => { encode(text: string): Uint8Array };
const encoder = new TextEncoder();
