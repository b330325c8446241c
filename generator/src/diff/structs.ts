/**
 * Structs: every field's name, type, position and layout on both ABIs is part of the device
 * ABI, so adding, removing, retyping, reordering or moving a field is major. Only the
 * flags that loosen a rule (optional, no longer required) and prose are not.
 */
import type { AbiId, FieldLayout, FieldModel, StructModel, UnionModel } from '../model/types.js';
import { matchByName, orderChanged } from './change.js';
import { areaMoved } from './common.js';
import { newAt, oldAt, type DiffContext } from './context.js';

type FieldPath = StructModel['fieldPaths'][number];

export function diffStructs(ctx: DiffContext): void {
  const { log } = ctx;
  const m = matchByName(ctx.before.structs, ctx.after.structs, (s) => s.name);
  for (const s of m.removed) log.major(oldAt(s.source), `struct ${s.name} removed`);
  for (const s of m.added) log.minor(newAt(s.source), `struct ${s.name} added (arm32 ${s.layout.arm32.size} bytes)`);
  for (const { before, after } of m.both) diffStruct(ctx, before, after);
}

function diffStruct(ctx: DiffContext, a: StructModel, b: StructModel): void {
  const { log } = ctx;
  areaMoved(ctx, `struct ${b.name}`, a, b);
  log.text(newAt(b.source, '/doc'), `doc of struct ${b.name}`, a.doc, b.doc);
  diffVersioned(ctx, a, b);
  diffFieldList(ctx, a, b);
  diffUnions(ctx, a, b);
  for (const abi of Object.keys(b.layout) as AbiId[]) diffLayout(ctx, a, b, abi);
}

function diffVersioned(ctx: DiffContext, a: StructModel, b: StructModel): void {
  const [x, y] = [a.versioned, b.versioned];
  if (!x && !y) return;
  const at = newAt(b.source, '/versioned');
  if (!x || !y || x.field !== y.field) {
    ctx.log.major(y ? at : newAt(b.source), `struct ${b.name}: version field ${x ? `"${x.field}"` : 'none'} → ${y ? `"${y.field}"` : 'none'}`);
    return;
  }
  const gone = x.versions.filter((v) => !y.versions.includes(v));
  const added = y.versions.filter((v) => !x.versions.includes(v));
  if (gone.length) ctx.log.major(at, `struct ${b.name}: version${gone.length > 1 ? 's' : ''} ${gone.join(', ')} no longer accepted`);
  if (added.length) ctx.log.minor(at, `struct ${b.name}: version${added.length > 1 ? 's' : ''} ${added.join(', ')} added`);
}

function diffFieldList(ctx: DiffContext, a: StructModel, b: StructModel): void {
  const { log } = ctx;
  const m = matchByName(a.fieldPaths, b.fieldPaths, (p) => p.path);
  // A field that vanished while a new one of the same type took its place was renamed.
  const renamedTo = new Map<FieldPath, FieldPath>();
  for (const gone of m.removed) {
    const slot = a.fieldPaths.indexOf(gone);
    const twin = m.added.find((p) => b.fieldPaths.indexOf(p) === slot && p.field.type.text === gone.field.type.text);
    if (twin) renamedTo.set(gone, twin);
  }
  for (const gone of m.removed) {
    const twin = renamedTo.get(gone);
    if (twin) log.major(newAt(twin.field.source, '/name'), `${b.name}.${gone.path} renamed ${twin.path}`);
    else log.major(oldAt(gone.field.source), `${b.name}.${gone.path} (${gone.field.type.text}) removed`);
  }
  const renamed = new Set(renamedTo.values());
  for (const p of m.added.filter((x) => !renamed.has(x))) {
    const l = p.field.layout;
    log.major(newAt(p.field.source), `${b.name}.${p.path} (${p.field.type.text}) added at arm32 offset ${l.arm32.offset}, x86_64 offset ${l.x86_64.offset}`);
  }
  for (const { before, after } of m.both) diffField(ctx, `${b.name}.${after.path}`, before.field, after.field);
  for (const [before, after] of renamedTo) diffField(ctx, `${b.name}.${after.path}`, before.field, after.field, true);

  const [oldOrder, newOrder] = [a.fieldPaths.map((p) => p.path), b.fieldPaths.map((p) => p.path)];
  if (orderChanged(oldOrder, newOrder)) {
    const common = newOrder.filter((p) => oldOrder.includes(p));
    log.major(newAt(b.source, '/fields'), `${b.name}: fields reordered: ${oldOrder.filter((p) => common.includes(p)).join(', ')} → ${common.join(', ')}`);
  }
}

