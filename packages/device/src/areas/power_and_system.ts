/**
 * Power and system: low-power modes, deep sleep and restart (which end the device's run with an
 * event, never the process), the wake reason, the system LED, and system notifications (UPDATE,
 * NETWORK) delivered to a notification centre of the application's choice.
 */
import { MV_STATUS_INVALIDHANDLE, MV_STATUS_OKAY } from '@mvmqtt/sdk';
import type { MvDeepSleepStatus, MvPowerSaveStatus, MvRestartStatus, MvSystemEventHandle, MvSystemLedEnableStatus } from '@mvmqtt/sdk';
import { isSystemSource } from '@mvmqtt/sdk/runtime';
import type { PowerAndSystemBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';

export function createPowerAndSystemBehaviours(k: Kernel): PowerAndSystemBehaviours {
  const system = k.system;
  const power = system.power;
  return {
    mvPowerSave(mode) {
      const status = power.powerSave(mode, k.networks.size);
      if (status === MV_STATUS_OKAY) system.emit({ kind: 'power-save', mode });
      return status as MvPowerSaveStatus;
    },
    mvSystemLedEnable(enable) {
      const status = power.setLed(enable);
      if (status === MV_STATUS_OKAY) system.emit({ kind: 'system-led', enabled: power.ledEnabled });
      return status as MvSystemLedEnableStatus;
    },
    mvDeepSleep(mode) {
      const { status, end } = power.deepSleep(mode, k.networks.size);
      if (end) system.end(end);
      return status as MvDeepSleepStatus;
    },
    mvGetWakeReason(reason) {
      reason.value = power.wakeReason;
      return MV_STATUS_OKAY;
    },
    mvRestart(mode) {
      const { status, end } = power.restart(mode);
      if (end) system.end(end);
      return status as MvRestartStatus;
    },
    mvOpenSystemNotification(params, handle) {
      // The checks held params, handle and the fields' widths.
      const centre = k.centres.get(params.notification_handle);
      // A centre that is not one, or a source that does not exist: both INVALIDHANDLE.
      if (!centre || !isSystemSource(params.notification_source)) return MV_STATUS_INVALIDHANDLE;
      handle.value = system.subscriptions.add({ centre, tag: params.notification_tag, source: params.notification_source }) as MvSystemEventHandle;
      return MV_STATUS_OKAY;
    },
    mvCloseSystemNotification(handle) {
      if (!system.subscriptions.get(handle.value)) return MV_STATUS_INVALIDHANDLE;
      system.subscriptions.delete(handle.value as number);
      handle.value = 0 as MvSystemEventHandle;
      return MV_STATUS_OKAY;
    },
  };
}
