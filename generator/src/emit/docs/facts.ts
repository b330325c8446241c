/**
 * Small derived facts the pages share: which calls create or use a handle type, who reads or
 * produces readable data, which items an erratum is about. Facts other targets state too
 * (limit wording, errata look-up) come from core/facts.ts.
 */
import type { Model } from '../../model/model.js';
import type { CType, Erratum, FunctionModel, StructModel } from '../../model/types.js';
import { errataFor } from '../core/facts.js';

/** Errata whose text names `name` (the shared look-up, see core/facts.ts). */
export function errataMentioning(model: Model, name: string): Erratum[] {
  return errataFor(model, name, 'text');
}

export type ItemKind = 'function' | 'struct' | 'enum' | 'typedef' | 'constant' | 'limit';

type Mention = { kind: ItemKind; name: string };
const mentionsByModel = new WeakMap<Model, Map<Erratum, Mention[]>>();

/** Every spec item an erratum names, in spec order: the inverse of `errataMentioning`. */
export function itemsMentionedBy(model: Model, e: Erratum): Mention[] {
  let mentions = mentionsByModel.get(model);
  if (!mentions) {
    // Inverted once for all errata: each item is looked up once, not once per erratum.
    const byErratum = new Map<Erratum, Mention[]>(model.errata.map((x) => [x, []]));
    const add = (kind: ItemKind, names: string[]) => {
      for (const name of names) for (const x of errataFor(model, name, 'text')) byErratum.get(x)?.push({ kind, name });
    };
    add('function', model.functions.map((f) => f.name));
    add('struct', model.structs.map((s) => s.name));
    add('enum', model.enums.map((x) => x.name));
    add('typedef', model.typedefs.map((t) => t.name));
    add('constant', model.enums.flatMap((x) => x.constants.map((c) => c.name)));
    add('limit', model.limits.map((l) => l.name));
    mentionsByModel.set(model, (mentions = byErratum));
  }
  return [...(mentions.get(e) ?? [])];
}

export function handleName(t: CType): string | undefined {
  return t.base.kind === 'handle' ? t.base.name : undefined;
}

/** Handle types a function needs: taken by value, or named by a field of a struct it passes in. */
export function handlesNeeded(fn: FunctionModel, model: Model): string[] {
  const out = new Set<string>();
  for (const p of fn.params) {
    if (p.direction === 'value' && handleName(p.type)) out.add(handleName(p.type)!);
    if (p.direction === 'in' && p.type.base.kind === 'struct')
      for (const h of structHandles(model.struct(p.type.base.name), model)) out.add(h);
  }
  return [...out];
}

function structHandles(s: StructModel, model: Model, seen = new Set<string>()): string[] {
  if (seen.has(s.name)) return [];
  seen.add(s.name);
  const out: string[] = [];
  for (const { field } of s.fieldPaths) {
    const h = handleName(field.type);
    if (h && field.type.pointer === 0) out.push(h);
    if (field.type.base.kind === 'struct' && field.type.pointer === 0) out.push(...structHandles(model.struct(field.type.base.name), model, seen));
  }
  return out;
}

/** Handle types a function hands back through an output parameter. */
export function handlesCreated(fn: FunctionModel): string[] {
  return fn.params.filter((p) => p.direction === 'out' && p.type.pointer === 1 && handleName(p.type)).map((p) => handleName(p.type)!);
}

/** Handle types a function closes (takes by pointer, in and out: it zeroes the caller's handle). */
export function handlesClosed(fn: FunctionModel): string[] {
  return fn.params.filter((p) => p.direction === 'inout' && p.type.pointer === 1 && handleName(p.type)).map((p) => handleName(p.type)!);
}

/** The call that reports which readable item comes next, for constants of `enumName`. */
export function peekerOf(model: Model, enumName: string): FunctionModel | undefined {
  return model.functions.find((f) => f.peeks === enumName);
}

/** Whether a readable-data constant may be queued without any request asking for it. */
export function isUnsolicited(model: Model, constant: string): boolean {
  return model.constant(constant).constant.unsolicited === true;
}

/** Events that announce readable items of an enum: those posted by the calls producing any of its constants. */
export function announcingEvents(model: Model, enumName: string): string[] {
  const consts = new Set(model.enum(enumName).constants.map((c) => c.name));
  const events: string[] = [];
  for (const f of model.functions)
    if (f.produces.some((c) => consts.has(c))) for (const n of f.notifications) if (!events.includes(n.event)) events.push(n.event);
  return events;
}

/** The first sentence of a doc string, for index tables. */
export function summary(doc: string): string {
  const flat = doc.replace(/\s+/g, ' ').trim();
  const m = /^.*?[.!?](?=\s|$)/.exec(flat);
  return m ? m[0] : flat;
}
