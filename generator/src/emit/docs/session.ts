/**
 * The flow of a whole session, derived from the model rather than written by hand:
 *   set-up   — calls that hand back a handle, ordered so each runs after the handles it needs exist;
 *   requests — calls that queue readable data, each followed by the event it posts, the call that
 *              reports the next item, and the call that reads it;
 *   arrivals — readable data that comes without a request, and calls that take a value the
 *              reader wrote (an acknowledgement takes the message's correlation ID);
 *   ending   — requests whose answer can also arrive unsolicited (they end the conversation);
 *   teardown — calls that close a handle, in the reverse order of set-up.
 * Whatever fits none of these is listed as available at any time.
 */
import type { Model } from '../../model/model.js';
import type { FieldModel, FunctionModel } from '../../model/types.js';
import { announcingEvents, handleCalls, handlesClosed, handlesCreated, handlesNeeded, isUnsolicited, peekerOf } from './facts.js';

export interface ReadStep {
  /** Readable-data constant. */
  item: string;
  events: string[];
  peeker?: string;
  reader?: string;
  /** Calls that take a value the reader wrote (matched by name). */
  followUps: string[];
}

export type SessionStep =
  | { kind: 'setup'; call: string; needs: string[]; gives: string[]; events: string[]; queries: string[] }
  | { kind: 'request'; call: string; needs: string[]; events: string[]; reads: ReadStep[] }
  | { kind: 'arrival'; read: ReadStep }
  | { kind: 'teardown'; call: string; closes: string[] };

export interface SessionFlow {
  steps: SessionStep[];
  /** Calls the flow does not place: usable at any time. */
  anyTime: string[];
}

/** Output fields (recursively through by-value structs) of the struct a reader fills. */
function writtenFields(fn: FunctionModel, model: Model): FieldModel[] {
  const out: FieldModel[] = [];
  const visit = (structName: string, seen: Set<string>) => {
    if (seen.has(structName)) return;
    seen.add(structName);
    for (const { field } of model.struct(structName).fieldPaths) {
      if (field.type.base.kind === 'struct' && field.type.pointer === 0) visit(field.type.base.name, seen);
      else if (field.direction === 'out') out.push(field);
    }
  };
  for (const p of fn.params) if (p.type.base.kind === 'struct' && p.direction !== 'value') visit(p.type.base.name, new Set());
  return out;
}

function isPlain(fn: FunctionModel): boolean {
  return !fn.produces.length && !fn.consumes && !fn.peeks && !handlesCreated(fn).length && !handlesClosed(fn).length;
}

/**
 * The calls an area's session involves: the area's own, plus (transitively) the calls that
 * create the handles they need and the calls that close those handles.
 */
export function areaScope(model: Model, area: string): Set<string> {
  const scope = new Set<string>();
  const handles = new Set<string>();
  // Each call that joins brings the handles it needs, each new handle its creators and closers
  // (from the index: scanning every call per round made this quadratic in the spec's size).
  const pending = model.functions.filter((f) => f.area === area);
  for (const f of pending) scope.add(f.name);
  while (pending.length) {
    for (const h of handlesNeeded(pending.pop()!, model)) {
      if (handles.has(h)) continue;
      handles.add(h);
      const { creators, closers } = handleCalls(model, h);
      for (const g of [...creators, ...closers])
        if (!scope.has(g.name)) {
          scope.add(g.name);
          pending.push(g);
        }
    }
  }
  return scope;
}

