/** What both runtimes answer about the network, from the same kernel facts. */
import {
  MV_EVENTTYPE_NETWORKSTATUSCHANGED,
  MV_NETWORKREASON_NEVERUSEDNETWORKAPI,
  MV_NETWORKREASON_NOTCONNECTING,
  MV_NETWORKREASON_USINGNETWORK,
  MV_NETWORKSTATUS_CONNECTED,
  MV_SYSTEMNOTIFICATIONSOURCE_NETWORK,
} from '../generated/index.js';
import type { MvNetworkReason, MvNetworkStatus } from '../generated/index.js';
import type { HandleTable } from './handles.js';
import type { NotificationTarget } from './notifications.js';
import { postSystemEvent, type SystemState } from './system.js';

/** A network request the application holds (`mvRequestNetwork`): where its NETWORKSTATUSCHANGED goes. */
export class NetworkRequest {
  constructor(readonly target: NotificationTarget) {}
}

/**
 * The `mvGetNetworkReasons` bits: the emulated link never reports itself as connecting; it is in
 * use while a network request is live, and "never used" until the first request.
 */
export function networkReasons(liveRequests: number, apiUsed: boolean): MvNetworkReason {
  let bits: number = MV_NETWORKREASON_NOTCONNECTING;
  if (liveRequests > 0) bits |= MV_NETWORKREASON_USINGNETWORK;
  if (!apiUsed) bits |= MV_NETWORKREASON_NEVERUSEDNETWORKAPI;
  return bits as MvNetworkReason;
}

/**
 * The simulated link to the Microvisor cloud (area state of the network area): up when the
 * device starts, as Microvisor brings it up by default.
 */
export class NetworkLink {
  /** What mvGetNetworkStatus reads. */
  status: MvNetworkStatus = MV_NETWORKSTATUS_CONNECTED;
  /** The application has called mvRequestNetwork at least once (it then holds the link up by its requests). */
  apiUsed = false;

  get up(): boolean {
    return this.status === MV_NETWORKSTATUS_CONNECTED;
  }

  /** Traffic to the cloud flows: the link is up and the application has not released its network. */
  online(requests: number): boolean {
    return this.up && (!this.apiUsed || requests > 0);
  }

  /**
   * mvRequestNetwork: a new request (its handle returned) whose NETWORKSTATUSCHANGED goes to
   * `target`; granted while the link is up, the server sets the clock.
   */
  request(requests: HandleTable<NetworkRequest>, target: NotificationTarget, system: SystemState): number {
    this.apiUsed = true;
    const handle = requests.add(new NetworkRequest(target));
    if (this.up) system.wallClock.networkConnected();
    return handle;
  }

  /**
   * The link moves to `status` (false, and nothing happens, when it is there already). Coming up
   * while the application holds a request, the server sets the clock; then every request gets its
   * NETWORKSTATUSCHANGED, and every NETWORK system subscription its event.
   */
  change(status: MvNetworkStatus, requests: HandleTable<NetworkRequest>, system: SystemState): boolean {
    if (status === this.status) return false;
    this.status = status;
    if (this.up && requests.size > 0) system.wallClock.networkConnected();
    for (const request of requests.values()) request.target.centre.post(MV_EVENTTYPE_NETWORKSTATUSCHANGED, request.target.tag);
    postSystemEvent(system.subscriptions.values(), MV_SYSTEMNOTIFICATIONSOURCE_NETWORK);
    return true;
  }
}
