// Building blocks for runtimes that implement MvSyscalls (the device core, the mock): `@mvmqtt/sdk/runtime`.
export { HandleAllocator, HandleTable, kernelStateOf, seededRandom, type KernelState, type Random } from './handles.js';
export { SimulatedMemory, overlaps, trackKeptWrites, keptWritesOf, type AddressRange, type KeptWrites } from './memory.js';
export { Nvic, type IrqController, type IrqHandler, type IrqScheduler } from './nvic.js';
export {
  NotificationCentre,
  NOTIFICATION_RECORD_SIZE,
  type MicrosecondClock,
  type NotificationCentreOptions,
  type NotificationCounters,
  type NotificationRecord,
  type NotificationTarget,
  type OverrunPolicy,
  type RecordOutcome,
} from './notifications.js';
export { Fault, Refusal, allowedStatuses, fault, lateStatus, listedStatuses, statusForException, unwritableStatus, unwritableStatusIn } from './statuses.js';
export { ChannelBase, ChannelTypes } from './channels.js';
export { sizedTopicProblem, topicProblem, type TopicKind, type TopicProblem } from './mqtt-topics.js';
export { RegisterFile, DEFAULT_CLOCKS, type ClockSettings, type RegisterAccess, type RegisterFileOptions } from './registers.js';
export {
  DEFAULT_DEVICE_ID,
  FastInterrupts,
  LOG_MESSAGE_OVERHEAD,
  logRateProblem,
  LogBuffer,
  PowerState,
  SPEC_LOG_RULES,
  SystemState,
  WallClock,
  WifiStore,
  copyDeviceId,
  deviceIdBytes,
  isSystemSource,
  postSystemEvent,
  refusedInInterrupt,
  refusedOutsideTestMode,
  testingCompleteEnd,
  type LogBufferRules,
  type LogRateLimit,
  type RunEnd,
  type SystemStateOptions,
  type SystemSubscription,
  type WallTimeMode,
  type WifiSettings,
} from './system.js';
export { SimulatedWorld } from './world.js';
export { ByteRing } from './byte-ring.js';
export {
  CONFIG_ITEM_FRAMING,
  HTTP_METHODS,
  configAnswerSize,
  configRequestSize,
  httpRequestProblem,
  httpRequestSize,
  writeHttpResponseData,
  type HttpResponseSummary,
} from './io-accounting.js';
export { LimitBook, type CallMeasures, type LimitOverrides, type LimitSetting } from './limits.js';
export { NetworkLink, NetworkRequest, networkReasons } from './network.js';
export { AreaStates, type AreaStateClass } from './area-state.js';
export { ConfigStore, ConfigStoreError, configKeyText, configKeysToFetch, unknownScopeOrStore, type ConfigFileReader, type ConfigKeySeen, type ConfigStoreDocument, type ConfigStoreInput, type ConfigValue } from './config-store.js';
export { DEFAULT_FLASH_CHIP_ID, DEFAULT_FLASH_SIZE, ExternalFlash, externalFlashCalls, type ExternalFlashOptions } from './flash.js';
export {
  ArgumentCheck,
  BEHAVIOUR_ENUMS,
  UNUSABLE,
  byteLength,
  callRules,
  isBox,
  isInt,
  isObject,
  isUint,
  member,
  refusedOr,
  utf8Length,
  type ArgumentEnv,
  type CallInfo,
  type CallRules,
  type HandleTarget,
  type NestedFault,
} from './arguments.js';
export * from '../generated/arguments.js';