/** "arm32: unchanged; x86_64: size 4 → 8, offset 4 → 8". */
export function layoutNote(x: Record<AbiId, FieldLayout>, y: Record<AbiId, FieldLayout>): string {
  return (Object.keys(y) as AbiId[])
    .map((abi) => {
      const parts: string[] = [];
      if (x[abi].offset !== y[abi].offset) parts.push(`offset ${x[abi].offset} → ${y[abi].offset}`);
      if (x[abi].size !== y[abi].size) parts.push(`size ${x[abi].size} → ${y[abi].size}`);
      if (x[abi].align !== y[abi].align) parts.push(`align ${x[abi].align} → ${y[abi].align}`);
      return `${abi}: ${parts.length ? parts.join(', ') : 'unchanged'}`;
    })
    .join('; ');
}

function diffField(ctx: DiffContext, name: string, x: FieldModel, y: FieldModel, renamed = false): void {
  const { log } = ctx;
  if (x.type.text !== y.type.text) log.major(newAt(y.source, '/type'), `${name} retyped ${x.type.text} → ${y.type.text} (${layoutNote(x.layout, y.layout)})`);
  if (x.direction !== y.direction)
    log.major(newAt(y.source, '/direction'), `${name}: direction ${x.direction} → ${y.direction}` + (y.direction === 'out' ? ' (the kernel now writes through it)' : ' (the kernel no longer writes through it)'));
  if (x.counts !== y.counts || x.countUnit !== y.countUnit) {
    const show = (f: FieldModel) => (f.counts ? `counts ${f.counts} in ${f.countUnit}` : 'counts nothing');
    log.major(newAt(y.source, y.counts ? '/counts' : ''), `${name}: ${show(x)} → ${show(y)}`);
  }
  if (x.optional !== y.optional) {
    if (y.optional) log.minor(newAt(y.source, '/optional'), `${name} is now optional (may be NULL)`);
    else log.major(newAt(y.source), `${name} is no longer optional (NULL now rejected)`);
  }
  if (x.required !== y.required) {
    if (y.required) log.major(newAt(y.source, '/required'), `${name} is now required (a missing element is rejected)`);
    else log.minor(newAt(y.source), `${name} is no longer required`);
  }
  log.text(newAt(y.source, '/doc'), `doc of ${name}${renamed ? ' (renamed)' : ''}`, x.doc, y.doc);
}

function diffUnions(ctx: DiffContext, a: StructModel, b: StructModel): void {
  const unions = (s: StructModel) => s.members.filter((m): m is UnionModel => m.kind === 'union');
  const [ua, ub] = [unions(a), unions(b)];
  ub.forEach((u, i) => {
    const before = ua[i];
    if (!before) return; // its fields are reported as added
    ctx.log.text(newAt(u.source, '/doc'), `doc of the union in ${b.name}`, before.doc, u.doc);
    for (const { before: x, after: y } of matchByName(before.members, u.members, (mm) => mm.name).both)
      ctx.log.text(newAt(y.source, '/doc'), `doc of ${b.name}.${y.name}`, x.doc, y.doc);
  });
}

/**
 * One line per ABI when the struct's size or alignment changed, or a field that kept its name
 * and type now sits elsewhere (the effect of an insertion, removal, reorder or nested change).
 */
function diffLayout(ctx: DiffContext, a: StructModel, b: StructModel, abi: AbiId): void {
  const parts: string[] = [];
  const [x, y] = [a.layout[abi], b.layout[abi]];
  if (x.size !== y.size) parts.push(`size ${x.size} → ${y.size}`);
  if (x.align !== y.align) parts.push(`align ${x.align} → ${y.align}`);
  const moved: string[] = [];
  for (const { before, after } of matchByName(a.fieldPaths, b.fieldPaths, (p) => p.path).both) {
    const [l, r] = [before.field.layout[abi], after.field.layout[abi]];
    if (before.field.type.text !== after.field.type.text) continue; // the retype line says it
    if (l.offset !== r.offset) moved.push(`${after.path} ${l.offset} → ${r.offset}`);
    else if (l.size !== r.size) moved.push(`${after.path} size ${l.size} → ${r.size}`);
  }
  if (moved.length) parts.push(`fields: ${moved.join(', ')}`);
  if (parts.length) ctx.log.major(newAt(b.source), `${b.name} layout on ${abi}: ${parts.join('; ')}`);
}
