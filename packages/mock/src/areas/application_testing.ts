/** Application testing in the mock: mvTestingComplete ends the run (`mock.runEnd`); test logs reach `mock.testLogs`. */
import { MV_STATUS_OKAY, type MvTestLogStatus, type MvTestLoggingInitStatus } from '@mvmqtt/sdk';
import { testingCompleteEnd } from '@mvmqtt/sdk/runtime';
import type { ApplicationTestingBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel.js';

/** The first `length` bytes of a message the validator accepted (a string counts as UTF-8). */
export function messageBytes(message: Uint8Array | string, length: number): Uint8Array {
  const bytes = typeof message === 'string' ? new TextEncoder().encode(message) : message;
  return bytes.subarray(0, length);
}

export function createApplicationTestingBehaviours(k: Kernel): ApplicationTestingBehaviours {
  const system = k.system;
  return {
    // Test mode is checked before the behaviour (mock.ts, from the spec's testModeOnly).
    mvTestingComplete(_call, status) {
      system.end(testingCompleteEnd(status));
      system.drainLogs(k.logsOnline);
      return MV_STATUS_OKAY;
    },
    mvTestLoggingInit: (_call, buffer, length) => system.testLog.init(k.memory.addressOf(buffer), length) as MvTestLoggingInitStatus,
    mvTestLog(_call, message, length) {
      const status = system.testLog.log(messageBytes(message, length));
      if (status === MV_STATUS_OKAY) k.defer(() => system.drainLogs(k.logsOnline));
      return status as MvTestLogStatus;
    },
  };
}
