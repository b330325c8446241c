/**
 * The consistency checker: rules the JSON Schema cannot express (references resolve, names
 * are unique C identifiers, enum values are unique and fit their sentinel, error tables name
 * real statuses, count fields name arrays, limits agree with the tables they cite).
 * Runs on files that passed the schema, so shapes can be trusted here.
 */
import type { Diagnostic } from '../spec/diagnostics.js';
import type { SpecFile } from '../spec/load.js';
import { escapePointerToken } from '../spec/json-positions.js';
import { isUnion, uintValue, type RawArea, type RawField, type RawFunction, type RawIndex, type RawStruct } from '../spec/raw.js';
import { C_KEYWORDS, parseCType } from '../model/ctype.js';
import { checkCallContext, checkParamCounts } from './calls.js';

interface Where {
  file: SpecFile;
  pointer: string;
}
interface Sym {
  kind: 'enum' | 'struct' | 'typedef' | 'function' | 'constant' | 'limit' | 'opaque';
  where: Where;
  enumName?: string; // for constants
  value?: number;
}

const SENTINEL_MAX: Record<string, number> = { '0xff': 0xff, '0xffff': 0xffff, '0xffffffff': 0xffffffff };

/**
 * `areaFiles` are checked; `symbolFiles` (default: the same) only contribute names, so a file the
 * schema rejected still declares its names and references to them are not reported twice.
 */
