/** What both runtimes answer about the network, from the same kernel facts. */
import { MV_NETWORKREASON_NEVERUSEDNETWORKAPI, MV_NETWORKREASON_NOTCONNECTING, MV_NETWORKREASON_USINGNETWORK } from '../generated/index.js';
import type { MvNetworkReason } from '../generated/index.js';

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
