/** Fast interrupts: which IRQs may pre-empt Microvisor, a per-IRQ enable and a global gate (state only; a host has no latency to win). */
import type { MvClearFastInterruptStatus, MvDisableFastInterruptStatus, MvEnableFastInterruptStatus, MvSetFastInterruptStatus } from '@mvmqtt/sdk';
import type { FastInterruptsBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';

export function createFastInterruptsBehaviours(k: Kernel): FastInterruptsBehaviours {
  const fast = k.system.fast;
  return {
    mvSetFastInterrupt: (irqn) => fast.set(irqn) as MvSetFastInterruptStatus,
    mvClearFastInterrupt: (irqn) => fast.clear(irqn) as MvClearFastInterruptStatus,
    mvEnableFastInterrupt: (irqn) => fast.setEnabled(irqn, true) as MvEnableFastInterruptStatus,
    mvDisableFastInterrupt: (irqn) => fast.setEnabled(irqn, false) as MvDisableFastInterruptStatus,
    mvDisableAllFastInterrupts: () => fast.setAllEnabled(false),
    mvEnableAllFastInterrupts: () => fast.setAllEnabled(true),
  };
}
