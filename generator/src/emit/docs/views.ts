/**
 * One view per kind of item: plain data the templates lay out. Links and code are built here
 * from names; prose (doc strings, `when`, errata text) stays raw and the templates escape it
 * with the `md`/`inline`/`cell` helpers.
 */
import type { Model } from '../../model/model.js';
import type { AbiId, EnumModel, Erratum, FieldModel, FunctionModel, LimitModel, ParamModel, StructModel, TypedefModel, UnionModel } from '../../model/types.js';
import { tsFunctionSignature, tsFieldType, statusTypeName } from '../core/typescript/signature.js';
import { address, cEnum, cPrototype, cStruct, cTypedef, hex } from '../core/c-declarations.js';
import { limitRule, sdkPackage, sourceLabel } from '../core/facts.js';
import { cExample } from './c.js';
import { mdCode, mdInline } from './escape.js';
import {
  announcingEvents,
  callsUsingEnum,
  errataMentioning,
  fieldsOfType,
  handleCalls,
  isUnsolicited,
  itemsMentionedBy,
  peekerOf,
  readersOf,
  summary,
} from './facts.js';
import { anchors, Linker, pageOf, PAGES, sessionPageOf } from './links.js';
import { areaScope, sessionFlow, type ReadStep, type SessionFlow } from './session.js';

const DIRECTION_TEXT: Record<string, string> = {
  value: 'value',
  in: 'in',
  out: 'out',
  inout: 'in/out',
};

function bytes(n: number): string {
  return `${n} byte${n === 1 ? '' : 's'}`;
}

/** The area an item belongs to, linked to its section of the index. */
function areaOf(model: Model, name: string, link: Linker) {
  const area = model.areas.find((a) => a.name === name)!;
  return { crumb: link.link(mdInline(area.title), PAGES.index, anchors.area(area.name)), index: link.href(PAGES.index) };
}

function errataList(model: Model, name: string, link: Linker) {
  return errataMentioning(model, name).map((e) => ({ link: link.erratum(e.id, `Erratum ${e.id}`), item: e.item }));
}

function limitRow(l: LimitModel, model: Model, link: Linker) {
  return {
    name: link.limit(l.name),
    rule: limitRule(l, model, mdCode),
    appliesTo: l.appliesTo.map((p) => link.limitTarget(p)).join(', '),
    functions: l.functions.map((f) => link.fn(f)).join(', '),
    status: link.constant((l.status ?? l.result)!),
    source: sourceLabel(l.source),
    configurable: l.configurable ? 'yes' : 'no',
    doc: l.doc,
  };
}

export const statusAnchor = (status: string) => `status-${status.toLowerCase()}`;

// ---------------------------------------------------------------- functions

