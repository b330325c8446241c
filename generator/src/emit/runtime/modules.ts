/** Where the generated entry layers live and what they import: the SDK, its runtime kernel, each runtime's own modules. */
import type { Model } from '../../model/model.js';
import { sdkPackage } from '../core/facts.js';
import type { Imports } from '../core/typescript/imports.js';

export { sdkPackage };

/** The SDK's runtime kernel (`<scope>/sdk/runtime`): NVIC, notification centres, handles, error tables. */
export function sdkRuntimePackage(model: Model): string {
  return `${sdkPackage(model)}/runtime`;
}

/** Seen from a runtime's `src/generated/`: one behaviour module per spec area. */
export const AREAS_DIR = '../areas';

/** Seen from a runtime's `src/generated/`: the module that exports its `Kernel` (the state behaviours act on). */
export const KERNEL_MODULE = { device: '../kernel/kernel.js', mock: '../kernel.js' } as const;

/** Imports every SDK name a TypeScript type mentions; returns the type. */
export function importSdkTypes(imports: Imports, sdk: string, tsType: string): string {
  for (const name of tsType.match(/\bMv[A-Za-z0-9_]*\b/g) ?? []) imports.type(sdk, name);
  return tsType;
}
