/**
 * What `mvdevice fleet --firmware MODULE` runs on every emulated device, and how MODULE is
 * turned into it.
 *
 * A firmware is an object with a `boot(device)` method (the module's default export, or an
 * export named `firmware`). The fleet calls `boot` once per device, in a shard process; it
 * brings the device up through the system calls (`device.syscalls`) and resolves once
 * connected, with a `FirmwareRun` whose `tick(seq)` the fleet calls on its publish schedule.
 * The firmware tells the fleet what happened through `device.report`; the fleet's own
 * subscriber checks it independently (see `stamp`).
 *
 * MODULE is resolved by the first loader that accepts it: a TypeScript/JavaScript module, or a
 * host-built C firmware (./host-firmware.ts: one firmware process per device).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Device } from '../../device.js';
import type { DeviceOptions } from '../../options.js';
import { UsageError } from '../usage.js';
import { hostFirmwareLoader } from './host-firmware.js';

export interface FleetDevice {
  /** 0 … count−1, unique in the fleet. */
  readonly index: number;
  readonly clientId: string;
  readonly broker: { readonly host: string; readonly port: number; readonly username?: string; readonly password?: string };
  /** MQTT protocol level: 4 (3.1.1) or 5. */
  readonly protocolVersion: 4 | 5;
  readonly qos: 0 | 1;
  /** This device's topics: `up` is what the fleet's subscriber counts, `down` is for commands to the device. */
  readonly topics: { readonly up: string; readonly down: string };
  /** Payload size the fleet was asked for (bytes, at least STAMP_BYTES). */
  readonly payloadBytes: number;
  /** The config file's `settings` object, as given. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** The emulated device: every `MvSyscalls` call, plus `nvic`. */
  readonly syscalls: Device;
  /**
   * Writes the fleet's stamp (device index, sequence number, send time) at the start of
   * `payload`. Stamped messages on `topics.up` are what the fleet's subscriber counts to
   * find lost messages and measure latency; unstamped ones are only counted.
   */
  stamp(payload: Uint8Array, seq: number): void;
  readonly report: FleetReporter;
}

/** What a device is in the fleet, before its `Device` exists. */
export type FleetDeviceInfo = Omit<FleetDevice, 'syscalls' | 'stamp' | 'report'>;

export interface FleetReporter {
  /** A publish completed (its publish response was read and says so). */
  published(): void;
  /** A publish was refused or failed (`why`: the status or request state, for the report). */
  refused(why: string): void;
  /** A message arrived on the device. */
  received(): void;
  /** Something went wrong on this device that does not stop it. */
  error(err: Error): void;
}

export interface FirmwareRun {
  /**
   * One slot of the fleet's publish schedule (every `--interval` ms, staggered across the fleet).
   * A firmware that keeps its own schedule (a host-built C program) has none.
   */
  tick?(seq: number): void;
  /** Before power-off: finish cleanly (optional; the fleet powers the device off afterwards). */
  stop?(): Promise<void> | void;
}

export interface FleetFirmware {
  /** Shown in the report. */
  readonly name?: string;
  /** Options for the `Device` the shard makes for this device (e.g. a config store with the broker). */
  deviceOptions?(device: FleetDeviceInfo): DeviceOptions;
  /** Brings one device up and resolves once it is connected (and subscribed, if it subscribes). */
  boot(device: FleetDevice): Promise<FirmwareRun>;
}

export interface FirmwareLoader {
  readonly kind: string;
  /** Whether this loader takes the `--firmware` argument. */
  accepts(spec: string): boolean;
  /** Checked in the command before any shard starts: throws UsageError with a clear message. */
  check(spec: string): void;
  /** Node flags a shard process needs to load it (a TypeScript loader, for instance). */
  shardExecArgv(spec: string): string[];
  /** In the shard process. */
  load(spec: string): Promise<FleetFirmware>;
}

const SCRIPT_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']);
const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/** Resolves `tsx` (the loader TypeScript firmware needs) next to the firmware, else next to this package. */
function tsxLoader(spec: string): string | undefined {
  for (const from of [resolve(spec), fileURLToPath(import.meta.url)]) {
    try {
      return pathToFileURL(createRequire(from).resolve('tsx')).href;
    } catch {
      // not installed there
    }
  }
  return undefined;
}

const scriptLoader: FirmwareLoader = {
  kind: 'module',
  accepts: (spec) => SCRIPT_EXTENSIONS.has(extname(spec)),
  check(spec) {
    if (!existsSync(spec)) throw new UsageError(`--firmware ${spec}: no such file`);
    if (TYPESCRIPT_EXTENSIONS.has(extname(spec)) && !tsxLoader(spec))
      throw new UsageError(`--firmware ${spec}: TypeScript firmware needs tsx to load (npm install -D tsx), or pass the compiled .js`);
  },
  shardExecArgv: (spec) => (TYPESCRIPT_EXTENSIONS.has(extname(spec)) ? ['--import', tsxLoader(spec)!] : []),
  async load(spec) {
    const mod = (await import(pathToFileURL(resolve(spec)).href)) as { default?: unknown; firmware?: unknown };
    const fw = (mod.firmware ?? mod.default) as Partial<FleetFirmware> | undefined;
    if (!fw || typeof fw.boot !== 'function') throw new Error(`${spec} exports no firmware: export an object with a boot(device) method as default or as "firmware"`);
    return fw as FleetFirmware;
  },
};

/** In order of preference; the first that accepts the argument loads it. */
export const LOADERS: FirmwareLoader[] = [scriptLoader, hostFirmwareLoader];

/** The built-in firmware (publishes stamped telemetry, subscribes to its command topic). */
export const BUILTIN_FIRMWARE = fileURLToPath(new URL(`./telemetry${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

export function loaderFor(spec: string): FirmwareLoader {
  const loader = LOADERS.find((l) => l.accepts(spec));
  if (!loader) throw new UsageError(`--firmware ${spec}: not a firmware this fleet can run (accepted: a ${[...SCRIPT_EXTENSIONS].join('/')} module, or a host build)`);
  return loader;
}
