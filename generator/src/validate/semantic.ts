/**
 * The consistency checker: rules the JSON Schema cannot express, one method per rule
 * (references resolve, names are unique and usable in every target language, enum values are
 * unique and fit their sentinel, error tables name real statuses, count fields name arrays,
 * structs do not contain themselves, readable data has a reader, limits agree with the tables
 * they cite). Runs on files that passed the schema, so shapes can be trusted here.
 */
import type { Diagnostic } from '../spec/diagnostics.js';
import type { SpecFile } from '../spec/load.js';
import { escapePointerToken } from '../spec/json-positions.js';
import { isUnion, uintValue, type RawArea, type RawField, type RawFunction, type RawIndex, type RawStruct } from '../spec/raw.js';
import { parseCType, type ParsedCType } from '../model/ctype.js';
import { reservedReason, type NameRole } from './reserved.js';
import { checkCallContext, checkParamCounts } from './calls.js';

interface Where {
  file: SpecFile;
  pointer: string;
}
interface Sym {
  kind: 'enum' | 'struct' | 'typedef' | 'function' | 'constant' | 'limit' | 'opaque';
  where: Where;
  enumName?: string; // for constants
}
interface AreaFile {
  file: SpecFile;
  area: RawArea;
}

const SENTINEL_MAX = new Map<string, number>([
  ['0xff', 0xff],
  ['0xffff', 0xffff],
  ['0xffffffff', 0xffffffff],
]);

const ROLE_OF_KIND: Record<Sym['kind'], NameRole> = {
  enum: 'type',
  struct: 'type',
  typedef: 'type',
  opaque: 'type',
  function: 'function',
  constant: 'constant',
  limit: 'limit',
};

/**
 * `areaFiles` are checked; `symbolFiles` (default: the same) only contribute names, so a file the
 * schema rejected still declares its names and references to them are not reported twice.
 */
export function validateSemantics(indexFile: SpecFile, areaFiles: SpecFile[], symbolFiles: SpecFile[] = areaFiles): Diagnostic[] {
  return new ConsistencyChecker(indexFile, areaFiles, symbolFiles).run();
}

class ConsistencyChecker {
  private readonly out: Diagnostic[] = [];
  /** Every name of the spec: they share one C namespace, as they do in the vendor header. */
  private readonly symbols = new Map<string, Sym>();
  private readonly index: RawIndex;
  private readonly areas: AreaFile[];

  constructor(
    private readonly indexFile: SpecFile,
    private readonly areaFiles: SpecFile[],
    private readonly symbolFiles: SpecFile[],
  ) {
    this.index = indexFile.data as RawIndex;
    this.areas = areaFiles.map((f) => ({ file: f, area: f.data as RawArea }));
  }

  run(): Diagnostic[] {
    this.declareSymbols();
    this.checkIndexReferences();
    this.checkErrataIds();
    this.checkNamesAgainstTargets();
    this.checkDerivedNames();
    for (const a of this.areas) {
      this.checkEnums(a);
      this.checkTypedefs(a);
      a.area.structs.forEach((s, i) => this.checkStruct(a.file, s, i));
      a.area.functions.forEach((f, i) => this.checkFunction(a.file, f, i));
    }
    this.checkContainmentCycles();
    this.checkProse();
    this.checkReadableFlow();
    this.checkLimits();
    return this.out;
  }

  // ---------------------------------------------------------------- reporting

  private report(w: Where, message: string, hint: string | undefined, rule: string, key = false): void {
    this.out.push({
      file: w.file.displayPath,
      pointer: w.pointer,
      position: (key ? w.file.positions.get(`${w.pointer}#key`) : undefined) ?? w.file.positions.get(w.pointer),
      message,
      hint,
      rule: `semantic/${rule}`,
    });
  }

  private at(file: SpecFile, ...parts: (string | number)[]): Where {
    return { file, pointer: parts.map((p) => `/${escapePointerToken(String(p))}`).join('') };
  }

  private isConstantOf(name: string, enumName?: string): boolean {
    const s = this.symbols.get(name);
    return s?.kind === 'constant' && (!enumName || s.enumName === enumName);
  }

  // ---------------------------------------------------------------- rule: unique names (symbol table)