export function validateSemantics(indexFile: SpecFile, areaFiles: SpecFile[], symbolFiles: SpecFile[] = areaFiles): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (w: Where, message: string, hint: string | undefined, rule: string, key = false) =>
    out.push({
      file: w.file.displayPath,
      pointer: w.pointer,
      position: (key ? w.file.positions.get(`${w.pointer}#key`) : undefined) ?? w.file.positions.get(w.pointer),
      message,
      hint,
      rule: `semantic/${rule}`,
    });
  const at = (file: SpecFile, ...parts: (string | number)[]): Where => ({
    file,
    pointer: parts.map((p) => `/${escapePointerToken(String(p))}`).join(''),
  });

  // ---- symbol table (all names share one C namespace, as they do in the vendor header) ----
  const symbols = new Map<string, Sym>();
  const declare = (name: string, sym: Sym) => {
    const prev = symbols.get(name);
    if (prev) {
      report(sym.where, `"${name}" is declared twice`, `the first declaration is in ${prev.where.file.displayPath} at ${prev.where.pointer}; C names must be unique`, 'unique-name');
      return;
    }
    if (C_KEYWORDS.has(name)) report(sym.where, `"${name}" is a C or C++ keyword`, 'choose another name; the C header must compile', 'c-identifier');
    symbols.set(name, sym);
  };

  const areas = areaFiles.map((f) => ({ file: f, area: f.data as RawArea }));
  const index = indexFile.data as RawIndex;

  const seenAreas = new Map<string, SpecFile>();
  const checked = new Set(areaFiles);
  for (const file of symbolFiles) {
    if (!checked.has(file)) {
      declareLoosely(file);
      continue;
    }
    const area = file.data as RawArea;
    const expected = file.path.replace(/^.*[\\/]/, '').replace(/\.json$/, '');
    if (area.area !== expected)
      report(at(file, 'area'), `area "${area.area}" is in file "${expected}.json"`, `name the area after its file ("${expected}") so readers find it`, 'area-name');
    if (seenAreas.has(area.area)) report(at(file, 'area'), `area "${area.area}" appears twice`, `also in ${seenAreas.get(area.area)!.displayPath}`, 'unique-name');
    seenAreas.set(area.area, file);

    area.typedefs.forEach((t, i) => {
      declare(t.name, { kind: 'typedef', where: at(file, 'typedefs', i, 'name') });
      declare(t.opaque_struct, { kind: 'opaque', where: at(file, 'typedefs', i, 'opaque_struct') });
    });
    area.enums.forEach((e, i) => {
      declare(e.name, { kind: 'enum', where: at(file, 'enums', i, 'name') });
      e.constants.forEach((c, j) =>
        declare(c.name, { kind: 'constant', enumName: e.name, value: uintValue(c.value), where: at(file, 'enums', i, 'constants', j, 'name') }),
      );
      declare(e.sentinel.name, { kind: 'constant', enumName: e.name, value: SENTINEL_MAX[e.sentinel.value], where: at(file, 'enums', i, 'sentinel', 'name') });
    });
    area.structs.forEach((s, i) => declare(s.name, { kind: 'struct', where: at(file, 'structs', i, 'name') }));
    area.functions.forEach((f, i) => declare(f.name, { kind: 'function', where: at(file, 'functions', i, 'name') }));
    area.limits.forEach((l, i) => declare(l.name, { kind: 'limit', where: at(file, 'limits', i, 'name') }));
  }

  // Names from a file the schema rejected: collect what is recognisable, check nothing.
  function declareLoosely(file: SpecFile) {
    const d = file.data as Record<string, unknown>;
    const list = (k: string): Record<string, unknown>[] => (Array.isArray(d?.[k]) ? (d[k] as Record<string, unknown>[]).filter((x) => x && typeof x === 'object') : []);
    const name = (x: Record<string, unknown>) => (typeof x.name === 'string' ? x.name : undefined);
    const put = (n: string | undefined, sym: Sym) => {
      if (n && !symbols.has(n)) symbols.set(n, sym);
    };
    const w = { file, pointer: '' };
    list('typedefs').forEach((t) => put(name(t), { kind: 'typedef', where: w }));
    list('structs').forEach((t) => put(name(t), { kind: 'struct', where: w }));
    list('functions').forEach((t) => put(name(t), { kind: 'function', where: w }));
    list('limits').forEach((t) => put(name(t), { kind: 'limit', where: w }));
    list('enums').forEach((e) => {
      put(name(e), { kind: 'enum', where: w });
      const cs = Array.isArray(e.constants) ? (e.constants as Record<string, unknown>[]) : [];
      cs.forEach((c) => c && put(name(c), { kind: 'constant', enumName: name(e), where: w }));
      const sen = e.sentinel as Record<string, unknown> | undefined;
      if (sen) put(name(sen), { kind: 'constant', enumName: name(e), where: w });
    });
  }

  const isConstantOf = (name: string, enumName?: string) => {
    const s = symbols.get(name);
    return s?.kind === 'constant' && (!enumName || s.enumName === enumName);
  };
  const enumOfConstant = (name: string) => symbols.get(name)?.enumName;

  // ---- index ----
  const statusEnum = symbols.get(index.status_enum);
  if (statusEnum?.kind !== 'enum')
    report(at(indexFile, 'status_enum'), `status enum "${index.status_enum}" is not an enum of the spec`, 'name the enum that every function returns (e.g. "MvStatus")', 'reference');
  else if (!isConstantOf(index.success_status, index.status_enum))
    report(at(indexFile, 'success_status'), `"${index.success_status}" is not a constant of ${index.status_enum}`, 'name the constant that means success (e.g. "MV_STATUS_OKAY")', 'reference');
  const errataIds = new Set<number>();
  index.errata.forEach((e, i) => {
    if (errataIds.has(e.id)) report(at(indexFile, 'errata', i, 'id'), `erratum id ${e.id} is used twice`, 'give each erratum its own id', 'unique-name');
    errataIds.add(e.id);
  });

  // ---- types ----
  const checkType = (w: Where, text: string): ReturnType<typeof parseCType> => {
    const t = parseCType(text);
    if (!t) {
      report(w, `cannot read the C type "${text}"`, 'write e.g. "uint32_t", "enum MvStatus", "const struct MvSizedString *", "MvChannelHandle *"', 'c-type');
      return undefined;
    }
    const b = t.base;
    if (b.kind === 'enum' && symbols.get(b.name)?.kind !== 'enum')
      report(w, `"enum ${b.name}" names no enum of the spec`, suggest(b.name, symbols, 'enum'), 'reference');
    if (b.kind === 'struct' && symbols.get(b.name)?.kind !== 'struct')
      report(w, `"struct ${b.name}" names no struct of the spec`, suggest(b.name, symbols, 'struct'), 'reference');
    if (b.kind === 'name') {
      const k = symbols.get(b.name)?.kind;
      if (k !== 'typedef')
        report(w, `type "${b.name}" is not a fixed-width integer or a typedef of the spec`, k === 'struct' || k === 'enum' ? `write "${k} ${b.name}"` : suggest(b.name, symbols, 'typedef'), 'reference');
    }
    if (t.const && t.pointer === 0) report(w, `"const" on a by-value type has no effect here`, 'const qualifies the pointee; drop it for value types', 'c-type');
    return t;
  };

  for (const { file, area } of areas) {
    area.enums.forEach((e, i) => {
      const prefix = e.sentinel.name.replace(/__MAX$/, '_');
      if (!e.sentinel.name.endsWith('__MAX'))
        report(at(file, 'enums', i, 'sentinel', 'name'), `sentinel "${e.sentinel.name}" does not end in "__MAX"`, 'the vendor names sentinels NAME__MAX', 'enum-sentinel');
      const max = SENTINEL_MAX[e.sentinel.value];
      const values = new Map<number, string>();
      e.constants.forEach((c, j) => {
        const w = at(file, 'enums', i, 'constants', j);
        const v = uintValue(c.value);
        if (!c.name.startsWith(prefix))
          report({ ...w, pointer: `${w.pointer}/name` }, `constant "${c.name}" does not start with the enum's prefix "${prefix}"`, `rename it "${prefix}${c.name.replace(/^MV_[A-Z0-9]*_/, '')}" or fix the sentinel name`, 'enum-prefix');
        if (values.has(v))
          report({ ...w, pointer: `${w.pointer}/value` }, `value ${v} of "${c.name}" is already used by "${values.get(v)}"`, 'each constant needs its own value', 'enum-value-unique');
        values.set(v, c.name);
        if (v >= max)
          report({ ...w, pointer: `${w.pointer}/value` }, `value ${v} of "${c.name}" does not fit below the sentinel ${e.sentinel.value}`, 'raise the sentinel to widen the enum, knowing this changes its size on the device (an ABI break)', 'enum-range');
        if (e.bitmask && v !== 0 && (v & (v - 1)) !== 0)
          report({ ...w, pointer: `${w.pointer}/value` }, `bitmask constant "${c.name}" = ${v} is not a single bit`, 'bit flags must be powers of two (or 0 for "none")', 'enum-bitmask');
      });
    });

    area.typedefs.forEach((t, i) => {
      if (t.opaque_struct === t.name) report(at(file, 'typedefs', i, 'opaque_struct'), `the opaque struct tag must differ from the typedef name`, `the vendor uses "${t.name}Opaque"`, 'c-identifier');
    });

    area.structs.forEach((s, i) => checkStruct(file, s, i));

    area.functions.forEach((f, i) => {
      const w = (...p: (string | number)[]) => at(file, 'functions', i, ...p);
      const addr = parseInt(f.nsc_address, 16);
      if ((addr & 1) !== 1)
        report(w('nsc_address'), `call address ${f.nsc_address} has the Thumb bit clear`, 'Cortex-M33 code addresses are odd (bit 0 set for Thumb)', 'nsc-address');
      const pnames = new Set<string>();
      f.params.forEach((p, j) => {
        if (pnames.has(p.name)) report(w('params', j, 'name'), `parameter "${p.name}" appears twice`, 'parameter names must be unique', 'unique-name');
        pnames.add(p.name);
        if (C_KEYWORDS.has(p.name)) report(w('params', j, 'name'), `parameter "${p.name}" is a C or C++ keyword`, 'rename the parameter; the C header must compile', 'c-identifier');
        const t = checkType(w('params', j, 'type'), p.type);
        if (t) {
          if ((p.direction === 'out' || p.direction === 'inout') && (t.pointer === 0 || t.const))
            report(w('params', j, 'direction'), `"${p.direction}" parameter "${p.name}" must be a pointer to writable memory, but its type is "${p.type}"`, 'use a non-const pointer type, or direction "value"/"in"', 'direction');
          if (p.direction === 'in' && t.pointer === 0)
            report(w('params', j, 'direction'), `"in" parameter "${p.name}" is passed by value`, 'use direction "value" for by-value parameters', 'direction');
          if (p.direction === 'value' && t.pointer > 0)
            report(w('params', j, 'direction'), `"value" parameter "${p.name}" is a pointer`, 'use "in", "out" or "inout" for pointers', 'direction');
        }
        if (p.object_kind && !isConstantOf(p.object_kind))
          report(w('params', j, 'object_kind'), `object kind "${p.object_kind}" is not an enum constant of the spec`, suggest(p.object_kind, symbols, 'constant'), 'reference');
      });
      const fnReport = (parts: (string | number)[], message: string, hint: string | undefined, rule: string) => report(w(...parts), message, hint, rule);
      checkParamCounts(f, fnReport);
      checkCallContext(f, fnReport, (s) => isConstantOf(s, index.status_enum));
      const statuses = new Set<string>();
      f.errors.forEach((e, j) => {
        if (e.status === index.success_status)
          report(w('errors', j, 'status'), `${e.status} is success, not an error`, 'remove this row: success is implied for every call', 'success-not-error');
        else if (!isConstantOf(e.status, index.status_enum))
          report(w('errors', j, 'status'), `"${e.status}" is not a constant of ${index.status_enum}`, suggest(e.status, symbols, 'constant'), 'reference');
        if (statuses.has(e.status)) report(w('errors', j, 'status'), `${e.status} is listed twice`, 'merge the two conditions into one row', 'unique-name');
        statuses.add(e.status);
      });
      (f.notifications ?? []).forEach((n, j) => {
        if (!isConstantOf(n.event)) report(w('notifications', j, 'event'), `"${n.event}" is not an enum constant of the spec`, suggest(n.event, symbols, 'constant'), 'reference');
      });
      const readable = new Set<string | undefined>();
      (f.produces ?? []).forEach((c, j) => {
        if (!isConstantOf(c)) report(w('produces', j), `"${c}" is not an enum constant of the spec`, suggest(c, symbols, 'constant'), 'reference');
        readable.add(enumOfConstant(c));
      });
      if (f.consumes !== undefined && !isConstantOf(f.consumes))
        report(w('consumes'), `"${f.consumes}" is not an enum constant of the spec`, suggest(f.consumes, symbols, 'constant'), 'reference');
      if (f.peeks !== undefined && symbols.get(f.peeks)?.kind !== 'enum')
        report(w('peeks'), `"${f.peeks}" is not an enum of the spec`, suggest(f.peeks, symbols, 'enum'), 'reference');
    });
  }

  // ---- prose: every item carries real text, not a placeholder ----
  const PLACEHOLDER = /^\s*(todo|tbd|fixme|xxx|\.\.\.|-)\s*\.?\s*$/i;
  const checkProse = (file: SpecFile, value: unknown, pointer: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => checkProse(file, v, `${pointer}/${i}`));
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) {
        const p = `${pointer}/${escapePointerToken(k)}`;
        if ((k === 'doc' || k === 'when') && typeof v === 'string' && PLACEHOLDER.test(v))
          report({ file, pointer: p }, `the ${k === 'doc' ? 'doc string' : 'error condition'} is a placeholder ("${v.trim()}")`, 'write it in your own words: what the item is, or exactly when the status is returned', 'prose');
        else checkProse(file, v, p);
      }
  };
  checkProse(indexFile, index, '');
  for (const { file, area } of areas) checkProse(file, area, '');

  // ---- readable-data flow: every produced item has exactly one reader ----
  const consumers = new Map<string, Where>();
  const produced = new Map<string, Where>();
  for (const { file, area } of areas)
    area.functions.forEach((f, i) => {
      if (f.consumes) {
        if (consumers.has(f.consumes))
          report(at(file, 'functions', i, 'consumes'), `${f.consumes} is read by two functions`, `the other is at ${consumers.get(f.consumes)!.pointer}; one call consumes each readable item`, 'readable-flow');
        consumers.set(f.consumes, at(file, 'functions', i, 'consumes'));
      }
      (f.produces ?? []).forEach((c, j) => produced.set(c, at(file, 'functions', i, 'produces', j)));
    });
  for (const [c, w] of produced)
    if (isConstantOf(c) && !consumers.has(c))
      report(w, `${c} is produced but no function consumes it`, 'add "consumes" to the call that reads this item', 'readable-flow');

  // ---- limits ----
  const functionErrors = new Map<string, Set<string>>();
  for (const { area } of areas) for (const f of area.functions) functionErrors.set(f.name, new Set(f.errors.map((e) => e.status)));
  for (const { file, area } of areas)
    area.limits.forEach((l, i) => {
      const w = (...p: (string | number)[]) => at(file, 'limits', i, ...p);
      if (l.kind === 'range' && l.min! > l.max!) report(w('min'), `range ${l.min}..${l.max} is empty`, 'min must not exceed max', 'limit-consistent');
      if ((l.kind === 'multiple_of' || l.kind === 'alignment') && (l.value ?? 0) < 1)
        report(w('value'), `${l.kind} needs a value of at least 1`, undefined, 'limit-consistent');
      if (l.kind === 'alignment' && l.value && (l.value & (l.value - 1)) !== 0)
        report(w('value'), `alignment ${l.value} is not a power of two`, undefined, 'limit-consistent');
      if (!isConstantOf(l.status, index.status_enum))
        report(w('status'), `"${l.status}" is not a constant of ${index.status_enum}`, suggest(l.status, symbols, 'constant'), 'reference');
      l.functions.forEach((fn, j) => {
        const errs = functionErrors.get(fn);
        if (!errs) report(w('functions', j), `function "${fn}" does not exist`, suggest(fn, symbols, 'function'), 'reference');
        else if (!errs.has(l.status))
          report(w('functions', j), `${fn} does not list ${l.status} in its error table, yet this limit reports it`, `add a ${l.status} row to ${fn}, or correct the limit's status`, 'limit-status');
      });
      (l.applies_to ?? []).forEach((path, j) => {
        const [sname, ...rest] = path.split('.');
        const fn = findFunction(areas.map((a) => a.area), sname);
        if (fn) return checkParamLimit(l, fn, rest, w('applies_to', j));
        const s = findStruct(areas.map((a) => a.area), sname);
        if (!s) return report(w('applies_to', j), `"${sname}" is neither a struct nor a function of the spec`, suggest(sname, symbols, 'struct'), 'reference');
        const fld = findField(s, rest);
        if (!fld) return report(w('applies_to', j), `struct ${sname} has no field "${rest.join('.')}"`, `fields: ${leafPaths(s).join(', ')}`, 'reference');
        const t = parseCType(fld.type);
        const numeric = t && t.pointer === 0 && (t.base.kind === 'int');
        if ((l.kind === 'alignment') !== Boolean(t && t.pointer > 0))
          report(w('applies_to', j), l.kind === 'alignment' ? `alignment applies to pointers, but ${path} is "${fld.type}"` : `a ${l.kind} limit applies to numbers, but ${path} is "${fld.type}"`, undefined, 'limit-consistent');
        else if (l.kind !== 'alignment' && !numeric)
          report(w('applies_to', j), `a ${l.kind} limit applies to integers, but ${path} is "${fld.type}"`, undefined, 'limit-consistent');
      });
    });
  return out;

  // A limit on a parameter: the parameter exists, the limit lists its function, and the kind fits
  // the type (alignment also applies to an integer that holds an address).
  function checkParamLimit(l: RawArea['limits'][number], fn: RawFunction, rest: string[], where: Where) {
    const param = rest.length === 1 ? fn.params.find((p) => p.name === rest[0]) : undefined;
    if (!param) return report(where, `function ${fn.name} has no parameter "${rest.join('.')}"`, `parameters: ${fn.params.map((p) => p.name).join(', ') || 'none'}`, 'reference');
    if (!l.functions.includes(fn.name))
      report(where, `the limit applies to a parameter of ${fn.name} but does not list ${fn.name} in "functions"`, `add "${fn.name}" to "functions"`, 'limit-consistent');
    const t = parseCType(param.type);
    if (!t) return;
    const integer = t.pointer === 0 && t.base.kind === 'int';
    if (l.kind === 'alignment' ? !(integer || t.pointer > 0) : !integer)
      report(where, `a ${l.kind} limit applies to ${l.kind === 'alignment' ? 'pointers or integer addresses' : 'integers'}, but ${fn.name}.${param.name} is "${param.type}"`, undefined, 'limit-consistent');
  }

  function checkStruct(file: SpecFile, s: RawStruct, i: number) {
    const w = (...p: (string | number)[]) => at(file, 'structs', i, ...p);
    // versioned: `version` first, then exactly one anonymous union
    if (s.versioned) {
      const first = s.fields[0];
      if (!first || isUnion(first) || first.name !== s.versioned.field || first.type !== 'uint32_t')
        report(w('versioned'), `versioned struct must start with "uint32_t ${s.versioned.field}"`, 'the vendor pattern is `uint32_t version; union { struct {...} v1; };`', 'versioned');
      const unions = s.fields.filter(isUnion);
      if (unions.length !== 1) report(w('versioned'), 'a versioned struct needs exactly one anonymous union of versions', undefined, 'versioned');
      else
        for (const v of s.versioned.versions)
          if (!unions[0].union.some((m) => m.name === `v${v}`))
            report(w('versioned', 'versions'), `version ${v} has no "v${v}" member in the union`, `add a "v${v}" member`, 'versioned');
    }
    const names = new Map<string, string>();
    // Checks one list of sibling fields; `at` gives each field's pointer parts.
    const checkFields = (fields: RawField[], fieldAt: (j: number) => (string | number)[]) => {
      fields.forEach((f, j) => {
        const fw = w(...fieldAt(j));
        if (names.has(f.name)) report({ ...fw, pointer: `${fw.pointer}/name` }, `field "${f.name}" appears twice in ${s.name}`, 'field names must be unique (union members share the struct namespace)', 'unique-name');
        names.set(f.name, fw.pointer);
        if (C_KEYWORDS.has(f.name)) report({ ...fw, pointer: `${fw.pointer}/name` }, `field "${f.name}" is a C or C++ keyword`, 'rename the field; the C header must compile', 'c-identifier');
        const t = checkType({ ...fw, pointer: `${fw.pointer}/type` }, f.type);
        if (t?.base.kind === 'struct' && t.base.name === s.name && t.pointer === 0)
          report({ ...fw, pointer: `${fw.pointer}/type` }, `${s.name} contains itself by value`, 'use a pointer', 'recursion');
        if ((f.optional || f.direction === 'out') && t && t.pointer === 0)
          report({ ...fw, pointer: `${fw.pointer}/${f.optional ? 'optional' : 'direction'}` }, `"${f.optional ? 'optional' : 'direction: out'}" applies only to pointer fields, and "${f.name}" is "${f.type}"`, undefined, 'field-flags');
        if (f.direction === 'out' && t?.const)
          report({ ...fw, pointer: `${fw.pointer}/direction` }, `"${f.name}" is written by the kernel but points to const`, 'drop const or the out direction', 'field-flags');
        if (f.counts === undefined) return;
        const cw = { ...fw, pointer: `${fw.pointer}/counts` };
        const target = fields.find((g) => g.name === f.counts);
        if (!target) report(cw, `"${f.name}" counts "${f.counts}", which is not a field beside it in ${s.name}`, `fields here: ${fields.map((g) => g.name).join(', ')}`, 'count-field');
        else if (!(parseCType(target.type)?.pointer ?? 0)) report(cw, `"${f.name}" counts "${f.counts}", which is not a pointer (array) field`, 'a count field must name the pointer it sizes', 'count-field');
        if (t && (t.pointer > 0 || t.base.kind !== 'int')) report(cw, `count field "${f.name}" has type "${f.type}"`, 'a count must be an integer field', 'count-field');
      });
    };
    const plainIndex: number[] = [];
    s.fields.forEach((f, j) => {
      if (!isUnion(f)) plainIndex.push(j);
    });
    checkFields(plainIndex.map((j) => s.fields[j] as RawField), (k) => ['fields', plainIndex[k]]);
    s.fields.forEach((f, j) => {
      if (!isUnion(f)) return;
      const memberNames = new Set<string>();
      f.union.forEach((m, k) => {
        if (memberNames.has(m.name)) report(w('fields', j, 'union', k, 'name'), `union member "${m.name}" appears twice`, undefined, 'unique-name');
        memberNames.add(m.name);
        checkFields(m.fields, (x) => ['fields', j, 'union', k, 'fields', x]);
      });
    });
  }
}

