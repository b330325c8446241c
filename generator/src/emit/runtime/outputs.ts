/**
 * The outputs a call writes directly, and the check both entry layers run before any behaviour:
 * a call whose output cannot be written must fail with no effect (the kernel checks its pointer
 * arguments before it acts). Outputs written through pointers stored inside an argument are not
 * checked here: the spec reports those late, once the request has gone ahead.
 */
import type { Model } from '../../model/model.js';
import type { FunctionModel, ParamModel } from '../../model/types.js';
import { indent } from '../core/typescript/text.js';
import { tsParamType, usesBox } from '../core/typescript/typemap.js';

/** The properties of `p` the call writes: `value` of a box, or each scalar field of an output struct. */
function outputKeys(p: ParamModel, model: Model): string[] {
  if (p.type.pointer === 0 || (p.direction !== 'out' && p.direction !== 'inout')) return [];
  if (p.type.base.kind !== 'struct') return ['value'];
  const struct = model.struct(p.type.base.name);
  // Top-level scalar fields only: a nested struct's fields have dotted paths.
  return struct.fieldPaths.filter(({ path, field }) => !path.includes('.') && field.type.pointer === 0).map(({ path }) => path);
}

/**
 * The check, as a block both entry layers emit before any behaviour: each direct output is
 * written back as it is, inside a `try` whose `catch` runs `onUnwritable` (a frozen or read-only
 * object, a getter without a setter or a throwing accessor throws). Written out per call with
 * fixed property names rather than through one shared helper taking `(param, key)`: each access
 * stays monomorphic at its own site, where a shared keyed access sees every output of every call
 * (megamorphic), and this runs on every call. Undefined when the call writes none.
 */
export function outputsWritableBlock(fn: FunctionModel, model: Model, onUnwritable: string): string | undefined {
  const lines: string[] = [];
  for (const p of fn.params) {
    const keys = outputKeys(p, model);
    if (keys.length === 0) continue;
    // A byte buffer written through (not a box) has no `value` property in its type; it is tried all the same.
    const target = p.type.base.kind === 'struct' || usesBox(tsParamType(p)) ? p.name : `(${p.name} as unknown as { value: unknown })`;
    const writes = keys.map((key) => `${target}.${key} = ${target}.${key};`);
    // Non-objects pass: the call's own argument checks report them.
    lines.push(`if (typeof ${p.name} === 'object' && ${p.name} !== null) ${writes.length === 1 ? writes[0] : `{\n  ${writes.join('\n  ')}\n}`}`);
  }
  if (lines.length === 0) return undefined;
  return `try {\n${lines.map((l) => indent(l)).join('\n')}\n} catch {\n${indent(onUnwritable)}\n}`;
}
