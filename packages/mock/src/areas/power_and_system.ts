/** Power and system in the mock: the shared power state; runs that end are recorded in `mock.runEnd`. */
import { MV_STATUS_INVALIDHANDLE, MV_STATUS_OKAY, type MvDeepSleepStatus, type MvPowerSaveStatus, type MvRestartStatus, type MvSystemEventHandle, type MvSystemLedEnableStatus } from '@mvmqtt/sdk';
import { isSystemSource } from '@mvmqtt/sdk/runtime';
import type { PowerAndSystemBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel.js';

export function createPowerAndSystemBehaviours(k: Kernel): PowerAndSystemBehaviours {
  const system = k.system;
  const power = system.power;
  return {
    mvPowerSave(_call, mode) {
      const status = power.powerSave(mode, k.networks.size);
      if (status === MV_STATUS_OKAY) system.powerEvents.push({ kind: 'power-save', mode });
      return status as MvPowerSaveStatus;
    },
    mvSystemLedEnable(_call, enable) {
      const status = power.setLed(enable);
      if (status === MV_STATUS_OKAY) system.powerEvents.push({ kind: 'system-led', enabled: power.ledEnabled });
      return status as MvSystemLedEnableStatus;
    },
    mvDeepSleep(_call, mode) {
      const { status, end } = power.deepSleep(mode, k.networks.size);
      if (end) system.end(end);
      return status as MvDeepSleepStatus;
    },
    mvGetWakeReason(_call, reason) {
      reason.value = power.wakeReason;
      return MV_STATUS_OKAY;
    },
    mvRestart(_call, mode) {
      const { status, end } = power.restart(mode);
      if (end) system.end(end);
      return status as MvRestartStatus;
    },
    mvOpenSystemNotification(_call, params, handle) {
      const object = k.centres.get(params.notification_handle);
      if (!object || !isSystemSource(params.notification_source)) return MV_STATUS_INVALIDHANDLE;
      handle.value = system.subscriptions.add({ centre: object.centre, tag: params.notification_tag, source: params.notification_source }) as MvSystemEventHandle;
      return MV_STATUS_OKAY;
    },
    mvCloseSystemNotification(_call, handle) {
      system.subscriptions.delete(handle.value);
      handle.value = 0 as MvSystemEventHandle;
      return MV_STATUS_OKAY;
    },
  };
}
