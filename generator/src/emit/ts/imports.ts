/** The SDK's own modules, and what a C type needs imported from them. */
import type { CType } from '../../model/types.js';
import type { Imports } from '../core/typescript/imports.js';
import { usesBox } from '../core/typescript/typemap.js';

export { Imports } from '../core/typescript/imports.js';

/** The module that declares each kind of generated name. */
export const MODULES = {
  box: '../box.js',
  enums: './enums.js',
  handles: './handles.js',
  structs: './structs.js',
  syscalls: './syscalls.js',
} as const;

/** What the hand-written `box` module declares: the SDK package exports them, the generated index does not. */
export const BOX_NAMES: ReadonlySet<string> = new Set(['MvOut', 'out']);

/** Records the imports a C type needs once mapped to `tsType`, from inside module `here`. */
export function importsFor(imports: Imports, type: CType, tsType: string, here: string): void {
  const b = type.base;
  const from = b.kind === 'enum' ? MODULES.enums : b.kind === 'handle' ? MODULES.handles : b.kind === 'struct' ? MODULES.structs : undefined;
  if (from && from !== here && b.kind !== 'int') imports.type(from, b.name);
  if (usesBox(tsType)) imports.type(MODULES.box, 'MvOut');
}