export function functionView(fn: FunctionModel, model: Model) {
  const page = pageOf('function', fn.name);
  const link = new Linker(model, page);
  const success = model.constant(model.data.successStatus).constant;

  const statuses = [
    { anchor: statusAnchor(success.name), name: link.constant(success.name), value: success.value, hex: hex(success.value), when: null, issued: 'yes', source: 'header', inferred: false, waiver: null },
    ...fn.errors.map((e) => ({
      anchor: statusAnchor(e.status),
      name: link.constant(e.status),
      value: e.value,
      hex: hex(e.value),
      when: e.when,
      issued: e.issued ? 'yes' : 'no',
      source: e.source,
      inferred: e.source === 'inferred',
      waiver: e.waiver ? [e.waiver.device && `device: ${e.waiver.device}`, e.waiver.mock && `mock: ${e.waiver.mock}`].filter(Boolean).join('; ') : null,
    })),
  ];

  const produces = fn.produces.map((c) => {
    const { enum: e, constant } = model.constant(c);
    const reader = model.consumerOf(c);
    const peeker = peekerOf(model, e.name);
    return { constant: link.constant(c), value: constant.value, reader: reader ? link.fn(reader.name) : null, peeker: peeker ? link.fn(peeker.name) : null };
  });

  let consumes = null;
  if (fn.consumes) {
    const { enum: e, constant } = model.constant(fn.consumes);
    const peeker = peekerOf(model, e.name);
    consumes = {
      constant: link.constant(fn.consumes),
      value: constant.value,
      producers: model.producersOf(fn.consumes).map((p) => link.fn(p.name)).join(', '),
      unsolicited: isUnsolicited(model, fn.consumes),
      peeker: peeker ? link.fn(peeker.name) : null,
      events: announcingEvents(model, e.name).map((ev) => link.constant(ev)).join(' or '),
    };
  }

  let peeks = null;
  if (fn.peeks) {
    const e = model.enum(fn.peeks);
    peeks = {
      enum: link.enum(e.name),
      events: announcingEvents(model, e.name).map((ev) => link.constant(ev)).join(' or '),
      rows: e.constants.map((c) => {
        const reader = model.consumerOf(c.name);
        return {
          constant: link.constant(c.name),
          value: c.value,
          reader: reader ? link.fn(reader.name) : '—',
          producers: model.producersOf(c.name).map((p) => link.fn(p.name)).join(', ') || '—',
          unsolicited: c.unsolicited ? 'yes' : 'no',
          doc: c.doc,
        };
      }),
    };
  }

  return {
    page,
    name: fn.name,
    code: mdCode(fn.name),
    doc: fn.doc,
    area: areaOf(model, fn.area, link),
    nscAddress: address(fn.nscAddress),
    returns: link.type(fn.returns),
    statusType: mdCode(statusTypeName(fn.name)),
    cPrototype: cPrototype(fn, { extern: true, maxWidth: 100 }),
    tsSignature: tsFunctionSignature(fn, model),
    sdkPackage: sdkPackage(model),
    params: fn.params.map((p) => ({
      name: mdCode(p.name),
      type: link.type(p.type),
      direction: DIRECTION_TEXT[p.direction],
      anchor: anchors.param(p.name),
      objectKind: p.objectKind ? link.constant(p.objectKind) : null,
      rules: paramRules(fn, p, model, link),
      doc: p.doc,
    })),
    context: [
      fn.notInInterrupt && `Not from an interrupt handler: there it returns ${link.constant(fn.notInInterrupt)} and does nothing.`,
      fn.testModeOnly && `Only in application-test mode: otherwise it returns ${link.constant(fn.testModeOnly)} and does nothing.`,
      fn.noReturn && 'Does not return on success: the application stops or restarts, so a returned status always reports a failure.',
    ].filter(Boolean),
    statuses,
    anyInferred: statuses.some((s) => s.inferred),
    anyWaiver: statuses.some((s) => s.waiver),
    notifications: fn.notifications.map((n) => ({ event: link.constant(n.event), when: n.when })),
    produces,
    consumes,
    peeks,
    limits: fn.limits.map((n) => limitRow(model.limit(n), model, link)),
    errata: errataList(model, fn.name, link),
    example: cExample(fn, model),
  };
}

/** Length links, fields the application sets first, and limits on one parameter. */
function paramRules(fn: FunctionModel, p: ParamModel, model: Model, link: Linker): string | null {
  const rules: string[] = [];
  if (p.counts) rules.push(`number of ${p.countUnit ?? 'elements'} at ${mdCode(p.counts)}`);
  if (p.countedBy) rules.push(`length in ${mdCode(p.countedBy.param)}`);
  if (p.appSets?.length) rules.push(`set ${p.appSets.map((s) => mdCode(s)).join(', ')} before the call`);
  for (const l of model.limitsOn(`${fn.name}.${p.name}`)) rules.push(`${link.limit(l.name)}: ${limitRule(l, model, mdCode)}`);
  return rules.length ? rules.join('; ') : null;
}

// ---------------------------------------------------------------- structs

function abiHeads(model: Model) {
  return model.abis.map((a) => ({ id: a.id, role: a.role }));
}

interface LayoutRow {
  label: string;
  cells: string[];
}

