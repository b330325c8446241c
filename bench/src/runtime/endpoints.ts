/**
 * The two ends of the runtime workload, behind one small interface so the same driver runs
 * them over raw mqtt.js or over the emulated device:
 *   Publisher.publish(payload, done)   `done` fires when the publish is complete (raw: mqtt.js'
 *                                      callback; emulated: the publish response was read)
 *   Subscriber.onMessage(payload)      one call per received message; the driver reads only the
 *                                      sequence number at the payload's start (emulated: the
 *                                      device app's receive buffer, read in place)
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export type QoS = 0 | 1;

export interface Publisher {
  publish(payload: Buffer, done: () => void): void;
  close(): Promise<void>;
}

export interface Subscriber {
  onMessage: (payload: Buffer) => void;
  close(): Promise<void>;
}

export interface EndpointConfig {
  url: string;
  host: string;
  port: number;
  topic: string;
  qos: QoS;
  /** MQTT protocol level: 4 (3.1.1; aedes speaks nothing newer) or 5. */
  protocolVersion: 4 | 5;
  clientId: string;
}

/**
 * The mqtt.js options of the raw clients. They mirror what the device core passes to
 * mqtt.js for a channel (one connect, no automatic reconnect or resubscribe, clean session,
 * the keepalive the connect request gives), so both sides speak the same MQTT.
 */
export function rawClientOptions(cfg: EndpointConfig): IClientOptions {
  return {
    protocolVersion: cfg.protocolVersion,
    clientId: cfg.clientId,
    clean: true,
    keepalive: KEEPALIVE_S,
    reconnectPeriod: 0,
    resubscribe: false,
    connectTimeout: 10_000,
    queueQoSZero: false,
  };
}

/** Keepalive used by both sides (seconds); long enough never to fire during a run. */
export const KEEPALIVE_S = 60;

async function connectRaw(cfg: EndpointConfig): Promise<MqttClient> {
  const client = mqtt.connect(cfg.url, rawClientOptions(cfg));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

const endRaw = (c: MqttClient) => new Promise<void>((resolve) => c.end(false, {}, () => resolve()));

export async function rawPublisher(cfg: EndpointConfig): Promise<Publisher> {
  const client = await connectRaw(cfg);
  const opts = { qos: cfg.qos, retain: false } as const;
  return {
    publish: (payload, done) => {
      client.publish(cfg.topic, payload, opts, done);
    },
    close: () => endRaw(client),
  };
}

/**
 * The reference ceiling for QoS 0: no per-message callback at all, pacing only on the
 * socket's backpressure (one 'drain' listener at a time). Not an equivalent workload to the
 * device (which reports every publish back); reported beside the ratio for context only.
 */
export async function rawUnboundedPublisher(cfg: EndpointConfig): Promise<Publisher & { needsDrain(): boolean; drained(): Promise<void> }> {
  const client = await connectRaw(cfg);
  const opts = { qos: cfg.qos, retain: false } as const;
  const stream = client.stream as unknown as NodeJS.WritableStream & { writableNeedDrain: boolean };
  return {
    publish: (payload) => {
      client.publish(cfg.topic, payload, opts);
    },
    needsDrain: () => stream.writableNeedDrain,
    drained: () => new Promise<void>((r) => stream.once('drain', () => r())),
    close: () => endRaw(client),
  };
}

export async function rawSubscriber(cfg: EndpointConfig): Promise<Subscriber> {
  const client = await connectRaw(cfg);
  const sub: Subscriber = {
    onMessage: () => undefined,
    close: () => endRaw(client),
  };
  client.on('message', (_topic, payload) => sub.onMessage(payload));
  await client.subscribeAsync(cfg.topic, { qos: cfg.qos });
  return sub;
}
