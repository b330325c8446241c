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

/** The simulated link to the Microvisor cloud, kept in the kernel as `k.state(NetworkLink)`. */
export class NetworkLink {
  up = true;
  /** The application has called mvRequestNetwork at least once (it then holds the link up by its requests). */
  apiUsed = false;

  /** Traffic to the cloud flows: the link is up and the application has not released its network. */
  online(requests: number): boolean {
    return this.up && (!this.apiUsed || requests > 0);
  }
}

export function networkStatus(k: Kernel): MvNetworkStatus {
  // While the link is down Microvisor keeps trying: the status reads CONNECTING.
  return k.state(NetworkLink).up ? MV_NETWORKSTATUS_CONNECTED : MV_NETWORKSTATUS_CONNECTING;
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
  link.up = false;
  announce(k);
  for (const ch of k.channels.values()) ch.fail(MV_CLOSUREREASON_NETWORKDISCONNECTED);
}

export function restoreNetwork(k: Kernel): void {
  const link = k.state(NetworkLink);
  if (link.up) return;
  link.up = true;
  if (k.networks.size > 0) k.system.wallClock.networkConnected();
  announce(k);
}
