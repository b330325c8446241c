/**
 * Functions: the prototype and call address are device ABI; the error table is the public
 * TypeScript API (each call's status type lists exactly its rows); notifications and the
 * readable items a call produces or consumes are its runtime contract.
 */
import type { FunctionModel, ParamModel } from '../model/types.js';
import { ADDRESS_FACETS, address, BEHAVIOUR_FACETS, CONTRACT_FACETS, matchByName, orderChanged } from './change.js';
import { areaMoved } from './common.js';
import { newAt, oldAt, type DiffContext } from './context.js';

export function diffFunctions(ctx: DiffContext): void {
  const { log } = ctx;
  const m = matchByName(ctx.before.functions, ctx.after.functions, (f) => f.name);
  // Same call address under a new name: a rename, reported once, then compared as one function.
  const renamedTo = new Map<FunctionModel, FunctionModel>();
  for (const gone of m.removed) {
    const twin = m.added.find((f) => f.nscAddress === gone.nscAddress);
    if (twin) {
      renamedTo.set(gone, twin);
      ctx.renamedFunctions.set(gone.name, twin.name);
    }
  }
  for (const gone of m.removed) {
    const twin = renamedTo.get(gone);
    if (twin) {
      log.major(newAt(twin.source, '/name'), `function ${gone.name} renamed ${twin.name} (call address ${address(twin.nscAddress)})`);
      diffFunction(ctx, gone, twin);
    } else log.major(oldAt(gone.source), `function ${gone.name} removed`);
  }
  const renamed = new Set(renamedTo.values());
  for (const f of m.added.filter((x) => !renamed.has(x))) log.minor(newAt(f.source), `function ${f.name} added (${f.params.length} parameters, call address ${address(f.nscAddress)})`);
  for (const { before, after } of m.both) diffFunction(ctx, before, after);
}

function diffFunction(ctx: DiffContext, a: FunctionModel, b: FunctionModel): void {
  const { log } = ctx;
  areaMoved(ctx, `function ${b.name}`, a, b);
  log.text(newAt(b.source, '/doc'), `doc of ${b.name}`, a.doc, b.doc);
  if (a.nscAddress !== b.nscAddress) log.major(newAt(b.source, '/nsc_address'), `${b.name}: call address ${address(a.nscAddress)} → ${address(b.nscAddress)}`, ADDRESS_FACETS);
  diffParams(ctx, a, b);
  diffErrors(ctx, a, b);
  diffFlow(ctx, a, b);
}

function diffParams(ctx: DiffContext, a: FunctionModel, b: FunctionModel): void {
  const { log } = ctx;
  const at = (i: number, suffix = '') => newAt(b.source, `/params/${i}${suffix}`);
  const m = matchByName(a.params, b.params, (p) => p.name);
  // A parameter whose name changed in place (same position) is a rename; C and the SDK pass
  // arguments by position, so the name alone is source-compatible.
  const renamedTo = new Map<ParamModel, ParamModel>();
  for (const gone of m.removed) {
    const twin = m.added.find((p) => b.params.indexOf(p) === a.params.indexOf(gone));
    if (twin) renamedTo.set(gone, twin);
  }
  for (const [x, y] of renamedTo) {
    const i = b.params.indexOf(y);
    log.patch(at(i, '/name'), `${b.name}: parameter ${i + 1} renamed ${x.name} → ${y.name} (arguments are positional)`, ['api', 'docs']);
    diffParam(ctx, b, x, y, i);
  }
  const renamed = new Set(renamedTo.values());
  for (const p of m.removed.filter((x) => !renamedTo.has(x)))
    log.major(oldAt(a.source, `/params/${a.params.indexOf(p)}`), `${b.name}: parameter ${p.name} (${p.type.text}) removed`);
  for (const p of m.added.filter((x) => !renamed.has(x))) {
    const i = b.params.indexOf(p);
    log.major(at(i), `${b.name}: parameter ${p.name} (${p.type.text}) added at position ${i + 1}`);
  }
  for (const { before, after } of m.both) diffParam(ctx, b, before, after, b.params.indexOf(after));
  if (orderChanged(a.params.map((p) => p.name), b.params.map((p) => p.name))) {
    const common = b.params.map((p) => p.name).filter((n) => a.params.some((p) => p.name === n));
    log.major(newAt(b.source, '/params'), `${b.name}: parameters reordered: ${a.params.map((p) => p.name).filter((n) => common.includes(n)).join(', ')} → ${common.join(', ')}`);
  }
}