/** Leaf fields plus the padding each ABI inserts between and after them. */
function layoutRows(s: StructModel, model: Model, link: Linker): LayoutRow[] {
  const rows: LayoutRow[] = [];
  const paths = s.fieldPaths;
  const gap = (abi: AbiId, i: number): { at: number; size: number } | null => {
    const cur = paths[i].field.layout[abi];
    const end = cur.offset + cur.size;
    const next = i + 1 < paths.length ? paths[i + 1].field.layout[abi].offset : s.layout[abi].size;
    return next > end ? { at: end, size: next - end } : null;
  };
  paths.forEach((p, i) => {
    rows.push({
      label: link.link(mdCode(p.path), pageOf('struct', s.name), anchors.field(p.path)),
      cells: model.abis.flatMap((a) => [String(p.field.layout[a.id].offset), String(p.field.layout[a.id].size)]),
    });
    const gaps = model.abis.map((a) => gap(a.id, i));
    if (gaps.some(Boolean))
      rows.push({
        label: i + 1 < paths.length ? '*padding*' : '*padding (tail)*',
        cells: gaps.flatMap((g) => (g ? [String(g.at), String(g.size)] : ['—', '—'])),
      });
  });
  return rows;
}

function fieldRules(s: StructModel, path: string, f: FieldModel, model: Model, link: Linker): string[] {
  const rules: string[] = [];
  if (f.direction === 'out') rules.push('written by Microvisor');
  if (f.required) rules.push('required');
  if (f.optional) rules.push('optional (may be NULL)');
  if (f.counts) rules.push(`number of ${f.countUnit ?? 'elements'} at ${mdCode(f.counts)}`);
  if (f.countedBy) rules.push(`length in ${mdCode(f.countedBy)}`);
  for (const l of model.limitsOn(`${s.name}.${path}`)) rules.push(`${link.limit(l.name)}: ${limitRule(l, model, mdCode)}`);
  return rules;
}

export function structView(s: StructModel, model: Model) {
  const page = pageOf('struct', s.name);
  const link = new Linker(model, page);
  const union = s.members.find((m): m is UnionModel => m.kind === 'union');

  const fields: { anchor: string; name: string; type: string; ts: string; direction: string; rules: string; doc: string }[] = [];
  for (const m of s.members) {
    if (m.kind === 'field') {
      fields.push(fieldRow(s, m.name, m, model, link));
      continue;
    }
    for (const inner of m.members) {
      fields.push({
        anchor: anchors.field(inner.name),
        name: mdCode(inner.name),
        type: `${mdCode('struct { … }')} (union member)`,
        ts: '',
        direction: '',
        rules: s.versioned ? `used when ${mdCode(s.versioned.field)} is ${inner.name.replace(/^v/, '')}` : '',
        doc: inner.doc,
      });
      for (const f of inner.fields) fields.push(fieldRow(s, `${inner.name}.${f.name}`, f, model, link));
    }
  }

  const usedByFunctions = model.functionsTaking(s.name);
  return {
    page,
    name: s.name,
    doc: s.doc,
    area: areaOf(model, s.area, link),
    declaration: cStruct(s),
    sizes: model.abis.map((a) => ({ id: a.id, role: a.role, size: bytes(s.layout[a.id].size), align: bytes(s.layout[a.id].align) })),
    versioned: s.versioned ? { field: mdCode(s.versioned.field), versions: s.versioned.versions.join(', ') } : null,
    unionDoc: union?.doc ?? null,
    kernelWrites: s.kernelWrites,
    fields,
    abis: abiHeads(model),
    layout: layoutRows(s, model, link),
    usedBy: [
      ...usedByFunctions.map((f) => link.fn(f.name)),
      ...model.usersOf(s.name).map((u) => link.struct(u.name)),
    ].join(', '),
    errata: errataList(model, s.name, link),
  };
}

function fieldRow(s: StructModel, path: string, f: FieldModel, model: Model, link: Linker) {
  return {
    anchor: anchors.field(path),
    name: mdCode(path),
    type: link.type(f.type),
    ts: mdCode(tsFieldType(f, s)),
    direction: f.direction,
    rules: fieldRules(s, path, f, model, link).join('; '),
    doc: f.doc,
  };
}

// ---------------------------------------------------------------- enums

