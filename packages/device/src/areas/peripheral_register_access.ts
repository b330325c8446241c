/** Peripheral register access: mvPeriphPeek32 and mvPeriphPoke32 on the simulated RCC (and the few PWR/FLASH registers the HAL reaches). */
import type { MvPeriphPeek32Status, MvPeriphPoke32Status } from '@mvmqtt/sdk';
import type { PeripheralRegisterAccessBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';

export function createPeripheralRegisterAccessBehaviours(k: Kernel): PeripheralRegisterAccessBehaviours {
  return {
    mvPeriphPeek32(reg, output) {
      // The checks held output and the widths of the values (reg's alignment and allow-list are the register file's).
      const { status, value } = k.system.registers.peek(reg);
      if (value !== undefined) output.value = value;
      return status as MvPeriphPeek32Status;
    },
    mvPeriphPoke32(reg, mask, xorvalue) {
      return k.system.registers.poke(reg, mask, xorvalue) as MvPeriphPoke32Status;
    },
  };
}
