/** The notifications area in the mock: mvSetupNotifications, mvCloseNotifications. */
import { MV_STATUS_BUFFERALREADYINUSE, MV_STATUS_INVALIDINTERRUPT, MV_STATUS_OKAY, type MvNotificationHandle } from '@mvmqtt/sdk';
import { NotificationCentre, overlaps } from '@mvmqtt/sdk/runtime';
import type { NotificationsBehaviours } from '../generated/index.js';
import { CentreObject, limit, type Kernel } from '../kernel.js';

export function createNotificationsBehaviours(k: Kernel): NotificationsBehaviours {
  return {
    mvSetupNotifications(call, setup, handle_out) {
      // A fast interrupt cannot also be a centre's IRQ.
      if (k.system.fast.isFast(setup.irq)) return MV_STATUS_INVALIDINTERRUPT;
      const ring = setup.buffer!.subarray(0, setup.buffer_size);
      const range = k.memory.range(ring, ring.byteLength);
      for (const { centre } of k.centres.values()) {
        if (centre.irq === setup.irq) return MV_STATUS_INVALIDINTERRUPT;
        if (overlaps(centre.range, range)) return MV_STATUS_BUFFERALREADYINUSE;
      }
      const limited = limit(k, call, { objects: k.centres.size });
      if (limited !== undefined) return limited;
      const centre = new NotificationCentre(setup.irq, ring, range, k.nvic, k.clock, { policy: 'overwrite', counters: k.notificationCounters });
      handle_out.value = k.centres.add(new CentreObject(centre)) as MvNotificationHandle;
      return MV_STATUS_OKAY;
    },

    mvCloseNotifications(_call, handle_in_out) {
      const object = k.centres.get(handle_in_out.value)!;
      // Sources that still name the centre keep working; their records are simply no longer written.
      object.centre.closed = true;
      k.centres.delete(handle_in_out.value);
      handle_in_out.value = 0 as MvNotificationHandle;
      return MV_STATUS_OKAY;
    },

    mvTempTriggerNotification(_call, handle, type, tag) {
      // One record through the same ring and NVIC as a real event.
      k.centres.get(handle)!.centre.post(type, tag);
      return MV_STATUS_OKAY;
    },
  };
}
