/** Server logging in the mock: the shared log buffer; messages reach `mock.serverLogs` on the next flush while online. */
import { MV_STATUS_OKAY, type MvServerLogStatus, type MvServerLoggingInitStatus } from '@mvmqtt/sdk';
import type { ServerLoggingBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel.js';
import { messageBytes } from './application_testing.js';

export function createServerLoggingBehaviours(k: Kernel): ServerLoggingBehaviours {
  const system = k.system;
  return {
    mvServerLoggingInit: (_call, buffer, length) => system.serverLog.init(k.memory.addressOf(buffer), length) as MvServerLoggingInitStatus,
    mvServerLog(_call, message, length) {
      const status = system.serverLog.log(messageBytes(message, length));
      if (status === MV_STATUS_OKAY) k.defer(() => system.drainLogs(k.logsOnline));
      return status as MvServerLogStatus;
    },
  };
}
