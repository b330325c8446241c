// @mvmqtt/mock: a scriptable, deterministic mock of the Microvisor MQTT syscalls for unit tests.
export { MockMicrovisor, type MockOptions, type CallRecord, type ForceOptions } from './mock.js';
export { ChannelScript, type IncomingMessage, type LostMessage } from './channel-script.js';
export type { MockClock } from './clock.js';
export type { IrqController, IrqHandler } from '@mvmqtt/sdk/runtime';
export type { IrqDelivery } from './kernel.js';
export type { ReadableItem, ReadableData, PendingRequest, TopicsResponseData, MessageData, LostMessageData } from './mqtt/channel.js';
export type { LimitOverrides } from '@mvmqtt/sdk/runtime';
/** The mock's `config` option: the device core's store format (a file path, a document, or a loaded store). */
export type { ConfigStoreInput as MockConfigStore } from '@mvmqtt/sdk/runtime';
export type { ConfigKeySeen, HttpAnswer, HttpRequestSeen } from './io.js';
export { FUNCTION_SCHEMAS, STRUCT_SCHEMAS } from './generated/index.js';
export type { Shape, FieldSchema, StructSchema, ParamSchema, FunctionSchema } from './schema.js';
export { SpecMockEngine, type SpecCallRecord, type SpecFunctionTable } from './spec-mock.js';
