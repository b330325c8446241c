/** The network area in the mock: mvRequestNetwork, mvReleaseNetwork, mvGetNetworkStatus, mvGetNetworkReasons. */
import { MV_STATUS_OKAY, type MvNetworkHandle } from '@mvmqtt/sdk';
import { NetworkLink, networkReasons } from '@mvmqtt/sdk/runtime';
import type { NetworkBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel.js';

export function createNetworkBehaviours(k: Kernel): NetworkBehaviours {
  const link = k.state(NetworkLink);
  return {
    mvRequestNetwork(_call, params, handle) {
      const centre = k.centres.get(params.v1.notification_handle)!.centre;
      handle.value = link.request(k.networks, { centre, tag: params.v1.notification_tag }, k.system) as MvNetworkHandle;
      return MV_STATUS_OKAY;
    },

    mvReleaseNetwork(_call, handle) {
      k.networks.delete(handle.value);
      handle.value = 0 as MvNetworkHandle;
      return MV_STATUS_OKAY;
    },

    mvGetNetworkStatus(_call, _handle, status) {
      status.value = link.status;
      return MV_STATUS_OKAY;
    },

    mvGetNetworkReasons(_call, reasons, request_ref_count) {
      reasons.value = networkReasons(k.networks.size, link.apiUsed);
      request_ref_count.value = k.networks.size;
      return MV_STATUS_OKAY;
    },
  };
}
