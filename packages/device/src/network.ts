/**
 * The network: one simulated link to the Microvisor cloud, up when the device starts (as
 * Microvisor brings it up by default), and any number of network requests (handles), each
 * with its own notification target for NETWORKSTATUSCHANGED.
 */
import { MV_CLOSUREREASON_NETWORKDISCONNECTED, MV_EVENTTYPE_NETWORKSTATUSCHANGED, MV_NETWORKSTATUS_CONNECTED, MV_NETWORKSTATUS_CONNECTING, MV_SYSTEMNOTIFICATIONSOURCE_NETWORK } from '@mvmqtt/sdk';
import { postSystemEvent } from '@mvmqtt/sdk/runtime';
import type { MvNetworkStatus } from '@mvmqtt/sdk';
import type { Kernel } from './kernel/kernel.js';
import type { NotificationTarget } from '@mvmqtt/sdk/runtime';

export class NetworkRequest {
  constructor(readonly target: NotificationTarget) {}
}

export function networkStatus(k: Kernel): MvNetworkStatus {
  // While the link is down Microvisor keeps trying: the status reads CONNECTING.
  return k.networkUp ? MV_NETWORKSTATUS_CONNECTED : MV_NETWORKSTATUS_CONNECTING;
}

function announce(k: Kernel): void {
  k.options.trace?.({ kind: 'network', status: networkStatus(k) });
  for (const req of k.networks.values()) req.target.centre.post(MV_EVENTTYPE_NETWORKSTATUSCHANGED, req.target.tag);
  postSystemEvent(k.system.subscriptions.values(), MV_SYSTEMNOTIFICATIONSOURCE_NETWORK);
  // Server logs queued while offline leave once the link is back.
  if (k.networkUp) k.system.scheduleLogDrain();
}

/** The link drops: every network request is told, then every open channel closes with NETWORKDISCONNECTED. */
export function loseNetwork(k: Kernel): void {
  if (!k.networkUp) return;
  k.networkUp = false;
  announce(k);
  for (const ch of k.channels.values()) ch.fail(MV_CLOSUREREASON_NETWORKDISCONNECTED);
}

export function restoreNetwork(k: Kernel): void {
  if (k.networkUp) return;
  k.networkUp = true;
  if (k.networks.size > 0) k.system.wallClock.networkConnected();
  announce(k);
}