  private declare(name: string, sym: Sym): void {
    const prev = this.symbols.get(name);
    if (prev) {
      this.report(sym.where, `"${name}" is declared twice`, `the first declaration is in ${prev.where.file.displayPath} at ${prev.where.pointer}; C names must be unique`, 'unique-name');
      return;
    }
    this.symbols.set(name, sym);
  }

  private declareSymbols(): void {
    const checked = new Set(this.areaFiles);
    const seenAreas = new Map<string, SpecFile>();
    for (const file of this.symbolFiles) {
      if (!checked.has(file)) {
        this.declareLoosely(file);
        continue;
      }
      const area = file.data as RawArea;
      const at = (...p: (string | number)[]) => this.at(file, ...p);
      const expected = file.path.replace(/^.*[\\/]/, '').replace(/\.json$/, '');
      if (area.area !== expected)
        this.report(at('area'), `area "${area.area}" is in file "${expected}.json"`, `name the area after its file ("${expected}") so readers find it`, 'area-name');
      if (seenAreas.has(area.area)) this.report(at('area'), `area "${area.area}" appears twice`, `also in ${seenAreas.get(area.area)!.displayPath}`, 'unique-name');
      seenAreas.set(area.area, file);

      area.typedefs.forEach((t, i) => {
        this.declare(t.name, { kind: 'typedef', where: at('typedefs', i, 'name') });
        this.declare(t.opaque_struct, { kind: 'opaque', where: at('typedefs', i, 'opaque_struct') });
      });
      area.enums.forEach((e, i) => {
        this.declare(e.name, { kind: 'enum', where: at('enums', i, 'name') });
        e.constants.forEach((c, j) => this.declare(c.name, { kind: 'constant', enumName: e.name, where: at('enums', i, 'constants', j, 'name') }));
        this.declare(e.sentinel.name, { kind: 'constant', enumName: e.name, where: at('enums', i, 'sentinel', 'name') });
      });
      area.structs.forEach((s, i) => this.declare(s.name, { kind: 'struct', where: at('structs', i, 'name') }));
      area.functions.forEach((f, i) => this.declare(f.name, { kind: 'function', where: at('functions', i, 'name') }));
      area.limits.forEach((l, i) => this.declare(l.name, { kind: 'limit', where: at('limits', i, 'name') }));
    }
  }

  /** Names from a file the schema rejected: collect what is recognisable, check nothing. */
  private declareLoosely(file: SpecFile): void {
    const d = file.data as Record<string, unknown>;
    const list = (k: string): Record<string, unknown>[] =>
      d && typeof d === 'object' && Object.hasOwn(d, k) && Array.isArray(d[k]) ? (d[k] as Record<string, unknown>[]).filter((x) => x && typeof x === 'object') : [];
    const name = (x: Record<string, unknown>) => (typeof x.name === 'string' ? x.name : undefined);
    const put = (n: string | undefined, sym: Sym) => {
      if (n && !this.symbols.has(n)) this.symbols.set(n, sym);
    };
    const w = { file, pointer: '' };
    list('typedefs').forEach((t) => put(name(t), { kind: 'typedef', where: w }));
    list('structs').forEach((t) => put(name(t), { kind: 'struct', where: w }));
    list('functions').forEach((t) => put(name(t), { kind: 'function', where: w }));
    list('limits').forEach((t) => put(name(t), { kind: 'limit', where: w }));
    list('enums').forEach((e) => {
      put(name(e), { kind: 'enum', where: w });
      const cs = Array.isArray(e.constants) ? (e.constants as Record<string, unknown>[]) : [];
      cs.forEach((c) => c && typeof c === 'object' && put(name(c), { kind: 'constant', enumName: name(e), where: w }));
      const sen = e.sentinel;
      if (sen && typeof sen === 'object') put(name(sen as Record<string, unknown>), { kind: 'constant', enumName: name(e), where: w });
    });
  }

  // ---------------------------------------------------------------- rule: the index names real things

