/** Application testing: mvTestingComplete ends the run with the test result; test logging goes to the provisioning console (the device's test-log sink). */
import { MV_STATUS_OKAY, MV_STATUS_PARAMETERFAULT } from '@mvmqtt/sdk';
import type { MvTestLogStatus, MvTestLoggingInitStatus } from '@mvmqtt/sdk';
import { testingCompleteEnd } from '@mvmqtt/sdk/runtime';
import { checkedBytes, isU32 } from '../kernel/args.js';
import type { ApplicationTestingBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';

export function createApplicationTestingBehaviours(k: Kernel): ApplicationTestingBehaviours {
  const system = k.system;
  return {
    // Test mode is checked before the behaviour runs (see guard.ts): here the device is in test mode.
    mvTestingComplete(status) {
      // 0: the tests passed (the final application would be installed); anything else: they failed.
      system.end(testingCompleteEnd(isU32(status) ? status : 1));
      return MV_STATUS_OKAY;
    },
    mvTestLoggingInit(buffer, length) {
      // The checks held buffer and length <= its size; a scalar's width they leave alone.
      if (!isU32(length)) return MV_STATUS_PARAMETERFAULT;
      return system.testLog.init(k.memory.addressOf(buffer), length) as MvTestLoggingInitStatus;
    },
    mvTestLog(message, length) {
      if (!isU32(length)) return MV_STATUS_PARAMETERFAULT;
      const bytes = checkedBytes({ data: message, length });
      const status = system.testLog.log(bytes);
      if (status === MV_STATUS_OKAY) system.scheduleLogDrain();
      return status as MvTestLogStatus;
    },
  };
}
