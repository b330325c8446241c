/** Limits as C macros: one per value a firmware needs (a range gives _MIN and _MAX, a rate its window). */
import type { Model } from '../../model/model.js';
import type { LimitModel } from '../../model/types.js';

export interface LimitMacro {
  name: string;
  value: number;
}

export function limitMacros(model: Model, l: LimitModel): LimitMacro[] {
  const base = `${model.product.macroPrefix}_LIMIT_${l.name}`;
  const out: LimitMacro[] = [];
  if (l.kind === 'range') {
    out.push({ name: `${base}_MIN`, value: need(l, l.min) }, { name: `${base}_MAX`, value: need(l, l.max) });
  } else {
    out.push({ name: base, value: need(l, l.value) });
  }
  if (l.kind === 'rate') out.push({ name: `${base}_WINDOW_MS`, value: need(l, l.windowMs) });
  return out;
}

function need(l: LimitModel, v: number | undefined): number {
  if (v === undefined) throw new Error(`mvgen c: limit ${l.name} (${l.kind}) has no value for a macro`);
  return v;
}
