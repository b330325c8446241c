/** Wi-Fi configuration in the mock: the shared in-memory store. */
import { MV_STATUS_OKAY, type MvGetWifiConfigStatus, type MvSetWifiConfigStatus } from '@mvmqtt/sdk';
import type { WifiBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel.js';
import { messageBytes } from './application_testing.js';

export function createWifiBehaviours(k: Kernel): WifiBehaviours {
  const wifi = k.system.wifi;
  return {
    mvSetWifiConfig(_call, params) {
      const { config_mode, wifi_ssid, wifi_password } = params.v1;
      const bytes = (s: typeof wifi_ssid) => (s.length === 0 || s.data === null ? new Uint8Array(0) : messageBytes(s.data, s.length));
      return wifi.set(config_mode, bytes(wifi_ssid), bytes(wifi_password)) as MvSetWifiConfigStatus;
    },
    mvGetWifiConfig(_call, params) {
      const { ssid, has_encryption } = params.v1;
      const got = wifi.get(ssid.data!, ssid.size);
      if (got.status !== MV_STATUS_OKAY) return got.status as MvGetWifiConfigStatus;
      ssid.length!.value = got.length!;
      has_encryption!.value = got.encrypted!;
      return MV_STATUS_OKAY;
    },
  };
}