  private checkIndexReferences(): void {
    const { index, indexFile } = this;
    const statusEnum = this.symbols.get(index.status_enum);
    if (statusEnum?.kind !== 'enum')
      this.report(this.at(indexFile, 'status_enum'), `status enum "${index.status_enum}" is not an enum of the spec`, 'name the enum that every function returns (e.g. "MvStatus")', 'reference');
    else if (!this.isConstantOf(index.success_status, index.status_enum))
      this.report(this.at(indexFile, 'success_status'), `"${index.success_status}" is not a constant of ${index.status_enum}`, 'name the constant that means success (e.g. "MV_STATUS_OKAY")', 'reference');
  }

  private checkErrataIds(): void {
    const ids = new Set<number>();
    this.index.errata.forEach((e, i) => {
      if (ids.has(e.id)) this.report(this.at(this.indexFile, 'errata', i, 'id'), `erratum id ${e.id} is used twice`, 'give each erratum its own id', 'unique-name');
      ids.add(e.id);
    });
  }

  // ---------------------------------------------------------------- rule: names every target can compile

  private reserved(w: Where, name: string, role: NameRole, what: string): void {
    const why = reservedReason(name, role);
    if (why) this.report(w, `${what} "${name}" is ${why}`, 'choose another name: every target (C, C++, TypeScript) must compile it', 'c-identifier');
  }

  private checkNamesAgainstTargets(): void {
    const prefix = `${this.index.product?.macro_prefix ?? this.index.spec.toUpperCase()}_`;
    for (const [name, sym] of this.symbols) {
      if (!this.areaFiles.includes(sym.where.file)) continue;
      this.reserved(sym.where, name, ROLE_OF_KIND[sym.kind], sym.kind === 'opaque' ? 'struct tag' : sym.kind);
      if (name.startsWith(prefix) && sym.kind !== 'limit')
        this.report(sym.where, `${sym.kind} "${name}" starts with the generated macros' prefix "${prefix}"`, 'that prefix belongs to the macros the generator writes; choose another name', 'c-identifier');
    }
    for (const { file, area } of this.areas) {
      area.functions.forEach((f, i) =>
        f.params.forEach((p, j) => {
          this.reserved(this.at(file, 'functions', i, 'params', j, 'name'), p.name, 'parameter', 'parameter');
          // A parameter named like a type or constant would hide it for the rest of the prototype.
          if (this.symbols.has(p.name))
            this.report(this.at(file, 'functions', i, 'params', j, 'name'), `parameter "${p.name}" has the name of a ${this.symbols.get(p.name)!.kind} of the spec`, 'parameter names must not hide spec names', 'c-identifier');
        }),
      );
      area.structs.forEach((s, i) =>
        s.fields.forEach((f, j) => {
          if (!isUnion(f)) return this.reserved(this.at(file, 'structs', i, 'fields', j, 'name'), f.name, 'field', 'field');
          f.union.forEach((m, k) => {
            this.reserved(this.at(file, 'structs', i, 'fields', j, 'union', k, 'name'), m.name, 'field', 'union member');
            m.fields.forEach((g, x) => this.reserved(this.at(file, 'structs', i, 'fields', j, 'union', k, 'fields', x, 'name'), g.name, 'field', 'field'));
          });
        }),
      );
    }
  }

  /**
   * Names the targets derive from spec names (`<Function>Status`, `new<Struct>`, `<Enum>Flag`,
   * `decode<Struct>`, `encode<Struct>`) must not meet another spec name.
   */
  private checkDerivedNames(): void {
    for (const [name, sym] of this.symbols) {
      const made: string[] = [];
      if (sym.kind === 'function') made.push(`${name[0].toUpperCase()}${name.slice(1)}Status`);
      if (sym.kind === 'struct') made.push(`new${name}`, `decode${name}`, `encode${name}`);
      if (sym.kind === 'enum') made.push(`${name}Flag`);
      for (const m of made) {
        const clash = this.symbols.get(m);
        if (clash && this.areaFiles.includes(sym.where.file))
          this.report(sym.where, `the generated name "${m}" (from ${sym.kind} "${name}") is also the name of a ${clash.kind}`, 'rename one of the two', 'unique-name');
      }
    }
  }

  // ---------------------------------------------------------------- rule: enums

