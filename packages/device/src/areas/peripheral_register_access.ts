/** Peripheral register access: mvPeriphPeek32 and mvPeriphPoke32 on the simulated RCC (and the few PWR/FLASH registers the HAL reaches). */
import { MV_STATUS_PERIPHERALACCESSFAULT } from '@mvmqtt/sdk';
import type { MvPeriphPeek32Status, MvPeriphPoke32Status } from '@mvmqtt/sdk';
import { isU32 } from '../kernel/args.js';
import type { PeripheralRegisterAccessBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';

export function createPeripheralRegisterAccessBehaviours(k: Kernel): PeripheralRegisterAccessBehaviours {
  return {
    mvPeriphPeek32(reg, output) {
      // The checks held output; an address that is not one is this area's own fault.
      if (!isU32(reg)) return MV_STATUS_PERIPHERALACCESSFAULT;
      const { status, value } = k.system.registers.peek(reg);
      if (value !== undefined) output.value = value;
      return status as MvPeriphPeek32Status;
    },
    mvPeriphPoke32(reg, mask, xorvalue) {
      if (!isU32(reg) || !isU32(mask) || !isU32(xorvalue)) return MV_STATUS_PERIPHERALACCESSFAULT;
      return k.system.registers.poke(reg, mask, xorvalue) as MvPeriphPoke32Status;
    },
  };
}