export function enumView(e: EnumModel, model: Model) {
  const page = pageOf('enum', e.name);
  const link = new Linker(model, page);
  const fnLinks = (fns: FunctionModel[], anchor?: (f: FunctionModel) => string) =>
    fns.map((f) => (anchor ? link.link(mdCode(f.name), pageOf('function', f.name), anchor(f)) : link.fn(f.name))).join(', ');

  // Relations a constant can have with functions and limits; a column appears only if some constant has it.
  const returnedBy = (c: string) =>
    e.name === model.data.statusEnum && c === model.data.successStatus
      ? 'every function'
      : fnLinks(model.functionsReturning(c), () => statusAnchor(c));
  const relations = [
    { head: 'Returned by', of: returnedBy },
    { head: 'Posted after', of: (c: string) => fnLinks(model.functionsPosting(c)) },
    { head: 'Queued by', of: (c: string) => fnLinks(model.producersOf(c)) },
    { head: 'Read with', of: (c: string) => fnLinks(readersOf(model, c)) },
    { head: 'Unsolicited', of: (c: string) => (model.constant(c).constant.unsolicited ? 'yes' : '') },
    { head: 'Handle kind for', of: (c: string) => fnLinks(model.functionsWithObjectKind(c)) },
    { head: 'Limits', of: (c: string) => model.limitsReporting(c).map((l) => link.limit(l.name)).join(', ') },
  ];
  const used = relations.filter((r) => e.constants.some((c) => r.of(c.name)));
  const anySince = e.constants.some((c) => c.since);

  const users = [
    ...callsUsingEnum(model, e.name).map((f) => link.fn(f.name)),
    ...fieldsOfType(model, 'enum', e.name).map((path) => link.field(path)),
  ];
  const device = model.abis.find((a) => a.role === 'device');

  return {
    page,
    name: e.name,
    doc: e.doc,
    area: areaOf(model, e.area, link),
    declaration: cEnum(e),
    sizes: model.abis.map((a) => ({ id: a.id, role: a.role, size: bytes(e.size[a.id]), shortEnums: a.shortEnums })),
    shortEnumNote: device?.shortEnums ? { abi: device.id, size: bytes(e.size[device.id]) } : null,
    sentinel: { name: mdCode(e.sentinel.name), anchor: anchors.constant(e.sentinel.name), hex: hex(e.sentinel.value), value: e.sentinel.value },
    bitmask: e.bitmask,
    anySince,
    relationHeads: used.map((r) => r.head),
    constants: e.constants.map((c) => ({
      anchor: anchors.constant(c.name),
      name: mdCode(c.name),
      hex: hex(c.value),
      value: c.value,
      since: c.since ?? '',
      relations: used.map((r) => r.of(c.name) || '—'),
      doc: c.doc,
    })),
    usedBy: users.join(', '),
    errata: errataList(model, e.name, link),
  };
}

// ---------------------------------------------------------------- typedefs

export function typedefView(t: TypedefModel, model: Model) {
  const page = pageOf('typedef', t.name);
  const link = new Linker(model, page);
  const fns = (list: FunctionModel[]) => list.map((f) => link.fn(f.name)).join(', ');
  const calls = handleCalls(model, t.name);
  return {
    page,
    name: t.name,
    doc: t.doc,
    area: areaOf(model, t.area, link),
    declaration: cTypedef(t),
    opaque: mdCode(`struct ${t.opaqueStruct}`),
    sizes: model.abis.map((a) => ({ id: a.id, role: a.role, size: bytes(t.size[a.id]) })),
    createdBy: fns(calls.creators),
    closedBy: fns(calls.closers),
    usedBy: fns(calls.valueUsers),
    fields: fieldsOfType(model, 'handle', t.name)
      .map((path) => link.field(path))
      .join(', '),
    errata: errataList(model, t.name, link),
  };
}

// ---------------------------------------------------------------- limits, errata, index

