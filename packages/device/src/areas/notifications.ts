/** The notifications area: mvSetupNotifications, mvCloseNotifications. */
import {
  LIMITS,
  MV_STATUS_BUFFERALREADYINUSE,
  MV_STATUS_INVALIDHANDLE,
  MV_STATUS_INVALIDINTERRUPT,
  MV_STATUS_OKAY,
  MV_STATUS_PARAMETERFAULT,
} from '@mvmqtt/sdk';
import type { MvEventType, MvCloseNotificationsStatus, MvNotificationHandle, MvOut, MvSetupNotificationsStatus } from '@mvmqtt/sdk';
import { isBox, isStruct, isU32 } from '../kernel/args.js';
import type { NotificationsBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';
import { NotificationCentre, overlaps, type NotificationRecord } from '@mvmqtt/sdk/runtime';
import type { ResolvedOptions } from '../options.js';

export function setupNotifications(k: Kernel, setup: unknown, handleOut: unknown): MvSetupNotificationsStatus {
  if (!isStruct(setup) || !isBox(handleOut)) return MV_STATUS_PARAMETERFAULT;
  const { irq, buffer, buffer_size: size } = setup;
  if (typeof irq !== 'number' || !(buffer instanceof Uint8Array) || !isU32(size)) return MV_STATUS_PARAMETERFAULT;

  if (size < LIMITS.NOTIFICATION_BUFFER_SIZE_MIN.value || size % LIMITS.NOTIFICATION_BUFFER_SIZE_MULTIPLE.value !== 0) {
    return LIMITS.NOTIFICATION_BUFFER_SIZE_MIN.status;
  }
  // The ring must lie inside memory the application owns.
  if (size > buffer.byteLength) return MV_STATUS_PARAMETERFAULT;
  const alignment = k.options.limits.value('NOTIFICATION_BUFFER_ALIGNMENT');
  if (alignment !== undefined && !k.memory.isAligned(buffer, alignment)) return LIMITS.NOTIFICATION_BUFFER_ALIGNMENT.status;
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
  (handleOut as MvOut<MvNotificationHandle>).value = k.centres.add(centre) as MvNotificationHandle;
  return MV_STATUS_OKAY;
}

/** A centre's record receiver that forwards to the trace (none without a trace: a record then costs no allocation). */
export function notificationObserver(trace: ResolvedOptions['trace']): ((record: NotificationRecord) => void) | undefined {
  // Field by field: spreading the record costs more than writing it.
  return trace && ((r) => trace({ kind: 'notification', irq: r.irq, slot: r.slot, microseconds: r.microseconds, eventType: r.eventType, tag: r.tag, outcome: r.outcome }));
}

export function closeNotifications(k: Kernel, handleInOut: unknown): MvCloseNotificationsStatus {
  if (!isBox(handleInOut)) return MV_STATUS_PARAMETERFAULT;
  const h = handleInOut.value;
  const centre = k.centres.get(h);
  if (!centre) return MV_STATUS_INVALIDHANDLE;
  // Sources still pointing at the centre stay valid; their notifications are simply no longer written.
  centre.closed = true;
  k.centres.delete(h as number);
  handleInOut.value = 0;
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
    mvTempTriggerNotification(handle, type, tag) {
      const centre = k.centres.get(handle);
      if (!centre) return MV_STATUS_INVALIDHANDLE;
      // One record through the same ring and NVIC as a real event; the type and tag are written as
      // the kernel would read the registers: their low 32 bits, whatever the value.
      centre.post(low32(type) as MvEventType, low32(tag));
      return MV_STATUS_OKAY;
    },
  };
}
