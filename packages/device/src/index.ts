/** @mvmqtt/device: an emulated Microvisor device core backed by mqtt.js and a real broker. */
export { Device, type DeviceDiagnostics, type IrqController } from './device.js';
export type { DeviceOptions, OverrunPolicy, ReasonCodesSizeUnit, ConnackCodeMapping, ConfigurableLimits, CircuitBreaker } from './options.js';
export type { TraceEvent } from './trace.js';
export type { DeviceState, CentreState, ChannelState } from './inspect.js';
export type { IrqHandler, IrqDelivery } from './kernel/nvic.js';
export { seededRandom } from '@mvmqtt/sdk/runtime';
export * from './client/index.js';