export function limitsView(model: Model) {
  const link = new Linker(model, PAGES.limits);
  return {
    index: link.href(PAGES.index),
    areas: model.areas
      .filter((a) => a.limits.length)
      .map((a) => ({
        title: a.title,
        link: link.link(mdCode(a.name), PAGES.index, anchors.area(a.name)),
        limits: a.limits.map((n) => ({ heading: mdCode(n), ...limitRow(model.limit(n), model, link), errata: errataList(model, n, link) })),
      })),
  };
}

export function errataView(model: Model) {
  const link = new Linker(model, PAGES.errata);
  return {
    index: link.href(PAGES.index),
    device: model.abis.find((a) => a.role === 'device')?.id,
    vendor: model.spec.vendor,
    errata: model.errata.map((e) => ({
      id: e.id,
      anchor: anchors.erratum(e.id),
      item: e.item,
      vendorPage: e.vendorPage,
      header: e.header,
      resolution: e.resolution,
      mentions: mentionLinks(model, e, link),
    })),
  };
}

function mentionLinks(model: Model, e: Erratum, link: Linker): string {
  return itemsMentionedBy(model, e)
    .map(({ kind, name }) => {
      switch (kind) {
        case 'function':
          return link.fn(name);
        case 'struct':
          return link.struct(name);
        case 'enum':
          return link.enum(name);
        case 'typedef':
          return link.typedef(name);
        case 'constant':
          return link.constant(name);
        case 'limit':
          return link.limit(name);
      }
    })
    .join(', ');
}

export function indexView(model: Model) {
  const link = new Linker(model, PAGES.index);
  const success = model.constant(model.data.successStatus);
  return {
    spec: model.spec,
    hashShort: model.spec.hash.slice(0, 12),
    statusEnum: link.enum(model.data.statusEnum),
    success: { name: link.constant(success.constant.name), value: success.constant.value },
    abis: model.abis.map((a) => ({ id: a.id, role: a.role, Role: a.role[0].toUpperCase() + a.role.slice(1), title: a.title, pointer: bytes(a.pointerSize), shortEnums: a.shortEnums })),
    pages: { session: link.href(PAGES.session), limits: link.href(PAGES.limits), errata: link.href(PAGES.errata) },
    counts: {
      functions: model.functions.length,
      structs: model.structs.length,
      enums: model.enums.length,
      typedefs: model.typedefs.length,
      limits: model.limits.length,
      errata: model.errata.length,
    },
    areas: model.areas.map((a) => ({
      anchor: anchors.area(a.name),
      name: a.name,
      title: a.title,
      doc: a.doc,
      session: a.functions.length ? link.href(sessionPageOf(a.name)) : null,
      functions: a.functions.map((n) => ({ link: link.fn(n), summary: summary(model.fn(n).doc) })),
      structs: a.structs.map((n) => {
        const s = model.struct(n);
        return { link: link.struct(n), sizes: model.abis.map((x) => String(s.layout[x.id].size)), summary: summary(s.doc) };
      }),
      enums: a.enums.map((n) => {
        const e = model.enum(n);
        return { link: link.enum(n), count: e.constants.length, sizes: model.abis.map((x) => String(e.size[x.id])), summary: summary(e.doc) };
      }),
      typedefs: a.typedefs.map((n) => {
        const t = model.typedef(n);
        return { link: link.typedef(n), sizes: model.abis.map((x) => String(t.size[x.id])), summary: summary(t.doc) };
      }),
      limits: a.limits.map((n) => ({ link: link.limit(n), rule: limitRule(model.limit(n), model, mdCode), status: link.constant((model.limit(n).status ?? model.limit(n).result)!) })),
    })),
  };
}

// ---------------------------------------------------------------- session

/** Areas with calls: each gets a session page of its own. */
export function sessionAreas(model: Model) {
  return model.areas.filter((a) => a.functions.length);
}

