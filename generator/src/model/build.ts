/**
 * Builds the IR from a spec that passed validation: resolves names, normalises values,
 * and computes every struct's C layout for each ABI.
 */
import { ABIS, INT_TYPES, enumSize, intLayout } from './abi.js';
import { parseCType } from './ctype.js';
import { isUnion, uintValue, type RawArea, type RawField, type RawIndex } from '../spec/raw.js';
import type { LoadedSpec } from '../spec/load.js';
import { escapePointerToken } from '../spec/json-positions.js';
import type {
  AbiDescription,
  AbiId,
  CType,
  EnumModel,
  FieldLayout,
  FieldModel,
  FunctionModel,
  Layout,
  LimitModel,
  MemberModel,
  ModelData,
  ProductModel,
  StructModel,
  TypedefModel,
} from './types.js';

type PerAbi<T> = Record<AbiId, T>;
const perAbi = <T>(f: (abi: AbiDescription) => T): PerAbi<T> => Object.fromEntries(ABIS.map((a) => [a.id, f(a)])) as PerAbi<T>;
const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

export function buildModel(spec: LoadedSpec): ModelData {
  const index = spec.index.data as RawIndex;
  const rawAreas = spec.areas.map((f) => ({ file: f.path.replace(/^.*[\\/]/, ''), area: f.data as RawArea }));

  const enums = new Map<string, EnumModel>();
  const typedefs = new Map<string, TypedefModel>();
  for (const { file, area } of rawAreas) {
    area.typedefs.forEach((t, i) =>
      typedefs.set(t.name, {
        kind: 'handle',
        name: t.name,
        area: area.area,
        doc: t.doc,
        opaqueStruct: t.opaque_struct,
        size: perAbi((a) => a.pointerSize),
        source: { file, pointer: `/typedefs/${i}` },
      }),
    );
    area.enums.forEach((e, i) => {
      const sentinel = { name: e.sentinel.name, value: parseInt(e.sentinel.value, 16) };
      enums.set(e.name, {
        kind: 'enum',
        name: e.name,
        area: area.area,
        doc: e.doc,
        bitmask: e.bitmask ?? false,
        sentinel,
        constants: e.constants.map((c, j) => ({
          name: c.name,
          value: uintValue(c.value),
          doc: c.doc,
          ...(c.since ? { since: c.since } : {}),
          ...(c.unsolicited ? { unsolicited: true } : {}),
          source: { file, pointer: `/enums/${i}/constants/${j}` },
        })),
        size: perAbi((a) => enumSize(a, sentinel.value)),
        source: { file, pointer: `/enums/${i}` },
      });
    });
  }

  const resolveType = (text: string): CType => {
    const p = parseCType(text)!;
    const b = p.base;
    let base: CType['base'];
    if (b.kind === 'int') base = { kind: 'int', name: b.name, ...INT_TYPES[b.name] };
    else if (b.kind === 'enum') base = { kind: 'enum', name: b.name };
    else if (b.kind === 'struct') base = { kind: 'struct', name: b.name };
    else base = { kind: 'handle', name: b.name };
    return { text, base, pointer: p.pointer, const: p.const };
  };

  // ---- structs, laid out on demand so by-value members are laid out first ----
  const rawStructs = new Map<string, { file: string; area: string; index: number; raw: RawArea['structs'][number] }>();
  for (const { file, area } of rawAreas) area.structs.forEach((s, i) => rawStructs.set(s.name, { file, area: area.area, index: i, raw: s }));
  const structs = new Map<string, StructModel>();

  const typeLayout = (t: CType, abi: AbiDescription): { size: number; align: number } => {
    if (t.pointer > 0) return { size: abi.pointerSize, align: abi.pointerSize };
    switch (t.base.kind) {
      case 'int':
        return intLayout(t.base.bits);
      case 'enum': {
        const size = enums.get(t.base.name)!.size[abi.id];
        return { size, align: size };
      }
      case 'handle':
        return { size: abi.pointerSize, align: abi.pointerSize };
      case 'struct':
        return structModel(t.base.name).layout[abi.id];
    }
  };

  const structModel = (name: string): StructModel => {
    const done = structs.get(name);
    if (done) return done;
    const { file, area, index: si, raw } = rawStructs.get(name)!;
    const base = `/structs/${si}`;
    const makeField = (f: RawField, pointer: string): FieldModel => ({
      kind: 'field',
      name: f.name,
      type: resolveType(f.type),
      doc: f.doc,
      direction: f.direction ?? 'in',
      ...(f.counts ? { counts: f.counts, countUnit: f.count_unit } : {}),
      optional: f.optional ?? false,
      required: f.required ?? false,
      layout: {} as PerAbi<FieldLayout>,
      source: { file, pointer },
    });
    const linkCounts = (fields: FieldModel[]) => {
      for (const f of fields) if (f.counts) fields.find((g) => g.name === f.counts)!.countedBy = f.name;
    };

    const members: MemberModel[] = raw.fields.map((f, j) => {
      if (!isUnion(f)) return makeField(f, `${base}/fields/${j}`);
      return {
        kind: 'union',
        doc: f.doc,
        members: f.union.map((m, k) => {
          const fields = m.fields.map((g, x) => makeField(g, `${base}/fields/${j}/union/${k}/fields/${x}`));
          linkCounts(fields);
          return { name: m.name, doc: m.doc, fields, layout: {} as PerAbi<FieldLayout>, source: { file, pointer: `${base}/fields/${j}/union/${k}` } };
        }),
        layout: {} as PerAbi<FieldLayout>,
        source: { file, pointer: `${base}/fields/${j}` },
      };
    });
    linkCounts(members.filter((m): m is FieldModel => m.kind === 'field'));

    // Lay out a sequence of fields starting at `start` (offsets are from the outermost struct).
    const layoutFields = (fields: FieldModel[], abi: AbiDescription, start: number): Layout => {
      let off = start;
      let align = 1;
      for (const f of fields) {
        const l = typeLayout(f.type, abi);
        off = alignUp(off, l.align);
        f.layout[abi.id] = { offset: off, size: l.size, align: l.align };
        off += l.size;
        align = Math.max(align, l.align);
      }
      return { size: alignUp(off - start, align), align };
    };

    const layout = perAbi((abi): Layout => {
      let off = 0;
      let align = 1;
      for (const m of members) {
        if (m.kind === 'field') {
          const l = typeLayout(m.type, abi);
          off = alignUp(off, l.align);
          m.layout[abi.id] = { offset: off, size: l.size, align: l.align };
          off += l.size;
          align = Math.max(align, l.align);
        } else {
          // The union's alignment is its strictest member's; each member is a struct at the union's offset.
          const inner = m.members.map((mm) => {
            const probe = layoutFields(mm.fields, abi, 0);
            return { mm, probe };
          });
          const ualign = Math.max(...inner.map((x) => x.probe.align));
          off = alignUp(off, ualign);
          let usize = 0;
          for (const { mm } of inner) {
            const l = layoutFields(mm.fields, abi, off);
            mm.layout[abi.id] = { offset: off, size: l.size, align: l.align };
            usize = Math.max(usize, l.size);
          }
          usize = alignUp(usize, ualign);
          m.layout[abi.id] = { offset: off, size: usize, align: ualign };
          off += usize;
          align = Math.max(align, ualign);
        }
      }
      return { size: alignUp(off, align), align };
    });

    const fieldPaths: StructModel['fieldPaths'] = [];
    for (const m of members) {
      if (m.kind === 'field') fieldPaths.push({ path: m.name, field: m });
      else for (const mm of m.members) for (const f of mm.fields) fieldPaths.push({ path: `${mm.name}.${f.name}`, field: f });
    }
    const s: StructModel = {
      kind: 'struct',
      name,
      area,
      doc: raw.doc,
      ...(raw.versioned ? { versioned: { field: raw.versioned.field, versions: [...raw.versioned.versions] } } : {}),
      members,
      fieldPaths,
      layout,
      kernelWrites: fieldPaths.some((p) => p.field.direction === 'out'),
      source: { file, pointer: base },
    };
    structs.set(name, s);
    return s;
  };

  const statusEnum = enums.get(index.status_enum)!;
  const statusValue = new Map(statusEnum.constants.map((c) => [c.name, c.value]));

  const limits: LimitModel[] = [];
  for (const { area } of rawAreas)
    for (const l of area.limits)
      limits.push({
        name: l.name,
        area: area.area,
        doc: l.doc,
        kind: l.kind,
        ...(l.value !== undefined ? { value: l.value } : {}),
        ...(l.min !== undefined ? { min: l.min } : {}),
        ...(l.max !== undefined ? { max: l.max } : {}),
        ...(l.window_ms !== undefined ? { windowMs: l.window_ms } : {}),
        unit: l.unit,
        appliesTo: l.applies_to ?? [],
        functions: l.functions,
        ...(l.status !== undefined ? { status: l.status } : {}),
        ...(l.result !== undefined ? { result: l.result } : {}),
        source: l.source,
        configurable: l.configurable ?? false,
      });

  // Each function lists the limits that name it, in limit order; looked up, not scanned per function.
  const limitsByFunction = new Map<string, string[]>();
  for (const l of limits)
    for (const name of new Set(l.functions)) {
      const list = limitsByFunction.get(name);
      if (list) list.push(l.name);
      else limitsByFunction.set(name, [l.name]);
    }
  const functions: FunctionModel[] = [];
  for (const { file, area } of rawAreas)
    area.functions.forEach((f, i) =>
      functions.push({
        kind: 'function',
        name: f.name,
        area: area.area,
        doc: f.doc,
        nscAddress: parseInt(f.nsc_address, 16),
        returns: resolveType(`enum ${index.status_enum}`),
        params: f.params.map((p) => {
          const type = resolveType(p.type);
          const counter = f.params.find((q) => q.counts === p.name);
          const versioned = type.pointer === 1 && type.base.kind === 'struct' && p.direction === 'out' ? rawStructs.get(type.base.name)?.raw.versioned : undefined;
          return {
            name: p.name,
            type,
            direction: p.direction,
            doc: p.doc,
            ...(p.object_kind ? { objectKind: p.object_kind } : {}),
            ...(p.counts ? { counts: p.counts, countUnit: p.count_unit } : {}),
            ...(counter ? { countedBy: { param: counter.name, unit: counter.count_unit ?? 'elements' } } : {}),
            ...(versioned ? { appSets: [versioned.field] } : {}),
          };
        }),
        errors: f.errors.map((e, j) => ({
          status: e.status,
          value: statusValue.get(e.status)!,
          when: e.when,
          issued: e.issued,
          source: e.source ?? 'header',
          ...(e.waiver ? { waiver: { ...e.waiver } } : {}),
          at: { file, pointer: `/functions/${i}/errors/${j}` },
        })),
        notifications: (f.notifications ?? []).map((n) => ({ event: n.event, when: n.when })),
        produces: f.produces ?? [],
        ...(f.consumes ? { consumes: f.consumes } : {}),
        ...(f.peeks ? { peeks: f.peeks } : {}),
        limits: [...(limitsByFunction.get(f.name) ?? [])],
        ...(f.not_in_interrupt ? { notInInterrupt: f.not_in_interrupt } : {}),
        ...(f.test_mode_only ? { testModeOnly: f.test_mode_only } : {}),
        noReturn: f.no_return ?? false,
        source: { file, pointer: `/functions/${i}` },
      }),
    );

  const structList = rawAreas.flatMap(({ area }) => area.structs.map((s) => structModel(s.name)));

  return {
    spec: {
      name: index.spec,
      version: index.version,
      title: index.title,
      doc: index.doc,
      hash: spec.hash,
      vendor: {
        name: index.vendor.name,
        sdkVersion: index.vendor.sdk_version,
        header: index.vendor.header,
        includeGuard: index.vendor.include_guard,
        repository: index.vendor.repository,
        commit: index.vendor.commit,
        ...(index.vendor.header_sha256 ? { headerSha256: index.vendor.header_sha256 } : {}),
        complete: index.vendor.complete ?? false,
      },
      product: productOf(index),
    },
    statusEnum: index.status_enum,
    successStatus: index.success_status,
    abis: ABIS.map((a) => ({ ...a })),
    areas: rawAreas.map(({ file, area }) => ({
      name: area.area,
      title: area.title,
      doc: area.doc,
      file,
      typedefs: area.typedefs.map((t) => t.name),
      enums: area.enums.map((e) => e.name),
      structs: area.structs.map((s) => s.name),
      functions: area.functions.map((f) => f.name),
      limits: area.limits.map((l) => l.name),
    })),
    typedefs: [...typedefs.values()],
    enums: rawAreas.flatMap(({ area }) => area.enums.map((e) => enums.get(e.name)!)),
    structs: structList,
    functions,
    limits,
    errata: index.errata.map((e) => ({ id: e.id, item: e.item, vendorPage: e.vendor_page, header: e.header, resolution: e.resolution })),
  };
}

/** Where each target writes when the index does not say (this repository's layout). */
const DEFAULT_OUTPUTS: ProductModel['outputs'] = {
  json: 'api-spec/generated',
  c: 'packages/c-headers',
  ts: 'packages/sdk/src/generated',
  mock: 'packages/mock/src/generated',
  docs: 'packages/docs/reference',
  device: 'packages/device/src/generated',
  host: 'packages/device/src/host/generated',
};

/** The index's `product`, with the documented defaults for what it leaves out. */
function productOf(index: RawIndex): ProductModel {
  const p = index.product ?? {};
  return {
    macroPrefix: p.macro_prefix ?? index.spec.toUpperCase(),
    npmScope: p.npm_scope ?? `@${index.spec.toLowerCase()}`,
    regenerate: p.regenerate ?? 'mvgen generate',
    outputs: { ...DEFAULT_OUTPUTS, ...(p.outputs ?? {}) },
  };
}

export const pointerOf = (...parts: (string | number)[]) => parts.map((p) => `/${escapePointerToken(String(p))}`).join('');
