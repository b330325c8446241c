/** The notifications area: mvSetupNotifications, mvCloseNotifications. */
import { LIMITS, MV_STATUS_BUFFERALREADYINUSE, MV_STATUS_INVALIDINTERRUPT, MV_STATUS_OKAY } from '@mvmqtt/sdk';
import type { MvEventType, MvCloseNotificationsStatus, MvNotificationHandle, MvNotificationSetup, MvOut, MvSetupNotificationsStatus } from '@mvmqtt/sdk';
import type { NotificationsBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';
import { NotificationCentre, overlaps, type NotificationRecord } from '@mvmqtt/sdk/runtime';
import type { ResolvedOptions } from '../options.js';

/** The checks held the IRQ, the ring's size and alignment (the limit book) and its memory (it holds `buffer_size` bytes). */
export function setupNotifications(k: Kernel, setup: MvNotificationSetup, handleOut: MvOut<MvNotificationHandle>): MvSetupNotificationsStatus {
  const { irq, buffer_size: size } = setup;
  const buffer = setup.buffer!;
  if (!k.options.isUsableIrq(irq)) return MV_STATUS_INVALIDINTERRUPT;
  // A fast interrupt cannot also be a centre's IRQ.
  if (k.system.fast.isFast(irq)) return MV_STATUS_INVALIDINTERRUPT;

  const range = k.memory.range(buffer, size);
  for (const c of k.centres.values()) {
    if (c.irq === irq) return MV_STATUS_INVALIDINTERRUPT;
    if (overlaps(c.range, range)) return MV_STATUS_BUFFERALREADYINUSE;
  }
  if (k.centres.size >= LIMITS.NOTIFICATION_BUFFERS_MAX.value) return LIMITS.NOTIFICATION_BUFFERS_MAX.status;

  const ring = size === buffer.byteLength ? buffer : buffer.subarray(0, size);
  const centre = new NotificationCentre(irq, ring, range, k.nvic, k.clock, {
    policy: k.options.overrunPolicy,
    counters: k.diagnostics,
    observe: notificationObserver(k.options.trace),
  });
  handleOut.value = k.centres.add(centre) as MvNotificationHandle;
  return MV_STATUS_OKAY;
}

/** A centre's record receiver that forwards to the trace (none without a trace: a record then costs no allocation). */
export function notificationObserver(trace: ResolvedOptions['trace']): ((record: NotificationRecord) => void) | undefined {
  // Field by field: spreading the record costs more than writing it.
  return trace && ((r) => trace({ kind: 'notification', irq: r.irq, slot: r.slot, microseconds: r.microseconds, eventType: r.eventType, tag: r.tag, outcome: r.outcome }));
}

/** The checks found `*handleInOut` a live centre. */
export function closeNotifications(k: Kernel, handleInOut: MvOut<MvNotificationHandle>): MvCloseNotificationsStatus {
  const centre = k.args.target as NotificationCentre;
  // Sources still pointing at the centre stay valid; their notifications are simply no longer written.
  centre.closed = true;
  k.centres.delete(handleInOut.value);
  handleInOut.value = 0 as MvNotificationHandle;
  return MV_STATUS_OKAY;
}

/** The low 32 bits of a value passed where C passes a 32-bit integer (anything else reads as 0). */
function low32(x: unknown): number {
  if (typeof x === 'number' && Number.isFinite(x)) return x >>> 0;
  if (typeof x === 'bigint') return Number(BigInt.asUintN(32, x));
  return 0;
}

export function createNotificationsBehaviours(k: Kernel): NotificationsBehaviours {
  return {
    mvSetupNotifications: (setup, handleOut) => setupNotifications(k, setup, handleOut),
    mvCloseNotifications: (handleInOut) => closeNotifications(k, handleInOut),
    mvTempTriggerNotification(_handle, type, tag) {
      const centre = k.args.target as NotificationCentre;
      // One record through the same ring and NVIC as a real event; the type and tag are written as
      // the kernel would read the registers: their low 32 bits, whatever the value.
      centre.post(low32(type) as MvEventType, low32(tag));
      return MV_STATUS_OKAY;
    },
  };
}