  private checkEnums({ file, area }: AreaFile): void {
    area.enums.forEach((e, i) => {
      const prefix = e.sentinel.name.replace(/__MAX$/, '_');
      if (!e.sentinel.name.endsWith('__MAX'))
        this.report(this.at(file, 'enums', i, 'sentinel', 'name'), `sentinel "${e.sentinel.name}" does not end in "__MAX"`, 'the vendor names sentinels NAME__MAX', 'enum-sentinel');
      const max = SENTINEL_MAX.get(e.sentinel.value) ?? 0xffffffff;
      const values = new Map<number, string>();
      e.constants.forEach((c, j) => {
        const w = this.at(file, 'enums', i, 'constants', j);
        const v = uintValue(c.value);
        if (!c.name.startsWith(prefix))
          this.report({ ...w, pointer: `${w.pointer}/name` }, `constant "${c.name}" does not start with the enum's prefix "${prefix}"`, `rename it "${prefix}${c.name.replace(/^MV_[A-Z0-9]*_/, '')}" or fix the sentinel name`, 'enum-prefix');
        if (values.has(v))
          this.report({ ...w, pointer: `${w.pointer}/value` }, `value ${v} of "${c.name}" is already used by "${values.get(v)}"`, 'each constant needs its own value', 'enum-value-unique');
        values.set(v, c.name);
        if (v >= max)
          this.report({ ...w, pointer: `${w.pointer}/value` }, `value ${v} of "${c.name}" does not fit below the sentinel ${e.sentinel.value}`, 'raise the sentinel to widen the enum, knowing this changes its size on the device (an ABI break)', 'enum-range');
        if (e.bitmask && v !== 0 && (v & (v - 1)) !== 0)
          this.report({ ...w, pointer: `${w.pointer}/value` }, `bitmask constant "${c.name}" = ${v} is not a single bit`, 'bit flags must be powers of two (or 0 for "none")', 'enum-bitmask');
      });
    });
  }

  // ---------------------------------------------------------------- rule: typedefs

  private checkTypedefs({ file, area }: AreaFile): void {
    area.typedefs.forEach((t, i) => {
      if (t.opaque_struct === t.name) this.report(this.at(file, 'typedefs', i, 'opaque_struct'), `the opaque struct tag must differ from the typedef name`, `the vendor uses "${t.name}Opaque"`, 'c-identifier');
    });
  }

  // ---------------------------------------------------------------- rule: C types resolve

  private checkType(w: Where, text: string): ParsedCType | undefined {
    const t = parseCType(text);
    if (!t) {
      this.report(w, `cannot read the C type "${text}"`, 'write e.g. "uint32_t", "enum MvStatus", "const struct MvSizedString *", "MvChannelHandle *"', 'c-type');
      return undefined;
    }
    const b = t.base;
    const symbols = this.symbols;
    if (b.kind === 'enum' && symbols.get(b.name)?.kind !== 'enum') this.report(w, `"enum ${b.name}" names no enum of the spec`, suggest(b.name, symbols, 'enum'), 'reference');
    if (b.kind === 'struct' && symbols.get(b.name)?.kind !== 'struct') this.report(w, `"struct ${b.name}" names no struct of the spec`, suggest(b.name, symbols, 'struct'), 'reference');
    if (b.kind === 'name') {
      const k = symbols.get(b.name)?.kind;
      if (k !== 'typedef')
        this.report(w, `type "${b.name}" is not a fixed-width integer or a typedef of the spec`, k === 'struct' || k === 'enum' ? `write "${k} ${b.name}"` : suggest(b.name, symbols, 'typedef'), 'reference');
    }
    if (t.const && t.pointer === 0) this.report(w, `"const" on a by-value type has no effect here`, 'const qualifies the pointee; drop it for value types', 'c-type');
    return t;
  }

  // ---------------------------------------------------------------- rule: structs

