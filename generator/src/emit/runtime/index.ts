/**
 * `device` target: the generated entry layer of the emulated device core in
 * packages/device/src/generated/ (the mock's is emitted by the `mock` target with the same
 * output check and area assembly, from ./outputs.ts and ./areas.ts).
 */
import type { Emitter } from '../emitter.js';
import { lineCommentBanner } from '../banner.js';
import { Imports } from '../core/typescript/imports.js';
import { printTsFile } from '../core/typescript/printer.js';
import { deviceSyscallStatements } from './device.js';
import { DEVICE_GENERATED_DIR } from './modules.js';

export const deviceEmitter: Emitter = {
  target: 'device',
  description: 'device core syscall entry layer and area assembly (packages/device/src/generated)',
  ownedDirs: () => [DEVICE_GENERATED_DIR],
  emit(model, ctx) {
    const imports = new Imports();
    const statements = deviceSyscallStatements(model, imports);
    const syscalls = printTsFile('device-syscalls.ts', [lineCommentBanner(ctx).trimEnd(), imports.text(), ...statements]);
    const index = printTsFile('device-index.ts', [lineCommentBanner(ctx).trimEnd(), `export * from './syscalls.js';`]);
    return [
      { path: `${DEVICE_GENERATED_DIR}/syscalls.ts`, contents: syscalls },
      { path: `${DEVICE_GENERATED_DIR}/index.ts`, contents: index },
    ];
  },
};