function findFunction(areas: RawArea[], name: string): RawFunction | undefined {
  for (const a of areas) for (const f of a.functions) if (f.name === name) return f;
  return undefined;
}

function findStruct(areas: RawArea[], name: string): RawStruct | undefined {
  for (const a of areas) for (const s of a.structs) if (s.name === name) return s;
  return undefined;
}

function findField(s: RawStruct, path: string[]): RawField | undefined {
  const [first, second] = path;
  for (const f of s.fields) {
    if (isUnion(f)) {
      for (const m of f.union) if (m.name === first && second) return m.fields.find((g) => g.name === second);
    } else if (f.name === first && path.length === 1) return f;
  }
  return undefined;
}

function leafPaths(s: RawStruct): string[] {
  return s.fields.flatMap((f) => (isUnion(f) ? f.union.flatMap((m) => m.fields.map((g) => `${m.name}.${g.name}`)) : [f.name]));
}

function suggest(name: string, symbols: Map<string, Sym>, kind: Sym['kind']): string {
  const candidates = [...symbols.entries()].filter(([, s]) => s.kind === kind).map(([n]) => n);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  if (best && bestScore <= Math.max(2, Math.floor(name.length / 4))) return `did you mean "${best}"?`;
  return `declare it, or use one of the spec's ${kind === 'constant' ? 'enum constant' : kind}s`;
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}
