/** The core clock and device area in the mock: the mock's own clock, clocks from the register file, wall time, device id. */
import { MV_STATUS_OKAY, type MvGetDeviceIdStatus, type MvGetWallTimeStatus } from '@mvmqtt/sdk';
import { copyDeviceId } from '@mvmqtt/sdk/runtime';
import type { CoreClockDeviceBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel.js';

export function createCoreClockDeviceBehaviours(k: Kernel): CoreClockDeviceBehaviours {
  const clocks = () => k.system.registers.clocks();
  return {
    mvNoOp: () => MV_STATUS_OKAY,
    mvGetMicroseconds(_call, ms) {
      ms.value = k.clock.microseconds();
      return MV_STATUS_OKAY;
    },
    mvGetSysClk(_call, hz) {
      hz.value = clocks().sysclk;
      return MV_STATUS_OKAY;
    },
    mvGetHClk(_call, hz) {
      hz.value = clocks().hclk;
      return MV_STATUS_OKAY;
    },
    mvGetPClk1(_call, hz) {
      hz.value = clocks().pclk1;
      return MV_STATUS_OKAY;
    },
    mvGetPClk2(_call, hz) {
      hz.value = clocks().pclk2;
      return MV_STATUS_OKAY;
    },
    mvGetWallTime(_call, usec) {
      const now = k.system.wallClock.read();
      if (now.usec === undefined) return now.status as MvGetWallTimeStatus;
      usec.value = now.usec;
      return MV_STATUS_OKAY;
    },
    mvGetDeviceId: (_call, buf, len) => copyDeviceId(k.system.deviceId, buf, len) as MvGetDeviceIdStatus,
  };
}
