/**
 * The shared-memory call channel (native/mvhost_shm.c, built into dist/native by
 * scripts/build-native.mjs). Absent when the addon could not be built (no compiler or no Node
 * headers where the package was built) or when MVDEVICE_HOST_TRANSPORT=socket asks for the
 * socket transport; the bridge then serves calls from the call socket alone.
 */
import { createRequire } from 'node:module';
import { PROTOCOL_ID } from './generated/protocol.js';

export interface ShmAddon {
  /** Of the protocol table the addon was compiled from (must be ./generated/protocol.ts's). */
  readonly PROTOCOL_ID: number;
  create(capacity: number): { fd: number; buffer: ArrayBuffer };
  /**
   * The request sequence once it differs from `served`, spinning up to `spinNs`; else `served`,
   * or -1 at once when the firmware sleeps in WFI having applied all `eventsSent` events.
   */
  next(buffer: ArrayBuffer, served: number, spinNs: number, eventsSent: number): number;
  /** Marks the device core as not watching (requests then ring the doorbell); false if one slipped in. */
  idle(buffer: ArrayBuffer, served: number): boolean;
  /** Watching again (after a doorbell). */
  watch(buffer: ArrayBuffer): void;
  /** The answer to request `seq` is complete; wakes the firmware if it sleeps. */
  answer(buffer: ArrayBuffer, seq: number): void;
  /** How long the firmware may spin for an answer (ns; 0: it sleeps at once). */
  spinLimit(buffer: ArrayBuffer, ns: number): void;
}

let loaded: ShmAddon | null | undefined;

/** The addon, or undefined (with the reason in `shmUnavailable`). */
export function loadShmAddon(): ShmAddon | undefined {
  if (loaded === undefined) {
    if (process.env.MVDEVICE_HOST_TRANSPORT === 'socket') {
      shmUnavailable = 'MVDEVICE_HOST_TRANSPORT=socket';
      loaded = null;
    } else {
      const require = createRequire(import.meta.url);
      // dist/host/shm.js next to dist/native; src/host/shm.ts (tests run the sources) two levels up.
      for (const path of ['../native/mvhost_shm.node', '../../dist/native/mvhost_shm.node']) {
        try {
          const addon = require(path) as ShmAddon;
          // Built from another version of the generated protocol header: unusable.
          if (addon.PROTOCOL_ID !== PROTOCOL_ID) throw new Error('built from another protocol table; rebuild @mvmqtt/device');
          loaded = addon;
          shmUnavailable = undefined;
          break;
        } catch (err) {
          shmUnavailable = `the mvhost_shm addon is not built (${(err as Error).message.split('\n')[0]})`;
          loaded = null;
        }
      }
    }
  }
  return loaded ?? undefined;
}

export let shmUnavailable: string | undefined;

/** The request and the answer areas are each this large (as the socket transport's buffer). */
export const SHM_AREA_BYTES = 8 << 20;
