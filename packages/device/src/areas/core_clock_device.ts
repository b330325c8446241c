/** The core clock and device area: mvNoOp, mvGetMicroseconds, the four clock getters, mvGetWallTime, mvGetDeviceId. */
import { MV_STATUS_OKAY } from '@mvmqtt/sdk';
import type { MvGetDeviceIdStatus, MvGetHClkStatus, MvGetWallTimeStatus, MvOut } from '@mvmqtt/sdk';
import { copyDeviceId, type ClockSettings } from '@mvmqtt/sdk/runtime';
import type { CoreClockDeviceBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';

/** A clock getter: the frequency comes from the RCC register file, so it follows the application's prescaler writes. */
function clock(k: Kernel, which: keyof ClockSettings, hz: MvOut<number>): MvGetHClkStatus {
  hz.value = k.system.registers.clocks()[which];
  return MV_STATUS_OKAY;
}

export function createCoreClockDeviceBehaviours(k: Kernel): CoreClockDeviceBehaviours {
  return {
    mvNoOp: () => MV_STATUS_OKAY,
    mvGetMicroseconds(ms) {
      // The same clock stamps every notification record.
      ms.value = k.clock.microseconds();
      return MV_STATUS_OKAY;
    },
    mvGetSysClk: (hz) => clock(k, 'sysclk', hz),
    mvGetHClk: (hz) => clock(k, 'hclk', hz),
    mvGetPClk1: (hz) => clock(k, 'pclk1', hz),
    mvGetPClk2: (hz) => clock(k, 'pclk2', hz),
    mvGetWallTime(usec) {
      const now = k.system.wallClock.read();
      if (now.usec === undefined) return now.status as MvGetWallTimeStatus;
      usec.value = now.usec;
      return MV_STATUS_OKAY;
    },
    mvGetDeviceId(buf, len) {
      // The checks held buf, len's width and len <= buf's length.
      return copyDeviceId(k.system.deviceId, buf, len) as MvGetDeviceIdStatus;
    },
  };
}
