/** The runtime workload's two ends on an emulated device (one device per end, as two boards would be). */
import { SyscallApp } from '@mvmqtt/device/fleet';
import { KEEPALIVE_S, type EndpointConfig, type Publisher, type Subscriber } from './endpoints.js';

/**
 * The receive buffer of the subscribing device. QoS 0 has no flow control: whatever the broker
 * forwards in one burst must fit, as it would on hardware (the device reports the rest as
 * MESSAGELOST, which the harness counts as missing messages).
 */
export const SUBSCRIBER_RECEIVE_BUFFER = 64 * 1024;

function app(cfg: EndpointConfig, receiveBufferBytes?: number): SyscallApp {
  return new SyscallApp({ host: cfg.host, port: cfg.port, clientId: cfg.clientId, protocolVersion: cfg.protocolVersion, keepaliveS: KEEPALIVE_S, receiveBufferBytes });
}

export async function emulatedPublisher(cfg: EndpointConfig): Promise<Publisher> {
  const a = app(cfg);
  await a.connect();
  const topic = Buffer.from(cfg.topic);
  return {
    publish: (payload, done) => a.publish(topic, payload, cfg.qos, done),
    close: () => a.powerOff(),
  };
}

export async function emulatedSubscriber(cfg: EndpointConfig): Promise<Subscriber & { app: SyscallApp }> {
  const a = app(cfg, SUBSCRIBER_RECEIVE_BUFFER);
  await a.connect();
  const sub = { app: a, onMessage: (_p: Buffer) => undefined as void, close: () => a.powerOff() };
  // The app's receive buffer itself: the driver reads only the sequence number at its start.
  a.onMessage = (buffer) => sub.onMessage(buffer);
  await a.subscribe(cfg.topic, cfg.qos);
  return sub;
}
