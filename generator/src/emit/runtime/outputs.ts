/**
 * The outputs a call writes directly, and the check both entry layers run before any behaviour:
 * a call whose output cannot be written must fail with no effect (the kernel checks its pointer
 * arguments before it acts). Outputs written through pointers stored inside an argument are not
 * checked here: the spec reports those late, once the request has gone ahead.
 */
import type { Model } from '../../model/model.js';
import type { FunctionModel, ParamModel } from '../../model/types.js';
import { tsParamType, usesBox } from '../core/typescript/typemap.js';

/** `[parameter, property]` pairs the call writes: `value` of a box, or each scalar field of an output struct. */
export function directOutputs(fn: FunctionModel, model: Model): [string, string][] {
  const out: [string, string][] = [];
  for (const p of fn.params) out.push(...paramOutputs(p, model));
  return out;
}

function paramOutputs(p: ParamModel, model: Model): [string, string][] {
  if (p.type.pointer === 0 || (p.direction !== 'out' && p.direction !== 'inout')) return [];
  if (p.type.base.kind !== 'struct') return [[p.name, 'value']];
  const struct = model.struct(p.type.base.name);
  // Top-level scalar fields only: a nested struct's fields have dotted paths.
  return struct.fieldPaths.filter(({ path, field }) => !path.includes('.') && field.type.pointer === 0).map(({ path }) => [p.name, path] as [string, string]);
}

/**
 * A boolean expression over the call's parameters that holds when every direct output is
 * writable (`canWrite` from the SDK runtime), or undefined when the call writes none.
 */
export function outputsWritableExpression(fn: FunctionModel, model: Model): string | undefined {
  const outputs = directOutputs(fn, model);
  if (outputs.length === 0) return undefined;
  return outputs.map(([param, key]) => `canWrite(${param}, '${key}')`).join(' && ');
}

/**
 * The same check as statements for the device's entry layer, to run inside a `try` whose
 * `catch` makes the call fail: each direct output is written back as it is (a frozen or
 * read-only object, a getter without a setter or a throwing accessor throws, as `canWrite`
 * finds). Written out per call rather than through `canWrite(param, key)`: a property access
 * with a fixed name at its own site stays monomorphic, where `canWrite`'s one keyed access is
 * shared by every output of every call (megamorphic), and this runs on every call. Undefined
 * when the call writes none.
 */
export function outputsWritableStatements(fn: FunctionModel, model: Model): string[] | undefined {
  const lines: string[] = [];
  for (const p of fn.params) {
    const keys = paramOutputs(p, model).map(([, key]) => key);
    if (keys.length === 0) continue;
    // A byte buffer written through (not a box) has no `value` property in its type; canWrite tried it all the same.
    const target = p.type.base.kind === 'struct' || usesBox(tsParamType(p)) ? p.name : `(${p.name} as unknown as { value: unknown })`;
    const writes = keys.map((key) => `${target}.${key} = ${target}.${key};`);
    // Non-objects pass: the call's own argument checks report them.
    lines.push(`if (typeof ${p.name} === 'object' && ${p.name} !== null) ${writes.length === 1 ? writes[0] : `{\n  ${writes.join('\n  ')}\n}`}`);
  }
  return lines.length > 0 ? lines : undefined;
}