  private checkStruct(file: SpecFile, s: RawStruct, i: number): void {
    const w = (...p: (string | number)[]) => this.at(file, 'structs', i, ...p);
    this.checkVersioned(s, w);
    const names = new Map<string, string>();
    // Checks one list of sibling fields; `fieldAt` gives each field's pointer parts.
    const checkFields = (fields: RawField[], fieldAt: (j: number) => (string | number)[]) => {
      fields.forEach((f, j) => {
        const fw = w(...fieldAt(j));
        if (names.has(f.name))
          this.report({ ...fw, pointer: `${fw.pointer}/name` }, `field "${f.name}" appears twice in ${s.name}`, 'field names must be unique (union members share the struct namespace)', 'unique-name');
        names.set(f.name, fw.pointer);
        const t = this.checkType({ ...fw, pointer: `${fw.pointer}/type` }, f.type);
        if (t?.base.kind === 'struct' && t.base.name === s.name && t.pointer === 0)
          this.report({ ...fw, pointer: `${fw.pointer}/type` }, `${s.name} contains itself by value`, 'use a pointer', 'recursion');
        if ((f.optional || f.direction === 'out') && t && t.pointer === 0)
          this.report(
            { ...fw, pointer: `${fw.pointer}/${f.optional ? 'optional' : 'direction'}` },
            `"${f.optional ? 'optional' : 'direction: out'}" applies only to pointer fields, and "${f.name}" is "${f.type}"`,
            undefined,
            'field-flags',
          );
        if (f.direction === 'out' && t?.const)
          this.report({ ...fw, pointer: `${fw.pointer}/direction` }, `"${f.name}" is written by the kernel but points to const`, 'drop const or the out direction', 'field-flags');
        if (f.counts !== undefined) this.checkCountField(s, fields, f, t, { ...fw, pointer: `${fw.pointer}/counts` });
      });
    };
    const plainIndex: number[] = [];
    s.fields.forEach((f, j) => {
      if (!isUnion(f)) plainIndex.push(j);
    });
    checkFields(
      plainIndex.map((j) => s.fields[j] as RawField),
      (k) => ['fields', plainIndex[k]],
    );
    s.fields.forEach((f, j) => {
      if (!isUnion(f)) return;
      const memberNames = new Set<string>();
      f.union.forEach((m, k) => {
        if (memberNames.has(m.name)) this.report(w('fields', j, 'union', k, 'name'), `union member "${m.name}" appears twice`, undefined, 'unique-name');
        memberNames.add(m.name);
        checkFields(m.fields, (x) => ['fields', j, 'union', k, 'fields', x]);
      });
    });
  }

  /** versioned: `version` first, then exactly one anonymous union with a `vN` member per version. */
  private checkVersioned(s: RawStruct, w: (...p: (string | number)[]) => Where): void {
    if (!s.versioned) return;
    const first = s.fields[0];
    if (!first || isUnion(first) || first.name !== s.versioned.field || first.type !== 'uint32_t')
      this.report(w('versioned'), `versioned struct must start with "uint32_t ${s.versioned.field}"`, 'the vendor pattern is `uint32_t version; union { struct {...} v1; };`', 'versioned');
    const unions = s.fields.filter(isUnion);
    if (unions.length !== 1) this.report(w('versioned'), 'a versioned struct needs exactly one anonymous union of versions', undefined, 'versioned');
    else
      for (const v of s.versioned.versions)
        if (!unions[0].union.some((m) => m.name === `v${v}`))
          this.report(w('versioned', 'versions'), `version ${v} has no "v${v}" member in the union`, `add a "v${v}" member`, 'versioned');
  }

  private checkCountField(s: RawStruct, siblings: RawField[], f: RawField, t: ParsedCType | undefined, cw: Where): void {
    const target = siblings.find((g) => g.name === f.counts);
    if (!target) this.report(cw, `"${f.name}" counts "${f.counts}", which is not a field beside it in ${s.name}`, `fields here: ${siblings.map((g) => g.name).join(', ')}`, 'count-field');
    else if (!(parseCType(target.type)?.pointer ?? 0)) this.report(cw, `"${f.name}" counts "${f.counts}", which is not a pointer (array) field`, 'a count field must name the pointer it sizes', 'count-field');
    if (t && (t.pointer > 0 || t.base.kind !== 'int')) this.report(cw, `count field "${f.name}" has type "${f.type}"`, 'a count must be an integer field', 'count-field');
  }

  // ---------------------------------------------------------------- rule: no struct contains itself

