/**
 * The network: one simulated link to the Microvisor cloud, up when the device starts (as
 * Microvisor brings it up by default), and any number of network requests (handles), each
 * with its own notification target for NETWORKSTATUSCHANGED. The link and the requests are the
 * shared runtime's (`NetworkLink`, `NetworkRequest`); this module adds how the device announces changes.
 */
import { MV_CLOSUREREASON_NETWORKDISCONNECTED, MV_NETWORKSTATUS_CONNECTED, MV_NETWORKSTATUS_CONNECTING } from '@mvmqtt/sdk';
import { NetworkLink } from '@mvmqtt/sdk/runtime';
import type { MvNetworkStatus } from '@mvmqtt/sdk';
import type { Kernel } from './kernel/kernel.js';

export function networkStatus(k: Kernel): MvNetworkStatus {
  return k.state(NetworkLink).status;
}

/** The link moves to `status`, traced first; false when it was there already. */
function setLink(k: Kernel, status: MvNetworkStatus): boolean {
  const link = k.state(NetworkLink);
  if (status === link.status) return false;
  k.options.trace?.({ kind: 'network', status });
  link.change(status, k.networks, k.system);
  // Server logs queued while offline leave once the link is back.
  if (link.up) k.system.scheduleLogDrain();
  return true;
}

/** The link drops: every network request is told, then every open channel closes with NETWORKDISCONNECTED. */
export function loseNetwork(k: Kernel): void {
  // While the link is down Microvisor keeps trying: the status reads CONNECTING.
  if (!setLink(k, MV_NETWORKSTATUS_CONNECTING)) return;
  for (const ch of k.channels.values()) ch.fail(MV_CLOSUREREASON_NETWORKDISCONNECTED);
}

export function restoreNetwork(k: Kernel): void {
  setLink(k, MV_NETWORKSTATUS_CONNECTED);
}
