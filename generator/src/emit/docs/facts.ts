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

/** Per call, asked many times over by the session pages: the handle types it needs. */
const neededByCall = new WeakMap<FunctionModel, readonly string[]>();

/** Handle types a function needs: taken by value, or named by a field of a struct it passes in. */
export function handlesNeeded(fn: FunctionModel, model: Model): string[] {
  let needed = neededByCall.get(fn);
  if (!needed) {
    const out = new Set<string>();
    for (const p of fn.params) {
      if (p.direction === 'value' && handleName(p.type)) out.add(handleName(p.type)!);
      if (p.direction === 'in' && p.type.base.kind === 'struct')
        for (const h of structHandles(model.struct(p.type.base.name), model)) out.add(h);
    }
    neededByCall.set(fn, (needed = [...out]));
  }
  return [...needed];
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
  return docsIndex(model).peekers.get(enumName);
}

/** Whether a readable-data constant may be queued without any request asking for it. */
export function isUnsolicited(model: Model, constant: string): boolean {
  return model.constant(constant).constant.unsolicited === true;
}

/** Events that announce readable items of an enum: those posted by the calls producing any of its constants. */
export function announcingEvents(model: Model, enumName: string): string[] {
  const index = docsIndex(model);
  let events = index.announcing.get(enumName);
  if (!events) {
    const consts = new Set(model.enum(enumName).constants.map((c) => c.name));
    events = [];
    for (const f of model.functions)
      if (f.produces.some((c) => consts.has(c))) for (const n of f.notifications) if (!events.includes(n.event)) events.push(n.event);
    index.announcing.set(enumName, events);
  }
  return [...events];
}

/**
 * Who refers to what, for the pages: built once per model, in spec order, because every page
 * asks about its own item and scanning every function or struct per item made the reference
 * quadratic in the size of the spec.
 */
interface DocsIndex {
  /** Readable-data constant → the calls that read it (`consumes`). */
  readers: Map<string, FunctionModel[]>;
  /** Enum → the first call that peeks at it. */
  peekers: Map<string, FunctionModel>;
  /** Enum → calls that take it as a parameter, return it or peek at it. */
  enumCalls: Map<string, FunctionModel[]>;
  /** `enum:Name` / `handle:Name` → struct fields of that type (`Struct.path`). */
  fieldsOfType: Map<string, string[]>;
  /** Handle type → calls that create it, close it, or take it by value. */
  creators: Map<string, FunctionModel[]>;
  closers: Map<string, FunctionModel[]>;
  valueUsers: Map<string, FunctionModel[]>;
  /** Enum → events announcing its readable items (filled on first use). */
  announcing: Map<string, string[]>;
}
const docsIndexes = new WeakMap<Model, DocsIndex>();

function docsIndex(model: Model): DocsIndex {
  let index = docsIndexes.get(model);
  if (index) return index;
  index = {
    readers: new Map(),
    peekers: new Map(),
    enumCalls: new Map(),
    fieldsOfType: new Map(),
    creators: new Map(),
    closers: new Map(),
    valueUsers: new Map(),
    announcing: new Map(),
  };
  const add = <T>(m: Map<string, T[]>, key: string, value: T) => {
    const list = m.get(key);
    if (list) list.push(value);
    else m.set(key, [value]);
  };
  for (const f of model.functions) {
    if (f.consumes !== undefined) add(index.readers, f.consumes, f);
    if (f.peeks !== undefined && !index.peekers.has(f.peeks)) index.peekers.set(f.peeks, f);
    const enums = new Set<string>();
    for (const p of f.params) if (p.type.base.kind === 'enum') enums.add(p.type.base.name);
    if (f.returns.base.kind === 'enum') enums.add(f.returns.base.name);
    if (f.peeks !== undefined) enums.add(f.peeks);
    for (const e of enums) add(index.enumCalls, e, f);
    for (const h of new Set(handlesCreated(f))) add(index.creators, h, f);
    for (const h of new Set(handlesClosed(f))) add(index.closers, h, f);
    const byValue = new Set(f.params.filter((p) => p.direction === 'value').map((p) => handleName(p.type)));
    for (const h of byValue) if (h !== undefined) add(index.valueUsers, h, f);
  }
  for (const s of model.structs)
    for (const p of s.fieldPaths) {
      const b = p.field.type.base;
      if (b.kind === 'enum' || b.kind === 'handle') add(index.fieldsOfType, `${b.kind}:${b.name}`, `${s.name}.${p.path}`);
    }
  docsIndexes.set(model, index);
  return index;
}

/** Calls that read the readable-data constant `constant`, in spec order. */
export function readersOf(model: Model, constant: string): FunctionModel[] {
  return [...(docsIndex(model).readers.get(constant) ?? [])];
}

/** Calls that take the enum as a parameter, return it or peek at it, in spec order. */
export function callsUsingEnum(model: Model, enumName: string): FunctionModel[] {
  return [...(docsIndex(model).enumCalls.get(enumName) ?? [])];
}

/** Struct fields (`Struct.path`) whose type is the enum or handle type `name`, in spec order. */
export function fieldsOfType(model: Model, kind: 'enum' | 'handle', name: string): string[] {
  return [...(docsIndex(model).fieldsOfType.get(`${kind}:${name}`) ?? [])];
}

/** Calls that create, close or take by value the handle type `name`, in spec order. */
export function handleCalls(model: Model, name: string): { creators: FunctionModel[]; closers: FunctionModel[]; valueUsers: FunctionModel[] } {
  const index = docsIndex(model);
  return {
    creators: [...(index.creators.get(name) ?? [])],
    closers: [...(index.closers.get(name) ?? [])],
    valueUsers: [...(index.valueUsers.get(name) ?? [])],
  };
}

/** The first sentence of a doc string, for index tables. */
export function summary(doc: string): string {
  const flat = doc.replace(/\s+/g, ' ').trim();
  const m = /^.*?[.!?](?=\s|$)/.exec(flat);
  return m ? m[0] : flat;
}
