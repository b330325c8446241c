/** The network area in the mock: mvRequestNetwork, mvReleaseNetwork, mvGetNetworkStatus, mvGetNetworkReasons. */
import {
  MV_NETWORKREASON_NEVERUSEDNETWORKAPI,
  MV_NETWORKREASON_NOTCONNECTING,
  MV_NETWORKREASON_USINGNETWORK,
  MV_STATUS_OKAY,
  type MvNetworkHandle,
  type MvNetworkReason,
} from '@mvmqtt/sdk';
import type { NetworkBehaviours } from '../generated/index.js';
import { NetworkRequest, type Kernel } from '../kernel.js';

export function createNetworkBehaviours(k: Kernel): NetworkBehaviours {
  return {
    mvRequestNetwork(_call, params, handle) {
      const centre = k.centres.get(params.v1.notification_handle)!.centre;
      k.networkApiUsed = true;
      handle.value = k.networks.add(new NetworkRequest({ centre, tag: params.v1.notification_tag })) as MvNetworkHandle;
      return MV_STATUS_OKAY;
    },

    mvReleaseNetwork(_call, handle) {
      k.networks.delete(handle.value);
      handle.value = 0 as MvNetworkHandle;
      return MV_STATUS_OKAY;
    },

    mvGetNetworkStatus(_call, _handle, status) {
      status.value = k.networkStatus;
      return MV_STATUS_OKAY;
    },

    mvGetNetworkReasons(_call, reasons, request_ref_count) {
      let bits: number = MV_NETWORKREASON_NOTCONNECTING;
      if (k.networks.size > 0) bits |= MV_NETWORKREASON_USINGNETWORK;
      if (!k.networkApiUsed) bits |= MV_NETWORKREASON_NEVERUSEDNETWORKAPI;
      reasons.value = bits as MvNetworkReason;
      request_ref_count.value = k.networks.size;
      return MV_STATUS_OKAY;
    },
  };
}
