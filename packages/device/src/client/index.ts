/** The high-level async client over the Microvisor MQTT system calls. */
export {
  DEFAULT_PROTOCOL_VERSION,
  MvMqttClient,
  type ClientEvents,
  type ClientHost,
  type ClientOptions,
  type ConnectOptions,
  type DisconnectInfo,
  type LostMessage,
  type ProtocolVersion,
  type PublishOptions,
  type QoS,
  type ReceivedMessage,
  type ReconnectedInfo,
  type ReconnectingInfo,
  type ReconnectOptions,
  type SubscribeOptions,
} from './client.js';
export { MvCredentialError, type Credential } from './credentials.js';
export {
  MvConnectionLostError,
  MvRequestError,
  MvStatusError,
  MvSubscribeError,
  requestStateName,
  type DisconnectCause,
  type SubscribeResult,
  type UnsubscribeResult,
} from './errors.js';
export { describeReasonCode, reasonCodeName, type ReasonCodeSource } from './reason-codes.js';