  /**
   * By-value containment must be a tree: A ↔ B or A → B → C → A has no finite size. Direct
   * self-containment is reported on the field (`recursion`); longer cycles once, on the first
   * struct of the cycle in spec order, naming the whole loop.
   */
  private checkContainmentCycles(): void {
    const byValue = new Map<string, { where: Where; target: string }[]>();
    for (const { file, area } of this.areas)
      area.structs.forEach((s, i) => {
        const edges: { where: Where; target: string }[] = [];
        const edge = (f: RawField, ...path: (string | number)[]) => {
          const t = parseCType(f.type);
          if (t && t.pointer === 0 && t.base.kind === 'struct' && t.base.name !== s.name)
            edges.push({ where: this.at(file, 'structs', i, ...path, 'type'), target: t.base.name });
        };
        s.fields.forEach((f, j) => {
          if (isUnion(f)) f.union.forEach((m, k) => m.fields.forEach((g, x) => edge(g, 'fields', j, 'union', k, 'fields', x)));
          else edge(f, 'fields', j);
        });
        byValue.set(s.name, edges);
      });

    const state = new Map<string, 'active' | 'done'>();
    const stack: string[] = [];
    const reported = new Set<string>();
    const dfs = (name: string): void => {
      state.set(name, 'active');
      stack.push(name);
      for (const e of byValue.get(name) ?? []) {
        if (!byValue.has(e.target)) continue;
        const st = state.get(e.target);
        if (st === 'active') {
          const loop = [...stack.slice(stack.indexOf(e.target)), e.target];
          const key = [...loop.slice(0, -1)].sort().join(',');
          if (!reported.has(key)) {
            reported.add(key);
            this.report(e.where, `${loop.join(' → ')}: these structs contain each other by value`, 'a struct cannot contain itself, even through others; make one of these members a pointer', 'recursion');
          }
        } else if (st !== 'done') dfs(e.target);
      }
      stack.pop();
      state.set(name, 'done');
    };
    for (const name of byValue.keys()) if (!state.has(name)) dfs(name);
  }

  // ---------------------------------------------------------------- rule: functions

  private checkFunction(file: SpecFile, f: RawFunction, i: number): void {
    const w = (...p: (string | number)[]) => this.at(file, 'functions', i, ...p);
    const { index, symbols } = this;
    const addr = parseInt(f.nsc_address, 16);
    if ((addr & 1) !== 1) this.report(w('nsc_address'), `call address ${f.nsc_address} has the Thumb bit clear`, 'Cortex-M33 code addresses are odd (bit 0 set for Thumb)', 'nsc-address');
    const pnames = new Set<string>();
    f.params.forEach((p, j) => {
      if (pnames.has(p.name)) this.report(w('params', j, 'name'), `parameter "${p.name}" appears twice`, 'parameter names must be unique', 'unique-name');
      pnames.add(p.name);
      const t = this.checkType(w('params', j, 'type'), p.type);
      if (t) {
        if ((p.direction === 'out' || p.direction === 'inout') && (t.pointer === 0 || t.const))
          this.report(w('params', j, 'direction'), `"${p.direction}" parameter "${p.name}" must be a pointer to writable memory, but its type is "${p.type}"`, 'use a non-const pointer type, or direction "value"/"in"', 'direction');
        if (p.direction === 'in' && t.pointer === 0) this.report(w('params', j, 'direction'), `"in" parameter "${p.name}" is passed by value`, 'use direction "value" for by-value parameters', 'direction');
        if (p.direction === 'value' && t.pointer > 0) this.report(w('params', j, 'direction'), `"value" parameter "${p.name}" is a pointer`, 'use "in", "out" or "inout" for pointers', 'direction');
      }
      if (p.object_kind && !this.isConstantOf(p.object_kind))
        this.report(w('params', j, 'object_kind'), `object kind "${p.object_kind}" is not an enum constant of the spec`, suggest(p.object_kind, symbols, 'constant'), 'reference');
    });
    const fnReport = (parts: (string | number)[], message: string, hint: string | undefined, rule: string) => this.report(w(...parts), message, hint, rule);
    checkParamCounts(f, fnReport);
    checkCallContext(f, fnReport, (s) => this.isConstantOf(s, index.status_enum));
    const statuses = new Set<string>();
    f.errors.forEach((e, j) => {
      if (e.status === index.success_status) this.report(w('errors', j, 'status'), `${e.status} is success, not an error`, 'remove this row: success is implied for every call', 'success-not-error');
      else if (!this.isConstantOf(e.status, index.status_enum))
        this.report(w('errors', j, 'status'), `"${e.status}" is not a constant of ${index.status_enum}`, suggest(e.status, symbols, 'constant'), 'reference');
      if (statuses.has(e.status)) this.report(w('errors', j, 'status'), `${e.status} is listed twice`, 'merge the two conditions into one row', 'unique-name');
      statuses.add(e.status);
    });
    (f.notifications ?? []).forEach((n, j) => {
      if (!this.isConstantOf(n.event)) this.report(w('notifications', j, 'event'), `"${n.event}" is not an enum constant of the spec`, suggest(n.event, symbols, 'constant'), 'reference');
    });
    (f.produces ?? []).forEach((c, j) => {
      if (!this.isConstantOf(c)) this.report(w('produces', j), `"${c}" is not an enum constant of the spec`, suggest(c, symbols, 'constant'), 'reference');
    });
    if (f.consumes !== undefined && !this.isConstantOf(f.consumes))
      this.report(w('consumes'), `"${f.consumes}" is not an enum constant of the spec`, suggest(f.consumes, symbols, 'constant'), 'reference');
    if (f.peeks !== undefined && symbols.get(f.peeks)?.kind !== 'enum') this.report(w('peeks'), `"${f.peeks}" is not an enum of the spec`, suggest(f.peeks, symbols, 'enum'), 'reference');
  }

