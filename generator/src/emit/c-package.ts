/**
 * Where the C package keeps what it ships, shared by the `c` emitter (which writes the files)
 * and the `docs` emitter (whose examples must include a header the package really ships).
 */
import type { Model } from '../model/model.js';

export const C_PACKAGE = 'packages/c-headers';
export const C_INCLUDE_DIR = 'include';
/** The package's own header, under the include directory. */
export const C_HEADER = 'mvmqtt/mvmqtt.h';

/**
 * The `#include` line an application writes: the vendor's header name once the spec covers the
 * whole vendor header (the package then ships a header by that name), the package's own before.
 */
export function applicationInclude(model: Model): string {
  return model.spec.vendor.complete ? `#include "${model.spec.vendor.header}"` : `#include <${C_HEADER}>`;
}
