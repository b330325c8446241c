/** Good calls (no-effect.test.ts) for the areas outside networking: each returns fresh arguments of a call that succeeds. */
import { MV_SYSTEMNOTIFICATIONSOURCE_UPDATE, out, type MvFunctionName, type MvSystemEventHandle } from '@mvmqtt/sdk';
import type { Rig } from './rig.js';

type GoodCall = (rig: Rig) => Promise<() => unknown[]>;

const RCC_CR = 0x46020c00;
const ONE_OUTPUT: GoodCall = async () => () => [out(0)];

function subscription(r: Rig): MvSystemEventHandle {
  const h = out(0 as MvSystemEventHandle);
  r.sys.mvOpenSystemNotification({ notification_handle: r.centre(), notification_tag: 3, notification_source: MV_SYSTEMNOTIFICATIONSOURCE_UPDATE }, h);
  return h.value;
}

export const CORE_GOOD_CALLS: Partial<Record<MvFunctionName, GoodCall>> = {
  mvGetMicroseconds: async () => () => [out(0n)],
  mvGetSysClk: ONE_OUTPUT,
  mvGetHClk: ONE_OUTPUT,
  mvGetPClk1: ONE_OUTPUT,
  mvGetPClk2: ONE_OUTPUT,
  mvGetWallTime: async () => () => [out(0n)],
  mvPeriphPeek32: async () => () => [RCC_CR, out(0)],
  mvGetWakeReason: ONE_OUTPUT,
  mvOpenSystemNotification: async (r) => {
    const centre = r.centre();
    return () => [{ notification_handle: centre, notification_tag: 3, notification_source: MV_SYSTEMNOTIFICATIONSOURCE_UPDATE }, out(0)];
  },
  mvCloseSystemNotification: async (r) => {
    const h = subscription(r);
    return () => [out(h)];
  },
};
