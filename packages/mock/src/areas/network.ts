/** The network area in the mock: mvRequestNetwork, mvReleaseNetwork, mvGetNetworkStatus, mvGetNetworkReasons. */
import { MV_NETWORKSTATUS_CONNECTED, MV_STATUS_OKAY, type MvNetworkHandle } from '@mvmqtt/sdk';
import { networkReasons } from '@mvmqtt/sdk/runtime';
import type { NetworkBehaviours } from '../generated/index.js';
import { NetworkRequest, type Kernel } from '../kernel.js';

export function createNetworkBehaviours(k: Kernel): NetworkBehaviours {
  return {
    mvRequestNetwork(_call, params, handle) {
      const centre = k.centres.get(params.v1.notification_handle)!.centre;
      k.networkApiUsed = true;
      handle.value = k.networks.add(new NetworkRequest({ centre, tag: params.v1.notification_tag })) as MvNetworkHandle;
      if (k.networkStatus === MV_NETWORKSTATUS_CONNECTED) k.system.wallClock.networkConnected();
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
      reasons.value = networkReasons(k.networks.size, k.networkApiUsed);
      request_ref_count.value = k.networks.size;
      return MV_STATUS_OKAY;
    },
  };
}
