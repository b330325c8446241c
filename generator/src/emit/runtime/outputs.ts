/**
 * The outputs a call writes directly, and the check both entry layers run before any behaviour:
 * a call whose output cannot be written must fail with no effect (the kernel checks its pointer
 * arguments before it acts). Outputs written through pointers stored inside an argument are not
 * checked here: the spec reports those late, once the request has gone ahead.
 */
import type { Model } from '../../model/model.js';
import type { FunctionModel, ParamModel } from '../../model/types.js';

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
