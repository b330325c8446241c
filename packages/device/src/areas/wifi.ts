/** Wi-Fi configuration: an in-memory store of the SSID and password; the password never comes back. */
import { MV_STATUS_OKAY, MV_STATUS_PARAMETERFAULT, MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION } from '@mvmqtt/sdk';
import type { MvGetWifiConfigStatus, MvSetWifiConfigStatus } from '@mvmqtt/sdk';
import { isBox, isStruct, sizedBytesOrEmpty, structVersions } from '../kernel/args.js';
import type { WifiBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';

const SET_VERSIONS = structVersions('MvWifiConfig');
const GET_VERSIONS = structVersions('MvWifiConfigOut');

export function createWifiBehaviours(k: Kernel): WifiBehaviours {
  const wifi = k.system.wifi;
  return {
    mvSetWifiConfig(params) {
      if (!isStruct(params)) return MV_STATUS_PARAMETERFAULT;
      if (!SET_VERSIONS.has(params.version as number)) return MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION;
      const v1 = params.v1;
      if (!isStruct(v1)) return MV_STATUS_PARAMETERFAULT;
      const ssid = sizedBytesOrEmpty(v1.wifi_ssid, 'params.v1.wifi_ssid', false);
      const password = sizedBytesOrEmpty(v1.wifi_password, 'params.v1.wifi_password', false);
      return wifi.set(v1.config_mode as number, ssid, password) as MvSetWifiConfigStatus;
    },
    mvGetWifiConfig(params) {
      if (!isStruct(params)) return MV_STATUS_PARAMETERFAULT;
      if (!GET_VERSIONS.has(params.version as number)) return MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION;
      const v1 = params.v1;
      if (!isStruct(v1) || !isStruct(v1.ssid)) return MV_STATUS_PARAMETERFAULT;
      const { data, size, length } = v1.ssid;
      const encrypted = v1.has_encryption;
      if (!(data instanceof Uint8Array) || typeof size !== 'number' || size > data.byteLength || !isBox(length) || !isBox(encrypted)) return MV_STATUS_PARAMETERFAULT;
      const got = wifi.get(data, size);
      if (got.status !== MV_STATUS_OKAY) return got.status as MvGetWifiConfigStatus;
      length.value = got.length!;
      encrypted.value = got.encrypted!;
      return MV_STATUS_OKAY;
    },
  };
}
