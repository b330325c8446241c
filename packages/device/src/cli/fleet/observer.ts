/**
 * The fleet's own subscriber: a plain mqtt.js client, outside the devices, subscribed to every
 * device's uplink topic. It counts each stamped (device, sequence) pair once and measures
 * publish → arrival latency from the stamp, so "lost" does not rely on the devices' own word.
 * Memory does not grow with the run's length: per device it keeps the highest sequence seen
 * and a 32-message window of which earlier ones arrived.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { Histogram } from './histogram.js';
import { nowMs, readStamp } from './stamp.js';

const WINDOW = 32;

export interface ObserverCounts {
  /** Distinct stamped messages from this fleet's devices. */
  counted: number;
  duplicates: number;
  /** Stamped messages older than the window (counted too: they did arrive). */
  late: number;
  /** Messages on the uplink topics without the fleet's stamp (a custom firmware's own payloads). */
  unstamped: number;
}

export class Observer {
  readonly latency = new Histogram();
  /** Latency since the last `takeInterval()`, for the live summary. */
  readonly recent = new Histogram();
  readonly counts: ObserverCounts = { counted: 0, duplicates: 0, late: 0, unstamped: 0 };
  private readonly highest: Uint32Array;
  private readonly window: Uint32Array;
  private readonly heard: Uint8Array;

  private constructor(
    private readonly client: MqttClient,
    readonly devices: number,
  ) {
    this.highest = new Uint32Array(devices);
    this.window = new Uint32Array(devices);
    this.heard = new Uint8Array(devices);
  }

  static async start(opts: { url: string; username?: string; password?: string; filter: string; qos: 0 | 1; devices: number; clientId: string }): Promise<Observer> {
    const client = mqtt.connect(opts.url, {
      clientId: opts.clientId,
      username: opts.username,
      password: opts.password,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      protocolVersion: 4,
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error(`the fleet's subscriber could not connect to ${opts.url}`)));
    });
    const o = new Observer(client, opts.devices);
    client.on('message', (_topic, payload) => o.onMessage(payload));
    await client.subscribeAsync(opts.filter, { qos: opts.qos });
    return o;
  }

  private onMessage(payload: Buffer): void {
    const s = readStamp(payload);
    if (!s || s.device >= this.devices) {
      this.counts.unstamped++;
      return;
    }
    const d = s.device;
    if (!this.heard[d]) {
      this.heard[d] = 1;
      this.highest[d] = s.seq;
      this.window[d] = 1;
    } else {
      const ahead = s.seq - this.highest[d];
      if (ahead > 0) {
        this.window[d] = ahead >= WINDOW ? 1 : ((this.window[d] << ahead) | 1) >>> 0;
        this.highest[d] = s.seq;
      } else if (-ahead >= WINDOW) {
        this.counts.late++;
      } else {
        const bit = 1 << -ahead;
        if (this.window[d] & bit) {
          this.counts.duplicates++;
          return;
        }
        this.window[d] = (this.window[d] | bit) >>> 0;
      }
    }
    this.counts.counted++;
    const ms = nowMs() - s.sentMs;
    this.latency.add(ms);
    this.recent.add(ms);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.client.end(true, {}, () => resolve()));
  }
}
