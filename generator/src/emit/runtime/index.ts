/**
 * `device` target: the generated entry layer of the emulated device core (the index's
 * `product.outputs.device`; the mock's is emitted by the `mock` target with the same
 * output check and area assembly, from ./outputs.ts and ./areas.ts).
 */
import type { Emitter } from '../emitter.js';
import { lineCommentBanner } from '../banner.js';
import { Imports } from '../core/typescript/imports.js';
import { printTsFile } from '../core/typescript/printer.js';
import { deviceSyscallStatements } from './device.js';

export const deviceEmitter: Emitter = {
  target: 'device',
  description: 'device core syscall entry layer and area assembly',
  ownedDirs: (model) => [model.product.outputs.device],
  emit(model, ctx) {
    const imports = new Imports();
    const statements = deviceSyscallStatements(model, imports);
    const syscalls = printTsFile('device-syscalls.ts', [lineCommentBanner(ctx).trimEnd(), imports.text(), ...statements]);
    const index = printTsFile('device-index.ts', [lineCommentBanner(ctx).trimEnd(), `export * from './syscalls.js';`]);
    return [
      { path: `${model.product.outputs.device}/syscalls.ts`, contents: syscalls },
      { path: `${model.product.outputs.device}/index.ts`, contents: index },
    ];
  },
};
