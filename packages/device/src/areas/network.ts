/** The network area: mvRequestNetwork, mvReleaseNetwork, mvGetNetworkStatus, mvGetNetworkReasons. */
import {
  MV_STATUS_INVALIDHANDLE,
  MV_STATUS_OKAY,
  MV_STATUS_PARAMETERFAULT,
  MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION,
} from '@mvmqtt/sdk';
import type {
  MvGetNetworkReasonsStatus,
  MvGetNetworkStatusStatus,
  MvNetworkHandle,
  MvOut,
  MvReleaseNetworkStatus,
  MvRequestNetworkStatus,
} from '@mvmqtt/sdk';
import { isBox, isStruct, isU32, structVersions } from '../kernel/args.js';
import { networkReasons } from '@mvmqtt/sdk/runtime';
import type { NetworkBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';
import { NetworkLink, NetworkRequest, networkStatus } from '../network.js';

const VERSIONS = structVersions('MvRequestNetworkParams');

export function requestNetwork(k: Kernel, link: NetworkLink, params: unknown, handleOut: unknown): MvRequestNetworkStatus {
  if (!isStruct(params) || !isBox(handleOut)) return MV_STATUS_PARAMETERFAULT;
  if (!VERSIONS.has(params.version as number)) return MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION;
  const v1 = params.v1;
  if (!isStruct(v1) || !isU32(v1.notification_tag)) return MV_STATUS_PARAMETERFAULT;
  // The call has no INVALIDHANDLE: a notification handle that names nothing is a bad field (PARAMETERFAULT).
  const centre = k.centres.get(v1.notification_handle);
  if (!centre) return MV_STATUS_PARAMETERFAULT;
  link.apiUsed = true;
  (handleOut as MvOut<MvNetworkHandle>).value = k.networks.add(new NetworkRequest({ centre, tag: v1.notification_tag })) as MvNetworkHandle;
  if (link.up) k.system.wallClock.networkConnected();
  return MV_STATUS_OKAY;
}

export function releaseNetwork(k: Kernel, handleInOut: unknown): MvReleaseNetworkStatus {
  if (!isBox(handleInOut)) return MV_STATUS_PARAMETERFAULT;
  const h = handleInOut.value;
  if (!k.networks.get(h)) return MV_STATUS_INVALIDHANDLE;
  k.networks.delete(h as number);
  handleInOut.value = 0;
  return MV_STATUS_OKAY;
}

export function getNetworkStatus(k: Kernel, handle: unknown, status: unknown): MvGetNetworkStatusStatus {
  if (!isBox(status)) return MV_STATUS_PARAMETERFAULT;
  if (!k.networks.get(handle)) return MV_STATUS_INVALIDHANDLE;
  status.value = networkStatus(k);
  return MV_STATUS_OKAY;
}

export function getNetworkReasons(k: Kernel, link: NetworkLink, reasons: unknown, refCount: unknown): MvGetNetworkReasonsStatus {
  if (!isBox(reasons) || !isBox(refCount)) return MV_STATUS_PARAMETERFAULT;
  reasons.value = networkReasons(k.networks.size, link.apiUsed);
  refCount.value = k.networks.size;
  return MV_STATUS_OKAY;
}

export function createNetworkBehaviours(k: Kernel): NetworkBehaviours {
  const link = k.state(NetworkLink);
  return {
    mvRequestNetwork: (params, handleOut) => requestNetwork(k, link, params, handleOut),
    mvReleaseNetwork: (handleInOut) => releaseNetwork(k, handleInOut),
    mvGetNetworkStatus: (handle, status) => getNetworkStatus(k, handle, status),
    mvGetNetworkReasons: (reasons, refCount) => getNetworkReasons(k, link, reasons, refCount),
  };
}
