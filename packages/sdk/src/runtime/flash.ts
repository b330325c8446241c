/**
 * The external SPI flash the application may use: `size` bytes from address 0, erased to 0xFF,
 * kept in memory or in a file (created, or grown to `size` filled with 0xFF, when shorter).
 * Writes overwrite by default; `nor: true` models NOR flash, where a write can only clear bits
 * (new = old AND data), so writing without erasing first corrupts what was there.
 * Shared by the device core and the mock, so both keep the same geometry, defaults and bytes.
 */
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

export class ExternalFlash {
  readonly size: number;
  readonly chipId: number;
  private readonly nor: boolean;
  private readonly bytes: Uint8Array;
  private readonly fd: number | undefined;
  private readonly fs: RuntimeFs | undefined;

  constructor(options: ExternalFlashOptions = {}) {
    this.size = options.size ?? DEFAULT_FLASH_SIZE;
    this.chipId = options.chipId ?? DEFAULT_FLASH_CHIP_ID;
    this.nor = options.nor ?? false;
    if (!Number.isInteger(this.size) || this.size <= 0 || this.size % 4096 !== 0) throw new Error(`externalFlash.size must be a positive multiple of 4096 (got ${this.size})`);
    this.bytes = new Uint8Array(this.size).fill(0xff);
    if (options.file !== undefined) {
      const fs = (this.fs = nodeFs('externalFlash.file'));
      this.fd = fs.openSync(options.file, fs.existsSync(options.file) ? 'r+' : 'w+');
      const have = Math.min(fs.fstatSync(this.fd).size, this.size);
      if (have > 0) fs.readSync(this.fd, this.bytes, 0, have, 0);
      if (have < this.size) fs.writeSync(this.fd, this.bytes, have, this.size - have, have);
    }
  }

  /** `address + length` lies inside the flash (no 32-bit wrap-around). */
  inRange(address: number, length: number): boolean {
    return address + length <= this.size;
  }

  read(address: number, into: Uint8Array, length: number): void {
    into.set(this.bytes.subarray(address, address + length));
  }

  write(address: number, data: Uint8Array, length: number): void {
    for (let i = 0; i < length; i++) this.bytes[address + i] = this.nor ? this.bytes[address + i] & data[i] : data[i];
    this.persist(address, length);
  }

  erase(address: number, length: number): void {
    this.bytes.fill(0xff, address, address + length);
    this.persist(address, length);
  }

  close(): void {
    if (this.fd !== undefined) this.fs!.closeSync(this.fd);
  }

  private persist(address: number, length: number): void {
    if (this.fd !== undefined && length > 0) this.fs!.writeSync(this.fd, this.bytes, address, length, address);
  }
}