  // ---------------------------------------------------------------- rule: prose is real text

  private checkProse(): void {
    const PLACEHOLDER = /^\s*(todo|tbd|fixme|xxx|\.\.\.|-)\s*\.?\s*$/i;
    const walk = (file: SpecFile, value: unknown, pointer: string): void => {
      if (Array.isArray(value)) value.forEach((v, i) => walk(file, v, `${pointer}/${i}`));
      else if (value && typeof value === 'object')
        for (const [k, v] of Object.entries(value)) {
          const p = `${pointer}/${escapePointerToken(k)}`;
          if ((k === 'doc' || k === 'when') && typeof v === 'string' && PLACEHOLDER.test(v))
            this.report(
              { file, pointer: p },
              `the ${k === 'doc' ? 'doc string' : 'error condition'} is a placeholder ("${v.trim()}")`,
              'write it in your own words: what the item is, or exactly when the status is returned',
              'prose',
            );
          else walk(file, v, p);
        }
    };
    walk(this.indexFile, this.index, '');
    for (const { file, area } of this.areas) walk(file, area, '');
  }

  // ---------------------------------------------------------------- rule: every produced item has one reader

  private checkReadableFlow(): void {
    const consumers = new Map<string, Where>();
    const produced = new Map<string, Where>();
    for (const { file, area } of this.areas)
      area.functions.forEach((f, i) => {
        if (f.consumes) {
          if (consumers.has(f.consumes))
            this.report(this.at(file, 'functions', i, 'consumes'), `${f.consumes} is read by two functions`, `the other is at ${consumers.get(f.consumes)!.pointer}; one call consumes each readable item`, 'readable-flow');
          consumers.set(f.consumes, this.at(file, 'functions', i, 'consumes'));
        }
        (f.produces ?? []).forEach((c, j) => produced.set(c, this.at(file, 'functions', i, 'produces', j)));
      });
    for (const [c, w] of produced)
      if (this.isConstantOf(c) && !consumers.has(c)) this.report(w, `${c} is produced but no function consumes it`, 'add "consumes" to the call that reads this item', 'readable-flow');
  }

  // ---------------------------------------------------------------- rule: limits agree with what they cite

  /**
   * A limit on a parameter: the parameter exists, the limit lists its function, and the kind fits
   * the type (alignment also applies to an integer that holds an address).
   */
  private checkParamLimit(l: RawArea['limits'][number], fn: RawFunction, rest: string[], where: Where): void {
    const param = rest.length === 1 ? fn.params.find((p) => p.name === rest[0]) : undefined;
    if (!param) return this.report(where, `function ${fn.name} has no parameter "${rest.join('.')}"`, `parameters: ${fn.params.map((p) => p.name).join(', ') || 'none'}`, 'reference');
    if (!l.functions.includes(fn.name))
      this.report(where, `the limit applies to a parameter of ${fn.name} but does not list ${fn.name} in "functions"`, `add "${fn.name}" to "functions"`, 'limit-consistent');
    const t = parseCType(param.type);
    if (!t) return;
    const integer = t.pointer === 0 && t.base.kind === 'int';
    if (l.kind === 'alignment' ? !(integer || t.pointer > 0) : !integer)
      this.report(where, `a ${l.kind} limit applies to ${l.kind === 'alignment' ? 'pointers or integer addresses' : 'integers'}, but ${fn.name}.${param.name} is "${param.type}"`, undefined, 'limit-consistent');
  }

