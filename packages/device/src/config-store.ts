/**
 * The device's config store (option `config`, `--config FILE`). The format, its checks and the
 * store itself are the shared runtime's (`ConfigStore` in `@mvmqtt/sdk/runtime`, also the mock's);
 * the device adds the file system.
 */
import { readFileSync } from 'node:fs';
import { ConfigStore, type ConfigStoreInput } from '@mvmqtt/sdk/runtime';

export { ConfigStore, ConfigStoreError } from '@mvmqtt/sdk/runtime';
export type { ConfigStoreDocument, ConfigStoreInput, ConfigValue } from '@mvmqtt/sdk/runtime';

/** Loads and checks a store; throws `ConfigStoreError` (one problem, naming the file and the JSON pointer). */
export function loadConfigStore(input: ConfigStoreInput): ConfigStore {
  return ConfigStore.load(input, (path) => readFileSync(path));
}
