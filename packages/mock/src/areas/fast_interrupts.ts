/** Fast interrupts in the mock: the shared per-IRQ state and global gate. */
import type { MvClearFastInterruptStatus, MvDisableFastInterruptStatus, MvEnableFastInterruptStatus, MvSetFastInterruptStatus } from '@mvmqtt/sdk';
import type { FastInterruptsBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel.js';

export function createFastInterruptsBehaviours(k: Kernel): FastInterruptsBehaviours {
  const fast = k.system.fast;
  return {
    mvSetFastInterrupt: (_call, irqn) => fast.set(irqn) as MvSetFastInterruptStatus,
    mvClearFastInterrupt: (_call, irqn) => fast.clear(irqn) as MvClearFastInterruptStatus,
    mvEnableFastInterrupt: (_call, irqn) => fast.setEnabled(irqn, true) as MvEnableFastInterruptStatus,
    mvDisableFastInterrupt: (_call, irqn) => fast.setEnabled(irqn, false) as MvDisableFastInterruptStatus,
    mvDisableAllFastInterrupts: () => fast.setAllEnabled(false),
    mvEnableAllFastInterrupts: () => fast.setAllEnabled(true),
  };
}
