/** `@mvmqtt/device/fleet`: what a firmware module for `mvdevice fleet` is written against, and the fleet as a library. */
export type { FirmwareRun, FleetDevice, FleetFirmware, FleetReporter, FirmwareLoader } from './firmware.js';
export { STAMP_BYTES, readStamp, writeStamp, type Stamp } from './stamp.js';
export { SyscallApp, type AppConfig } from './app.js';
export { startFleet, type FleetProgress, type FleetReport } from './fleet.js';
export { fleetOptions, type FleetOptions } from './options.js';