/** The whole spec's session (no `area`), or one area's: its calls plus those that make and close the handles they use. */
export function sessionView(model: Model, areaName?: string) {
  const area = areaName === undefined ? undefined : model.areas.find((a) => a.name === areaName)!;
  const page = area ? sessionPageOf(area.name) : PAGES.session;
  const link = new Linker(model, page);
  const flow = sessionFlow(model, area ? areaScope(model, area.name) : undefined);
  const list = (names: string[], as: (n: string) => string) => names.map(as).join(', ');
  const fn = (n: string) => link.fn(n);
  const handle = (n: string) => link.typedef(n);
  const constant = (n: string) => link.constant(n);

  const readText = (r: ReadStep) => {
    const parts = [`${r.events.length ? `${list(r.events, constant)} → ` : ''}${r.peeker ? `${fn(r.peeker)} reports ${constant(r.item)}` : constant(r.item)}`];
    if (r.reader) parts.push(`${fn(r.reader)} reads it`);
    if (r.followUps.length) parts.push(`then ${list(r.followUps, fn)}`);
    return parts.join(' → ');
  };

  const rows = flow.steps.map((s, i) => {
    const n = i + 1;
    switch (s.kind) {
      case 'setup':
        return {
          n,
          stage: 'set up',
          call: fn(s.call),
          needs: list(s.needs, handle) || '—',
          result: [`gives ${list(s.gives, handle)}`, ...(s.events.length ? [`may later post ${list(s.events, constant)}`] : [])].join('; '),
          next: s.queries.length ? `at any time: ${list(s.queries, fn)}` : '—',
        };
      case 'request':
        return { n, stage: 'request', call: fn(s.call), needs: list(s.needs, handle) || '—', result: `queues ${list(s.reads.map((r) => r.item), constant)}`, next: s.reads.map(readText).join('<br>') };
      case 'arrival':
        return { n, stage: 'arrives', call: '—', needs: '—', result: `Microvisor queues ${constant(s.read.item)} without a request`, next: readText(s.read) };
      case 'teardown':
        return { n, stage: 'tear down', call: fn(s.call), needs: list(s.closes, handle), result: `closes ${list(s.closes, handle)} and zeroes it`, next: '—' };
    }
  });

  return {
    page,
    index: link.href(PAGES.index),
    area: area ? { title: area.title, crumb: link.area(area.name, mdInline(area.title)), whole: link.href(PAGES.session) } : null,
    areas: area ? [] : sessionAreas(model).map((a) => ({ link: link.link(mdInline(a.title), sessionPageOf(a.name)) })),
    rows,
    mermaid: mermaid(flow, model),
    anyTime: list(flow.anyTime, fn),
  };
}

/** The same flow as a Mermaid sequence diagram (names only, so nothing needs escaping). */
function mermaid(flow: SessionFlow, model: Model): string {
  const out = ['sequenceDiagram', '    participant App as Application', '    participant MV as Microvisor'];
  const say = (line: string, depth = 1) => out.push(`${'    '.repeat(depth)}${line}`);
  const read = (r: ReadStep, depth: number) => {
    for (const e of r.events.slice(0, 1)) say(`MV--)App: ${e}`, depth);
    if (r.peeker) {
      say(`App->>MV: ${r.peeker}()`, depth);
      say(`MV-->>App: ${r.item}`, depth);
    }
    if (r.reader) say(`App->>MV: ${r.reader}()`, depth);
    for (const f of r.followUps) say(`App->>MV: ${f}()`, depth);
  };
  for (const s of flow.steps) {
    switch (s.kind) {
      case 'setup':
        say(`App->>MV: ${s.call}()`);
        say(`MV-->>App: ${s.gives.join(', ')}`);
        if (s.events.length) say(`Note over MV: may later post ${s.events.join(', ')}`);
        if (s.queries.length) {
          say('opt at any time');
          for (const q of s.queries) say(`App->>MV: ${q}()`, 2);
          say('end');
        }
        break;
      case 'request':
        say(`App->>MV: ${s.call}()`);
        for (const r of s.reads) {
          if (isUnsolicited(model, r.item)) say(`Note over MV: ${r.item} may also come without a request`);
          read(r, 1);
        }
        break;
      case 'arrival':
        say(`loop whenever Microvisor queues ${s.read.item}`);
        read(s.read, 2);
        say('end');
        break;
      case 'teardown':
        say(`App->>MV: ${s.call}()`);
        break;
    }
  }
  return out.join('\n');
}
