/** Enums and their constants: values are ABI, so any change to an existing one is major. */
import type { AbiId, EnumConstant, EnumModel } from '../model/types.js';
import { CONTRACT_FACETS, hex, matchByName, orderChanged } from './change.js';
import { newAt, oldAt, type DiffContext } from './context.js';
import { areaMoved } from './common.js';

export const showValue = (v: number) => (v < 256 ? String(v) : `0x${v.toString(16)}`);

/** "arm32 4 → 1 bytes" for every ABI whose size differs. */
export function sizeChanges(before: Record<AbiId, number>, after: Record<AbiId, number>): string[] {
  return (Object.keys(after) as AbiId[]).filter((abi) => before[abi] !== after[abi]).map((abi) => `${abi} ${before[abi]} → ${after[abi]} bytes`);
}

export function diffEnums(ctx: DiffContext): void {
  const { log } = ctx;
  const m = matchByName(ctx.before.enums, ctx.after.enums, (e) => e.name);
  for (const e of m.removed) log.major(oldAt(e.source), `enum ${e.name} removed, with its ${e.constants.length} constants`);
  for (const e of m.added) log.minor(newAt(e.source), `enum ${e.name} added (${e.constants.length} constants)`);
  for (const { before, after } of m.both) diffEnum(ctx, before, after);
}

function diffEnum(ctx: DiffContext, a: EnumModel, b: EnumModel): void {
  const { log } = ctx;
  areaMoved(ctx, `enum ${b.name}`, a, b);
  log.text(newAt(b.source, '/doc'), `doc of enum ${b.name}`, a.doc, b.doc);
  if (a.bitmask !== b.bitmask)
    log.major(newAt(b.source), `enum ${b.name} ${b.bitmask ? 'became a bitmask (constants may now be OR-ed)' : 'is no longer a bitmask'}`);
  if (a.sentinel.name !== b.sentinel.name)
    log.major(newAt(b.source, '/sentinel/name'), `enum ${b.name}: sentinel ${a.sentinel.name} renamed ${b.sentinel.name}`);
  if (a.sentinel.value !== b.sentinel.value) {
    const sizes = sizeChanges(a.size, b.size);
    log.major(
      newAt(b.source, '/sentinel/value'),
      `enum ${b.name}: sentinel ${hex(a.sentinel.value)} → ${hex(b.sentinel.value)}` + (sizes.length ? ` (size ${sizes.join(', ')})` : ''),
    );
  }
  diffConstants(ctx, a, b);
}

function diffConstants(ctx: DiffContext, a: EnumModel, b: EnumModel): void {
  const { log } = ctx;
  const m = matchByName(a.constants, b.constants, (c) => c.name);
  // A constant that disappears while a new one takes its value was renamed: report it once.
  const renamedTo = new Map<EnumConstant, EnumConstant>();
  for (const gone of m.removed) {
    const twin = m.added.find((c) => c.value === gone.value && ![...renamedTo.values()].includes(c));
    if (twin) renamedTo.set(gone, twin);
  }
  for (const gone of m.removed) {
    const twin = renamedTo.get(gone);
    if (twin) log.major(newAt(twin.source, '/name'), `${b.name}: constant ${gone.name} renamed ${twin.name} (value ${showValue(twin.value)})`);
    else log.major(oldAt(gone.source), `${b.name}: constant ${gone.name} (= ${showValue(gone.value)}) removed`);
  }
  const renamed = new Set(renamedTo.values());
  for (const c of m.added.filter((x) => !renamed.has(x))) {
    log.minor(newAt(c.source), `${b.name}: constant ${c.name} = ${showValue(c.value)} added`);
  }
  for (const { before: x, after: y } of m.both) {
    if (x.value !== y.value) log.major(newAt(y.source, '/value'), `${b.name}: ${y.name} value ${showValue(x.value)} → ${showValue(y.value)}`);
    log.text(newAt(y.source, '/doc'), `doc of ${y.name}`, x.doc, y.doc);
    log.text(newAt(y.source, '/since'), `"since" of ${y.name}`, x.since, y.since);
    if (!!x.unsolicited !== !!y.unsolicited) {
      // Items that may now arrive unrequested need handling code; the reverse only removes a case.
      if (y.unsolicited) log.major(newAt(y.source, '/unsolicited'), `${y.name} may now arrive without a request (unsolicited)`, CONTRACT_FACETS);
      else log.minor(newAt(y.source), `${y.name} no longer arrives without a request`, CONTRACT_FACETS);
    }
  }
  if (orderChanged(a.constants.map((c) => c.name), b.constants.map((c) => c.name)))
    log.patch(newAt(b.source, '/constants'), `enum ${b.name}: constants listed in a different order (values unchanged)`);
}
