/**
 * The optional `@mvmqtt/inspector` package, loaded only when asked for: the device neither
 * depends on it nor loads it otherwise (the name is a variable so no bundler or compiler
 * pulls it in).
 */
import type { Device } from './device.js';

export interface InspectorAttachment {
  /** The page, with this device selected. */
  url: string;
  id: string;
  detach(): Promise<void>;
}

export interface InspectOptions {
  /** Port on 127.0.0.1 (default: the server this process already runs, else a free port). */
  port?: number;
  /** Shown in the device list. */
  name?: string;
  /** Broker URL the page's "inject" uses (default: the one in the device's connect request). */
  broker?: string;
}

export interface InspectorServerHandle {
  readonly url: string;
  attach(device: Device, options?: Omit<InspectOptions, 'port'>): InspectorAttachment;
  /** Lists the device; it is observed only while a page shows it. */
  offer(device: Device, options?: Omit<InspectOptions, 'port'>): InspectorAttachment;
  /** Lists and relays the devices of another inspector server under `key`. */
  relay(key: string, url: string): void;
  close(): Promise<void>;
}

export interface InspectorModule {
  inspect(device: Device, options?: InspectOptions): Promise<InspectorAttachment>;
  InspectorServer: { start(port?: number): Promise<InspectorServerHandle> };
}

export async function loadInspector(): Promise<InspectorModule> {
  const name = '@mvmqtt/inspector';
  try {
    return (await import(name)) as InspectorModule;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(name)) {
      throw new Error(`the inspector is a separate package: npm install ${name}`);
    }
    throw err;
  }
}