  private checkLimits(): void {
    const { index, symbols } = this;
    const functionErrors = new Map<string, Set<string>>();
    for (const { area } of this.areas) for (const f of area.functions) functionErrors.set(f.name, new Set(f.errors.map((e) => e.status)));
    // Looked up per `applies_to` path; the first of a duplicated name wins, as a scan would find it.
    const functionsByName = new Map<string, RawFunction>();
    const structsByName = new Map<string, RawStruct>();
    for (const { area } of this.areas) {
      for (const f of area.functions) if (!functionsByName.has(f.name)) functionsByName.set(f.name, f);
      for (const st of area.structs) if (!structsByName.has(st.name)) structsByName.set(st.name, st);
    }
    for (const { file, area } of this.areas)
      area.limits.forEach((l, i) => {
        const w = (...p: (string | number)[]) => this.at(file, 'limits', i, ...p);
        if (l.kind === 'range' && l.min! > l.max!) this.report(w('min'), `range ${l.min}..${l.max} is empty`, 'min must not exceed max', 'limit-consistent');
        if ((l.kind === 'multiple_of' || l.kind === 'alignment') && (l.value ?? 0) < 1) this.report(w('value'), `${l.kind} needs a value of at least 1`, undefined, 'limit-consistent');
        if (l.kind === 'alignment' && l.value && (l.value & (l.value - 1)) !== 0) this.report(w('value'), `alignment ${l.value} is not a power of two`, undefined, 'limit-consistent');
        if (l.status !== undefined && !this.isConstantOf(l.status, index.status_enum))
          this.report(w('status'), `"${l.status}" is not a constant of ${index.status_enum}`, suggest(l.status, symbols, 'constant'), 'reference');
        if (l.result !== undefined && !this.isConstantOf(l.result))
          this.report(w('result'), `"${l.result}" is not an enum constant of the spec`, suggest(l.result, symbols, 'constant'), 'reference');
        l.functions.forEach((fn, j) => {
          const errs = functionErrors.get(fn);
          if (!errs) this.report(w('functions', j), `function "${fn}" does not exist`, suggest(fn, symbols, 'function'), 'reference');
          else if (l.status !== undefined && !errs.has(l.status))
            this.report(w('functions', j), `${fn} does not list ${l.status} in its error table, yet this limit reports it`, `add a ${l.status} row to ${fn}, or correct the limit's status`, 'limit-status');
        });
        (l.applies_to ?? []).forEach((path, j) => {
          const [sname, ...rest] = path.split('.');
          const fn = functionsByName.get(sname);
          if (fn) return this.checkParamLimit(l, fn, rest, w('applies_to', j));
          const s = structsByName.get(sname);
          if (!s) return this.report(w('applies_to', j), `"${sname}" is neither a struct nor a function of the spec`, suggest(sname, symbols, 'struct'), 'reference');
          const fld = findField(s, rest);
          if (!fld) return this.report(w('applies_to', j), `struct ${sname} has no field "${rest.join('.')}"`, `fields: ${leafPaths(s).join(', ')}`, 'reference');
          const t = parseCType(fld.type);
          const numeric = t && t.pointer === 0 && t.base.kind === 'int';
          if ((l.kind === 'alignment') !== Boolean(t && t.pointer > 0))
            this.report(
              w('applies_to', j),
              l.kind === 'alignment' ? `alignment applies to pointers, but ${path} is "${fld.type}"` : `a ${l.kind} limit applies to numbers, but ${path} is "${fld.type}"`,
              undefined,
              'limit-consistent',
            );
          else if (l.kind !== 'alignment' && !numeric) this.report(w('applies_to', j), `a ${l.kind} limit applies to integers, but ${path} is "${fld.type}"`, undefined, 'limit-consistent');
        });
      });
  }
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
