/**
 * The device's config store (option `config`, `--config FILE`): the shared runtime's `ConfigStore`
 * (`@mvmqtt/sdk/runtime`), one parser for the device core and the mock. `ConfigStore.load(input)`
 * loads and checks a store; a bad one throws one `ConfigStoreError` naming the file, the JSON
 * pointer and the problem.
 */
export { ConfigStore, ConfigStoreError } from '@mvmqtt/sdk/runtime';
export type { ConfigStoreDocument, ConfigStoreInput, ConfigValue } from '@mvmqtt/sdk/runtime';
