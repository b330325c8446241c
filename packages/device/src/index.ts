/** @mvmqtt/device: an emulated Microvisor device core backed by mqtt.js and a real broker. */
export { Device, type DeviceDiagnostics } from './device.js';
export type { LogSink, SystemEvent, SystemOptions } from './system.js';
export { DEFAULT_DEVICE_ID, DEFAULT_CLOCKS, type ClockSettings, type RunEnd, type RegisterAccess } from '@mvmqtt/sdk/runtime';
export type { DeviceOptions, CoreOptions, MqttOptions, OverrunPolicy, ReasonCodesSizeUnit, ConnackCodeMapping, LimitOverrides, CircuitBreaker, HttpOptions } from './options.js';
export type { OpaqueEndpoint, OpaquePeer } from './opaque.js';
export { ConfigStore, ConfigStoreError, type ConfigStoreDocument, type ConfigStoreInput, type ConfigValue } from './config-store.js';
export { DEFAULT_FLASH_CHIP_ID, DEFAULT_FLASH_SIZE, type ExternalFlashOptions } from '@mvmqtt/sdk/runtime';
export type { TraceEvent } from './trace.js';
export type { DeviceState, CentreState, ChannelState, MqttSessionState } from './inspect.js';
export type { InspectOptions, InspectorAttachment } from './inspector.js';
export type { IrqDelivery } from './kernel/delivery.js';
export type { IrqHandler, IrqController } from '@mvmqtt/sdk/runtime';
export { seededRandom } from '@mvmqtt/sdk/runtime';
export * from './client/index.js';
export { describeRunEnd, formatCall, formatEvent, showValue } from './host/format.js';
