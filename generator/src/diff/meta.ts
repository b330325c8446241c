/** Typedefs, areas, errata and the index's metadata. */
import { inNew, inOld, matchByName, orderChanged, TYPE_FACETS } from './change.js';
import { areaMoved } from './common.js';
import { newAt, oldAt, type DiffContext } from './context.js';

export function diffTypedefs(ctx: DiffContext): void {
  const { log } = ctx;
  const m = matchByName(ctx.before.typedefs, ctx.after.typedefs, (t) => t.name);
  for (const t of m.removed) log.major(oldAt(t.source), `typedef ${t.name} removed`);
  for (const t of m.added) log.minor(newAt(t.source), `typedef ${t.name} added`);
  for (const { before: a, after: b } of m.both) {
    areaMoved(ctx, `typedef ${b.name}`, a, b);
    if (a.opaqueStruct !== b.opaqueStruct) log.major(newAt(b.source, '/opaque_struct'), `typedef ${b.name}: opaque struct ${a.opaqueStruct} → ${b.opaqueStruct}`);
    log.text(newAt(b.source, '/doc'), `doc of typedef ${b.name}`, a.doc, b.doc);
  }
}

/** The index: what every function returns, the areas, the spec's own metadata, the errata. */
export function diffIndex(ctx: DiffContext): void {
  const { log, before: mb, after: ma } = ctx;
  const idxNew = (pointer: string) => inNew(ctx.indexFile.after, pointer);
  const idxOld = (pointer: string) => inOld(ctx.indexFile.before, pointer);

  if (mb.data.statusEnum !== ma.data.statusEnum) log.major(idxNew('/status_enum'), `every function now returns ${ma.data.statusEnum} instead of ${mb.data.statusEnum}`);
  if (mb.data.successStatus !== ma.data.successStatus) log.major(idxNew('/success_status'), `success status ${mb.data.successStatus} → ${ma.data.successStatus}`);

  // Metadata: appears in banners and docs, changes no type.
  const [sa, sb] = [mb.spec, ma.spec];
  if (sa.name !== sb.name) log.major(idxNew('/spec'), `spec name ${sa.name} → ${sb.name}`, TYPE_FACETS);
  if (sa.version !== sb.version) log.patch(idxNew('/version'), `spec version ${sa.version} → ${sb.version}`);
  log.text(idxNew('/title'), 'spec title', sa.title, sb.title);
  log.text(idxNew('/doc'), 'spec doc', sa.doc, sb.doc);
  const vendorKeys = ['name', 'sdkVersion', 'header', 'includeGuard', 'repository', 'commit', 'headerSha256'] as const;
  const vendorJson = { name: 'name', sdkVersion: 'sdk_version', header: 'header', includeGuard: 'include_guard', repository: 'repository', commit: 'commit', headerSha256: 'header_sha256' };
  for (const k of vendorKeys)
    if (sa.vendor[k] !== sb.vendor[k]) log.patch(idxNew(`/vendor/${vendorJson[k]}`), `vendor ${vendorJson[k]} ${sa.vendor[k] ?? '(none)'} → ${sb.vendor[k] ?? '(none)'}`);

  // Product identity: the prefix renames every C macro and the scope every import of a generated package.
  const [pa, pb] = [sa.product, sb.product];
  if (pa.macroPrefix !== pb.macroPrefix) log.major(idxNew('/product/macro_prefix'), `C macro prefix ${pa.macroPrefix} → ${pb.macroPrefix}`, TYPE_FACETS);
  if (pa.npmScope !== pb.npmScope) log.major(idxNew('/product/npm_scope'), `npm scope ${pa.npmScope} → ${pb.npmScope}`, TYPE_FACETS);
  for (const [target, dir] of Object.entries(pb.outputs))
    if (pa.outputs[target as keyof typeof pa.outputs] !== dir) log.patch(idxNew(`/product/outputs/${target}`), `${target} output directory ${pa.outputs[target as keyof typeof pa.outputs]} → ${dir}`);

  const areas = matchByName(mb.areas, ma.areas, (a) => a.name);
  const areaIndex = (list: { name: string }[], name: string) => list.findIndex((a) => a.name === name);
  for (const a of areas.removed) log.major(idxOld(`/areas/${areaIndex(mb.areas, a.name)}`), `area "${a.name}" (${a.file}) removed`);
  for (const a of areas.added) log.minor(idxNew(`/areas/${areaIndex(ma.areas, a.name)}`), `area "${a.name}" (${a.file}) added`);
  for (const { before: a, after: b } of areas.both) {
    if (a.file !== b.file) log.major(idxNew(`/areas/${areaIndex(ma.areas, b.name)}`), `area "${b.name}" moved from ${a.file} to ${b.file}`);
    log.text(inNew(b.file, '/title'), `title of area "${b.name}"`, a.title, b.title);
    log.text(inNew(b.file, '/doc'), `doc of area "${b.name}"`, a.doc, b.doc);
  }
  if (orderChanged(mb.areas.map((a) => a.name), ma.areas.map((a) => a.name))) log.patch(idxNew('/areas'), 'areas listed in a different order');
  for (const b of areas.both.map((x) => x.after)) {
    const a = mb.areas.find((x) => x.name === b.name)!;
    for (const kind of ['typedefs', 'enums', 'structs', 'functions', 'limits'] as const)
      if (orderChanged(a[kind], b[kind])) log.patch(inNew(b.file, `/${kind}`), `${kind} of area "${b.name}" listed in a different order`);
  }

  const errata = matchByName(mb.errata, ma.errata, (e) => String(e.id));
  const erratumIndex = (list: { id: number }[], id: number) => list.findIndex((e) => e.id === id);
  for (const e of errata.removed) log.patch(idxOld(`/errata/${erratumIndex(mb.errata, e.id)}`), `erratum ${e.id} (${e.item}) removed`);
  for (const e of errata.added) log.patch(idxNew(`/errata/${erratumIndex(ma.errata, e.id)}`), `erratum ${e.id} (${e.item}) added`);
  for (const { before: a, after: b } of errata.both) {
    const at = `/errata/${erratumIndex(ma.errata, b.id)}`;
    const changed = (['item', 'vendorPage', 'header', 'resolution'] as const).filter((k) => a[k] !== b[k]);
    if (changed.length) log.patch(idxNew(at), `erratum ${b.id}: ${changed.map((k) => (k === 'vendorPage' ? 'vendor_page' : k)).join(', ')} text changed`);
  }
}
