/** The high-level async client over the Microvisor MQTT system calls. */
export { MvMqttClient, type ClientHost, type ClientOptions, type ConnectOptions, type DisconnectInfo, type LostMessage, type PublishOptions, type ReceivedMessage, type SubscribeOptions } from './client.js';
export { MvConnectionLostError, MvRequestError, MvStatusError, requestStateName } from './errors.js';
