/** The network area: mvRequestNetwork, mvReleaseNetwork, mvGetNetworkStatus, mvGetNetworkReasons. */
import { MV_STATUS_OKAY } from '@mvmqtt/sdk';
import type {
  MvGetNetworkReasonsStatus,
  MvGetNetworkStatusStatus,
  MvNetworkHandle,
  MvNetworkReason,
  MvNetworkStatus,
  MvOut,
  MvReleaseNetworkStatus,
  MvRequestNetworkParams,
  MvRequestNetworkStatus,
} from '@mvmqtt/sdk';
import { NetworkLink, networkReasons } from '@mvmqtt/sdk/runtime';
import type { NetworkBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';
import { networkStatus } from '../network.js';

/** The checks held the version, the tag and the centre's handle (live; the call has no INVALIDHANDLE, so a dead one was PARAMETERFAULT). */
export function requestNetwork(k: Kernel, link: NetworkLink, params: MvRequestNetworkParams, handleOut: MvOut<MvNetworkHandle>): MvRequestNetworkStatus {
  const v1 = params.v1;
  const centre = k.centres.get(v1.notification_handle)!;
  handleOut.value = link.request(k.networks, { centre, tag: v1.notification_tag }, k.system) as MvNetworkHandle;
  return MV_STATUS_OKAY;
}

/** The checks found `*handleInOut` a live network request. */
export function releaseNetwork(k: Kernel, handleInOut: MvOut<MvNetworkHandle>): MvReleaseNetworkStatus {
  k.networks.delete(handleInOut.value);
  handleInOut.value = 0 as MvNetworkHandle;
  return MV_STATUS_OKAY;
}

export function getNetworkStatus(k: Kernel, status: MvOut<MvNetworkStatus>): MvGetNetworkStatusStatus {
  status.value = networkStatus(k);
  return MV_STATUS_OKAY;
}

export function getNetworkReasons(k: Kernel, link: NetworkLink, reasons: MvOut<MvNetworkReason>, refCount: MvOut<number>): MvGetNetworkReasonsStatus {
  reasons.value = networkReasons(k.networks.size, link.apiUsed);
  refCount.value = k.networks.size;
  return MV_STATUS_OKAY;
}

export function createNetworkBehaviours(k: Kernel): NetworkBehaviours {
  const link = k.state(NetworkLink);
  return {
    mvRequestNetwork: (params, handleOut) => requestNetwork(k, link, params, handleOut),
    mvReleaseNetwork: (handleInOut) => releaseNetwork(k, handleInOut),
    mvGetNetworkStatus: (_handle, status) => getNetworkStatus(k, status),
    mvGetNetworkReasons: (reasons, refCount) => getNetworkReasons(k, link, reasons, refCount),
  };
}
