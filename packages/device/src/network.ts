/**
 * The network: one simulated link to the Microvisor cloud, up when the device starts (as
 * Microvisor brings it up by default), and any number of network requests (handles), each
 * with its own notification target for NETWORKSTATUSCHANGED.
 */
import { MV_CLOSUREREASON_NETWORKDISCONNECTED, MV_EVENTTYPE_NETWORKSTATUSCHANGED, MV_NETWORKSTATUS_CONNECTED, MV_NETWORKSTATUS_CONNECTING, MV_SYSTEMNOTIFICATIONSOURCE_NETWORK } from '@mvmqtt/sdk';
import { NetworkLink, postSystemEvent } from '@mvmqtt/sdk/runtime';
import type { MvNetworkStatus } from '@mvmqtt/sdk';
import type { Kernel } from './kernel/kernel.js';

// The link and the requests are the shared runtime's; this module adds how the device announces changes.
export { NetworkLink, NetworkRequest } from '@mvmqtt/sdk/runtime';

export function networkStatus(k: Kernel): MvNetworkStatus {
  return k.state(NetworkLink).status;
}

function announce(k: Kernel): void {
  k.options.trace?.({ kind: 'network', status: networkStatus(k) });
  for (const req of k.networks.values()) req.target.centre.post(MV_EVENTTYPE_NETWORKSTATUSCHANGED, req.target.tag);
  postSystemEvent(k.system.subscriptions.values(), MV_SYSTEMNOTIFICATIONSOURCE_NETWORK);
  // Server logs queued while offline leave once the link is back.
  if (k.state(NetworkLink).up) k.system.scheduleLogDrain();
}

/** The link drops: every network request is told, then every open channel closes with NETWORKDISCONNECTED. */
export function loseNetwork(k: Kernel): void {
  const link = k.state(NetworkLink);
  if (!link.up) return;
  // While the link is down Microvisor keeps trying: the status reads CONNECTING.
  link.status = MV_NETWORKSTATUS_CONNECTING;
  announce(k);
  for (const ch of k.channels.values()) ch.fail(MV_CLOSUREREASON_NETWORKDISCONNECTED);
}

export function restoreNetwork(k: Kernel): void {
  const link = k.state(NetworkLink);
  if (link.up) return;
  link.status = MV_NETWORKSTATUS_CONNECTED;
  if (k.networks.size > 0) k.system.wallClock.networkConnected();
  announce(k);
}
