/**
 * What the C package ships, as the `c` emitter writes it and the `docs` emitter's examples
 * include it: an example must include a header the package really ships.
 */
import type { Model } from '../../model/model.js';

/** The package's own header under its include directory, named after the product. */
export function cHeaderPath(model: Model): string {
  return `${model.product.name}/${model.product.name}.h`;
}

/**
 * The `#include` line an application writes: the vendor's header name once the spec covers the
 * whole vendor header (the package then ships a header by that name), the package's own before.
 */
export function applicationInclude(model: Model): string {
  return model.spec.vendor.complete ? `#include "${model.spec.vendor.header}"` : `#include <${cHeaderPath(model)}>`;
}
