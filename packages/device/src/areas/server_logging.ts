/** Server logging: mvServerLoggingInit lends the kernel a buffer, mvServerLog queues messages that leave it while the device is online. */
import { MV_STATUS_OKAY } from '@mvmqtt/sdk';
import type { MvServerLogStatus, MvServerLoggingInitStatus } from '@mvmqtt/sdk';
import { checkedBytes } from '../kernel/args.js';
import type { ServerLoggingBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';

export function createServerLoggingBehaviours(k: Kernel): ServerLoggingBehaviours {
  const system = k.system;
  return {
    mvServerLoggingInit(buffer, length) {
      // The checks held buffer, length's width and length <= buffer's size.
      return system.serverLog.init(k.memory.addressOf(buffer), length) as MvServerLoggingInitStatus;
    },
    mvServerLog(message, length) {
      const bytes = checkedBytes({ data: message, length });
      const status = system.serverLog.log(bytes);
      if (status === MV_STATUS_OKAY) system.scheduleLogDrain();
      return status as MvServerLogStatus;
    },
  };
}
