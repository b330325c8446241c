/** @mvmqtt/device: an emulated Microvisor device core backed by mqtt.js and a real broker. */
export { Device, type DeviceDiagnostics } from './device.js';
export type { DeviceOptions, CoreOptions, MqttOptions, OverrunPolicy, ReasonCodesSizeUnit, ConnackCodeMapping, LimitOverrides, CircuitBreaker } from './options.js';
export type { TraceEvent } from './trace.js';
export type { DeviceState, CentreState, ChannelState } from './inspect.js';
export type { InspectOptions, InspectorAttachment } from './inspector.js';
export type { IrqDelivery } from './kernel/delivery.js';
export type { IrqHandler, IrqController } from '@mvmqtt/sdk/runtime';
export { seededRandom } from '@mvmqtt/sdk/runtime';
export * from './client/index.js';
