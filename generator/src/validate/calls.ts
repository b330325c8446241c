/**
 * Semantic rules for a function's own facts beyond its parameter types: length parameters
 * that size a sibling buffer, and the call-level constraints (no interrupt context, test mode
 * only, no return). Each rule is one function; semantic.ts calls them for every function.
 */
import { parseCType } from '../model/ctype.js';
import type { RawFunction } from '../spec/raw.js';

/** Reports one problem at a JSON pointer below the function (`params/2/counts`). */
export type FunctionReport = (parts: (string | number)[], message: string, hint: string | undefined, rule: string) => void;

/**
 * `counts` on a parameter names a sibling pointer parameter whose length it gives. The counter
 * is an integer passed by value, or an integer `out` pointer when the kernel reports the length
 * (a call that hands back a buffer). A buffer has at most one counter.
 */
export function checkParamCounts(f: RawFunction, report: FunctionReport): void {
  const counted = new Map<string, string>();
  f.params.forEach((p, j) => {
    if (p.counts === undefined) return;
    const at = ['params', j, 'counts'];
    const t = parseCType(p.type);
    const intValue = t && t.base.kind === 'int' && t.pointer === 0 && p.direction === 'value';
    const intOut = t && t.base.kind === 'int' && t.pointer === 1 && !t.const && p.direction === 'out';
    if (t && !intValue && !intOut)
      report(at, `length parameter "${p.name}" has type "${p.type}" (${p.direction})`, 'a length is an integer passed by value, or an integer out pointer the kernel writes', 'count-param');
    if (p.counts === p.name) return report(at, `"${p.name}" counts itself`, 'name the buffer parameter it sizes', 'count-param');
    const target = f.params.find((q) => q.name === p.counts);
    if (!target) return report(at, `"${p.name}" counts "${p.counts}", which is not a parameter of ${f.name}`, `parameters: ${f.params.map((q) => q.name).join(', ')}`, 'count-param');
    if (!(parseCType(target.type)?.pointer ?? 0))
      report(at, `"${p.name}" counts "${p.counts}", which is not a pointer (buffer) parameter`, 'a length parameter must name the pointer it sizes', 'count-param');
    const other = counted.get(p.counts);
    if (other !== undefined) report(at, `"${p.counts}" is counted by both "${other}" and "${p.name}"`, 'one parameter gives a buffer its length', 'count-param');
    counted.set(p.counts, p.name);
  });
}

/** Call-level constraints name a status the call's error table lists (runtimes return it). */
export function checkCallContext(f: RawFunction, report: FunctionReport, isStatus: (name: string) => boolean): void {
  const listed = new Set(f.errors.map((e) => e.status));
  for (const key of ['not_in_interrupt', 'test_mode_only'] as const) {
    const status = f[key];
    if (status === undefined) continue;
    if (!isStatus(status)) report([key], `"${status}" is not a status constant`, 'name the status the call returns when the constraint is broken', 'reference');
    else if (!listed.has(status))
      report([key], `${f.name} does not list ${status} in its error table, yet "${key}" says it returns it`, `add a ${status} row describing the constraint`, 'call-context');
  }
}
