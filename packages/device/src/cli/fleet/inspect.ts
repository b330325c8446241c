/**
 * `mvdevice fleet --inspect[=PORT]`: the live inspector for any device of the fleet.
 *
 * Devices live in the shard processes, so each shard serves its own devices on a private
 * port, and the fleet command serves the page on PORT and relays to the shards: the page
 * lists every device of the fleet and shows the one picked. A shard's devices are only
 * offered: a device is observed while a page shows it (the page starts from a snapshot of
 * its centres, channels and session), and costs nothing otherwise.
 */
import type { Device } from '../../device.js';
import { loadInspector } from '../../inspector.js';

export interface FleetInspector {
  readonly url: string;
  /** A shard's inspector server started: list its devices. */
  addShard(shard: number, url: string): void;
  close(): Promise<void>;
}

export async function startFleetInspector(port: number): Promise<FleetInspector> {
  const server = await (await loadInspector()).InspectorServer.start(port);
  return {
    url: server.url,
    addShard: (shard, url) => server.relay(`s${shard}`, url),
    close: () => server.close(),
  };
}

export interface ShardInspector {
  readonly url: string;
  offer(device: Device, name: string): void;
  close(): Promise<void>;
}

export async function startShardInspector(): Promise<ShardInspector> {
  const server = await (await loadInspector()).InspectorServer.start(0);
  return {
    url: server.url,
    offer: (device, name) => void server.offer(device, { name }),
    close: () => server.close(),
  };
}
