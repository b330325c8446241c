/**
 * Limits: a stricter bound rejects input that used to work (major); a looser one only accepts
 * more (minor). A new limit is minor: the spec documents restrictions the real device already
 * enforces, and the generated constant is an addition. A removed limit is major: its constant
 * disappears from the generated SDK and docs.
 */
import type { Model } from '../model/model.js';
import type { LimitModel } from '../model/types.js';
import { CONTRACT_FACETS, inNew, inOld, matchByName, type Where } from './change.js';
import { areaFile, type DiffContext } from './context.js';

type Verdict = 'same' | 'stricter' | 'looser' | 'mixed';

function limitAt(m: Model, l: LimitModel): { file: string; pointer: string } {
  const area = m.areas.find((a) => a.name === l.area);
  return { file: areaFile(m, l.area), pointer: `/limits/${area ? area.limits.indexOf(l.name) : 0}` };
}

export function describeBound(l: LimitModel): string {
  switch (l.kind) {
    case 'max':
      return `≤ ${l.value}`;
    case 'min':
      return `≥ ${l.value}`;
    case 'range':
      return `${l.min}..${l.max}`;
    case 'multiple_of':
      return `a multiple of ${l.value}`;
    case 'alignment':
      return `aligned to ${l.value}`;
    case 'max_objects':
      return `≤ ${l.value} objects`;
    case 'in_flight':
      return `≤ ${l.value} in flight`;
    case 'per_object':
      return `≤ ${l.value} per object`;
    case 'rate':
      return `${l.value} per ${l.windowMs} ms`;
  }
}

const sign = (d: number): Verdict => (d === 0 ? 'same' : d > 0 ? 'stricter' : 'looser');
function combine(...vs: Verdict[]): Verdict {
  const moved = vs.filter((v) => v !== 'same');
  if (!moved.length) return 'same';
  return moved.every((v) => v === moved[0]) ? moved[0] : 'mixed';
}

/** How the new bound compares with the old one (same kind). */
export function compareBound(a: LimitModel, b: LimitModel): Verdict {
  const [x, y] = [a.value ?? 0, b.value ?? 0];
  switch (b.kind) {
    case 'max':
    case 'max_objects':
    case 'in_flight':
    case 'per_object':
      return sign(x - y); // a lower ceiling is stricter
    case 'min':
      return sign(y - x);
    case 'range':
      return combine(sign(b.min! - a.min!), sign(a.max! - b.max!));
    case 'multiple_of':
    case 'alignment':
      // 4 → 8 rejects what was fine; 8 → 4 accepts everything that was fine.
      if (x === y) return 'same';
      if (y % x === 0) return 'stricter';
      return x % y === 0 ? 'looser' : 'mixed';
    case 'rate':
      return combine(sign(x - y), sign((b.windowMs ?? 0) - (a.windowMs ?? 0)));
  }
}

export function diffLimits(ctx: DiffContext): void {
  const { log, before: mb, after: ma } = ctx;
  const oldAt = (l: LimitModel, suffix = ''): Where => {
    const w = limitAt(mb, l);
    return inOld(w.file, w.pointer + suffix);
  };
  const newAt = (l: LimitModel, suffix = ''): Where => {
    const w = limitAt(ma, l);
    return inNew(w.file, w.pointer + suffix);
  };
  const m = matchByName(mb.limits, ma.limits, (l) => l.name);
  for (const l of m.removed) log.major(oldAt(l), `limit ${l.name} (${describeBound(l)}) removed: its constant disappears`, CONTRACT_FACETS);
  for (const l of m.added) log.minor(newAt(l), `limit ${l.name} (${describeBound(l)}) added`, CONTRACT_FACETS);
  for (const { before: a, after: b } of m.both) {
    const name = `limit ${b.name}`;
    if (a.area !== b.area) log.major(newAt(b), `${name} moved from area "${a.area}" to "${b.area}"`, CONTRACT_FACETS);
    if (a.kind !== b.kind) log.major(newAt(b, '/kind'), `${name}: kind ${a.kind} (${describeBound(a)}) → ${b.kind} (${describeBound(b)})`, CONTRACT_FACETS);
    else {
      const v = compareBound(a, b);
      const field = b.kind === 'range' ? (a.min !== b.min ? '/min' : '/max') : b.kind === 'rate' && a.value === b.value ? '/window_ms' : '/value';
      const what = `${name}: ${describeBound(a)} → ${describeBound(b)}`;
      if (v === 'stricter' || v === 'mixed') log.major(newAt(b, field), `${what} (${v === 'stricter' ? 'stricter' : 'narrower in part'})`, CONTRACT_FACETS);
      else if (v === 'looser') log.minor(newAt(b, field), `${what} (relaxed)`, CONTRACT_FACETS);
    }
    if (a.unit !== b.unit) log.major(newAt(b, '/unit'), `${name}: unit ${a.unit} → ${b.unit}`, CONTRACT_FACETS);
    if (a.status !== b.status) log.major(newAt(b, '/status'), `${name}: reported as ${a.status} → ${b.status}`, CONTRACT_FACETS);
    setChange(a.appliesTo, b.appliesTo, (added) => log.major(newAt(b, '/applies_to'), `${name} now also applies to ${added.join(', ')}`, CONTRACT_FACETS), (gone) => log.minor(newAt(b), `${name} no longer applies to ${gone.join(', ')}`, CONTRACT_FACETS));
    const oldFunctions = a.functions.map((f) => ctx.renamedFunctions.get(f) ?? f); // a rename is reported once, as a rename
    setChange(oldFunctions, b.functions, (added) => log.major(newAt(b, '/functions'), `${name} now also enforced by ${added.join(', ')}`, CONTRACT_FACETS), (gone) => log.minor(newAt(b, '/functions'), `${name} no longer enforced by ${gone.join(', ')}`, CONTRACT_FACETS));
    if (a.configurable !== b.configurable) {
      if (b.configurable) log.minor(newAt(b, '/configurable'), `${name} is now configurable`, CONTRACT_FACETS);
      else log.major(newAt(b), `${name} is no longer configurable`, CONTRACT_FACETS);
    }
    if (a.source !== b.source) log.patch(newAt(b, '/source'), `${name}: source ${a.source} → ${b.source}`);
    log.text(newAt(b, '/doc'), `doc of ${name}`, a.doc, b.doc);
  }
}

function setChange(before: string[], after: string[], onAdded: (x: string[]) => void, onRemoved: (x: string[]) => void): void {
  const added = after.filter((x) => !before.includes(x));
  const gone = before.filter((x) => !after.includes(x));
  if (added.length) onAdded(added);
  if (gone.length) onRemoved(gone);
}
