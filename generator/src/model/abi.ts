import type { AbiDescription, AbiId, IntName } from './types.js';

/** The two ABIs every layout is computed for: the device, and the x86_64 host used by tests. */
export const ABIS: readonly AbiDescription[] = [
  { id: 'arm32', role: 'device', title: 'Cortex-M33 (Armv8-M), AAPCS, ILP32, short enums', pointerSize: 4, endianness: 'little', shortEnums: true },
  { id: 'x86_64', role: 'host', title: 'x86_64 System V, LP64, int-sized enums', pointerSize: 8, endianness: 'little', shortEnums: false },
];

export const DEVICE_ABI: AbiId = 'arm32';

export const INT_TYPES: Record<IntName, { bits: 8 | 16 | 32 | 64; signed: boolean }> = {
  uint8_t: { bits: 8, signed: false },
  uint16_t: { bits: 16, signed: false },
  uint32_t: { bits: 32, signed: false },
  uint64_t: { bits: 64, signed: false },
  int8_t: { bits: 8, signed: true },
  int16_t: { bits: 16, signed: true },
  int32_t: { bits: 32, signed: true },
  int64_t: { bits: 64, signed: true },
};

/** Both ABIs align fixed-width integers to their size (AAPCS aligns uint64_t to 8). */
export function intLayout(bits: number): { size: number; align: number } {
  const size = bits / 8;
  return { size, align: size };
}

/**
 * Size of an enum on an ABI. With short enums the compiler picks the smallest unsigned type
 * that holds the largest value, which is why the vendor adds a `__MAX` sentinel to each enum.
 */
export function enumSize(abi: AbiDescription, maxValue: number): number {
  if (!abi.shortEnums) return 4;
  if (maxValue <= 0xff) return 1;
  if (maxValue <= 0xffff) return 2;
  return 4;
}
