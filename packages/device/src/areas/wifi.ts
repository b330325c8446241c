/** Wi-Fi configuration: an in-memory store of the SSID and password; the password never comes back. */
import { MV_STATUS_OKAY } from '@mvmqtt/sdk';
import type { MvGetWifiConfigStatus, MvSetWifiConfigStatus } from '@mvmqtt/sdk';
import { checkedBytes } from '../kernel/args.js';
import type { WifiBehaviours } from '../generated/index.js';
import type { Kernel } from '../kernel/kernel.js';

export function createWifiBehaviours(k: Kernel): WifiBehaviours {
  const wifi = k.system.wifi;
  return {
    mvSetWifiConfig(params) {
      // The checks held the version, v1, the mode's range and both strings.
      const v1 = params.v1;
      return wifi.set(v1.config_mode, checkedBytes(v1.wifi_ssid), checkedBytes(v1.wifi_password)) as MvSetWifiConfigStatus;
    },
    mvGetWifiConfig(params) {
      // The checks held the version, v1, the buffer (size <= its length) and both out pointers.
      const v1 = params.v1;
      const { data, size, length } = v1.ssid;
      const encrypted = v1.has_encryption;
      const got = wifi.get(data!, size);
      if (got.status !== MV_STATUS_OKAY) return got.status as MvGetWifiConfigStatus;
      length!.value = got.length!;
      encrypted!.value = got.encrypted!;
      return MV_STATUS_OKAY;
    },
  };
}
