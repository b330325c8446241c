/** Application testing: mvTestingComplete ends the run with the test result; test logging goes to the provisioning console (the device's test-log sink). */
import { MV_STATUS_OKAY } from '@mvmqtt/sdk';
import type { MvTestLogStatus, MvTestLoggingInitStatus } from '@mvmqtt/sdk';
import { testingCompleteEnd } from '@mvmqtt/sdk/runtime';
import { checkedBytes, isU32 } from '../kernel/args.js';
import type { ApplicationTestingBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';

export function createApplicationTestingBehaviours(k: Kernel): ApplicationTestingBehaviours {
  const system = k.system;
  return {
    // Test mode is checked before the behaviour runs (the entry layer, from the spec's test_mode_only): here the device is in test mode.
    mvTestingComplete(status) {
      // 0: the tests passed (the final application would be installed); anything else: they failed.
      // The call has no status for a bad value, so the checks passed it on (a C caller's value would be some bit pattern).
      system.end(testingCompleteEnd(isU32(status) ? status : 1));
      return MV_STATUS_OKAY;
    },
    mvTestLoggingInit(buffer, length) {
      // The checks held buffer, length's width and length <= buffer's size.
      return system.testLog.init(k.memory.addressOf(buffer), length) as MvTestLoggingInitStatus;
    },
    mvTestLog(message, length) {
      const bytes = checkedBytes({ data: message, length });
      const status = system.testLog.log(bytes);
      if (status === MV_STATUS_OKAY) system.scheduleLogDrain();
      return status as MvTestLogStatus;
    },
  };
}
