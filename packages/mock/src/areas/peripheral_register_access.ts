/** Peripheral register access in the mock: the shared register file (RCC, PWR, FLASH). */
import type { MvPeriphPeek32Status, MvPeriphPoke32Status } from '@mvmqtt/sdk';
import type { PeripheralRegisterAccessBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel.js';

export function createPeripheralRegisterAccessBehaviours(k: Kernel): PeripheralRegisterAccessBehaviours {
  return {
    mvPeriphPeek32(_call, reg, output) {
      const { status, value } = k.system.registers.peek(reg);
      if (value !== undefined) output.value = value;
      return status as MvPeriphPeek32Status;
    },
    mvPeriphPoke32: (_call, reg, mask, xorvalue) => k.system.registers.poke(reg, mask, xorvalue) as MvPeriphPoke32Status,
  };
}