function diffParam(ctx: DiffContext, fn: FunctionModel, x: ParamModel, y: ParamModel, i: number): void {
  const { log } = ctx;
  const at = (suffix = '') => newAt(fn.source, `/params/${i}${suffix}`);
  const name = `${fn.name}(${y.name})`;
  if (x.type.text !== y.type.text) log.major(at('/type'), `${name} retyped ${x.type.text} → ${y.type.text}`);
  if (x.direction !== y.direction) log.major(at('/direction'), `${name}: direction ${x.direction} → ${y.direction}`);
  if (x.objectKind !== y.objectKind) {
    // Naming a required object kind where any handle was accepted narrows the call; dropping it widens it.
    if (!y.objectKind) log.minor(at(), `${name} no longer has to be a ${x.objectKind} object`, CONTRACT_FACETS);
    else log.major(at('/object_kind'), `${name} must now be a ${y.objectKind} object (was ${x.objectKind ?? 'any'})`, CONTRACT_FACETS);
  }
  log.text(at('/doc'), `doc of ${name}`, x.doc, y.doc);
}

function diffErrors(ctx: DiffContext, a: FunctionModel, b: FunctionModel): void {
  const { log } = ctx;
  const m = matchByName(a.errors, b.errors, (e) => e.status);
  for (const e of m.removed) log.major(oldAt(e.at), `${b.name}: ${e.status} removed from the error table (the call's status type loses it)`, CONTRACT_FACETS);
  for (const e of m.added) log.minor(newAt(e.at), `${b.name}: may now return ${e.status}`, CONTRACT_FACETS);
  for (const { before: x, after: y } of m.both) {
    const what = `${b.name}: ${y.status}`;
    log.text(newAt(y.at, '/when'), `${what} condition text`, x.when, y.when);
    if (x.issued !== y.issued)
      log.minor(newAt(y.at, '/issued'), `${what}: the request ${y.issued ? 'now goes ahead' : 'no longer goes ahead'} despite this status (issued ${x.issued} → ${y.issued})`, BEHAVIOUR_FACETS);
    // `source` defaults to header, so the key exists only when the row says inferred.
    if (x.source !== y.source) log.patch(newAt(y.at, y.source === 'inferred' ? '/source' : ''), `${what}: source ${x.source} → ${y.source}`);
    if (JSON.stringify(x.waiver ?? {}) !== JSON.stringify(y.waiver ?? {})) log.patch(newAt(y.at, y.waiver ? '/waiver' : ''), `${what}: test waiver changed`);
  }
  if (orderChanged(a.errors.map((e) => e.status), b.errors.map((e) => e.status)))
    log.patch(newAt(b.source, '/errors'), `${b.name}: error rows listed in a different order`);
}

/** Notifications posted and readable items produced, consumed or peeked. */
function diffFlow(ctx: DiffContext, a: FunctionModel, b: FunctionModel): void {
  const { log } = ctx;
  const notes = matchByName(a.notifications, b.notifications, (n) => n.event);
  const noteAt = (f: FunctionModel, event: string) => `/notifications/${f.notifications.findIndex((n) => n.event === event)}`;
  for (const n of notes.removed) log.major(oldAt(a.source, noteAt(a, n.event)), `${b.name} no longer posts ${n.event}`, CONTRACT_FACETS);
  for (const n of notes.added) log.minor(newAt(b.source, noteAt(b, n.event)), `${b.name} now posts ${n.event}`, CONTRACT_FACETS);
  for (const { before: x, after: y } of notes.both) log.text(newAt(b.source, `${noteAt(b, y.event)}/when`), `${b.name}: ${y.event} condition text`, x.when, y.when);

  for (const c of a.produces.filter((c) => !b.produces.includes(c)))
    log.major(oldAt(a.source, `/produces/${a.produces.indexOf(c)}`), `${b.name} no longer produces ${c}`, CONTRACT_FACETS);
  for (const c of b.produces.filter((c) => !a.produces.includes(c)))
    log.minor(newAt(b.source, `/produces/${b.produces.indexOf(c)}`), `${b.name} now produces ${c}`, CONTRACT_FACETS);

  for (const key of ['consumes', 'peeks'] as const) {
    const [x, y] = [a[key], b[key]];
    if (x === y) continue;
    if (x === undefined) log.minor(newAt(b.source, `/${key}`), `${b.name} now ${key} ${y}`, CONTRACT_FACETS);
    else if (y === undefined) log.major(oldAt(a.source, `/${key}`), `${b.name} no longer ${key} ${x}`, CONTRACT_FACETS);
    else log.major(newAt(b.source, `/${key}`), `${b.name}: ${key} ${x} → ${y}`, CONTRACT_FACETS);
  }
}
