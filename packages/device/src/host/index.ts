/** @mvmqtt/device/host: serve host firmware builds (C firmware compiled for Linux) from the device core. */
export { HostBridge, type BridgeHooks } from './bridge.js';
export { runFirmware, type RunOptions, type RunResult, type RunningFirmware } from './runner.js';
export { HostMemory } from './marshal.js';