/** The session of the whole spec, or of the calls in `scope` only (an area's session). */
export function sessionFlow(model: Model, scope?: ReadonlySet<string>): SessionFlow {
  const functions = scope ? model.functions.filter((f) => scope.has(f.name)) : model.functions;
  const placed = new Set<string>();
  const steps: SessionStep[] = [];
  const place = (name: string) => placed.add(name);

  // Set-up: handle creators in dependency order (stable in spec order).
  const creators = functions.filter((f) => handlesCreated(f).length);
  const available = new Set<string>();
  const pending = [...creators];
  // The calls that may follow a set-up step as its queries, by each handle they need, in spec
  // order: a step looks at the calls needing a handle it gives, not at every call.
  const queryCandidates = new Map<string, { f: FunctionModel; order: number }[]>();
  functions.forEach((f, order) => {
    if (!isPlain(f) || f.params.some((p) => p.objectKind)) return;
    for (const h of handlesNeeded(f, model)) {
      const list = queryCandidates.get(h);
      if (list) list.push({ f, order });
      else queryCandidates.set(h, [{ f, order }]);
    }
  });
  while (pending.length) {
    const i = pending.findIndex((f) => handlesNeeded(f, model).every((h) => available.has(h) || handlesCreated(f).includes(h)));
    const next = pending.splice(i >= 0 ? i : 0, 1)[0];
    const gives = handlesCreated(next);
    for (const h of gives) available.add(h);
    place(next.name);
    // Plain calls that need only handles available now, and at least one given by this step.
    const found = new Map<FunctionModel, number>();
    for (const h of gives)
      for (const { f, order } of queryCandidates.get(h) ?? [])
        if (!placed.has(f.name) && handlesNeeded(f, model).every((n) => available.has(n))) found.set(f, order);
    const queries = [...found].sort((a, b) => a[1] - b[1]).map(([f]) => f);
    for (const q of queries) place(q.name);
    steps.push({
      kind: 'setup',
      call: next.name,
      needs: handlesNeeded(next, model).filter((h) => !gives.includes(h)),
      gives,
      events: next.notifications.map((n) => n.event),
      queries: queries.map((q) => q.name),
    });
  }

  const readStep = (item: string): ReadStep => {
    const { enum: e } = model.constant(item);
    const reader = model.consumerOf(item);
    const peeker = peekerOf(model, e.name);
    if (reader) place(reader.name);
    if (peeker) place(peeker.name);
    return { item, events: announcingEvents(model, e.name), peeker: peeker?.name, reader: reader?.name, followUps: [] };
  };

  // Requests: answered ones first; those whose answer may also come unsolicited end the session.
  const requests = functions.filter((f) => f.produces.length);
  const endsSession = (f: FunctionModel) => f.produces.some((c) => isUnsolicited(model, c));
  const requestStep = (f: FunctionModel): SessionStep => {
    place(f.name);
    return { kind: 'request', call: f.name, needs: handlesNeeded(f, model), events: f.notifications.map((n) => n.event), reads: f.produces.map(readStep) };
  };
  for (const f of requests.filter((r) => !endsSession(r))) steps.push(requestStep(f));

  // Arrivals: readable data no request produces.
  // The plain calls that take an integer by value, by the parameter's name, in spec order: an
  // arrival looks up the fields its reader writes instead of scanning every call.
  const takersByParam = new Map<string, { f: FunctionModel; order: number }[]>();
  functions.forEach((f, order) => {
    if (!isPlain(f)) return;
    for (const name of new Set(f.params.filter((p) => p.direction === 'value' && p.type.base.kind === 'int').map((p) => p.name))) {
      const list = takersByParam.get(name);
      if (list) list.push({ f, order });
      else takersByParam.set(name, [{ f, order }]);
    }
  });
  const readableEnums = new Set(functions.filter((f) => f.peeks).map((f) => f.peeks!));
  for (const enumName of readableEnums)
    for (const c of model.enum(enumName).constants) {
      if (!c.unsolicited || model.producersOf(c.name).length) continue;
      const read = readStep(c.name);
      const reader = read.reader ? model.fn(read.reader) : undefined;
      if (reader) {
        const found = new Map<FunctionModel, number>();
        for (const w of writtenFields(reader, model))
          for (const { f, order } of takersByParam.get(w.name) ?? []) if (!placed.has(f.name)) found.set(f, order);
        read.followUps = [...found].sort((a, b) => a[1] - b[1]).map(([f]) => f.name);
        for (const n of read.followUps) place(n);
      }
      steps.push({ kind: 'arrival', read });
    }

  for (const f of requests.filter(endsSession)) steps.push(requestStep(f));

  // Teardown: closers, latest-created handle first.
  const creationOrder = steps.flatMap((s) => (s.kind === 'setup' ? s.gives : []));
  const created = new Map<string, number>();
  creationOrder.forEach((h, i) => created.has(h) || created.set(h, i));
  const createdAt = (h: string) => created.get(h) ?? -1;
  const closers = functions
    .filter((f) => handlesClosed(f).length)
    .sort((a, b) => createdAt(handlesClosed(b)[0]) - createdAt(handlesClosed(a)[0]));
  for (const f of closers) {
    place(f.name);
    steps.push({ kind: 'teardown', call: f.name, closes: handlesClosed(f) });
  }

  return { steps, anyTime: functions.filter((f) => !placed.has(f.name)).map((f) => f.name) };
}
