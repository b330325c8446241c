/**
 * `<outputs.host>/decoders.ts`: one decoder per system call for the device side of a host build.
 * Each turns a firmware's request (its arguments and the memory regions the C walker copied,
 * in the walker's order) into the arguments the device core takes, as straight-line code with
 * every offset, size and kind written in. The device side once walked tables.ts for every call;
 * reading the tables cost more than the reading they described (a megamorphic property load
 * per field, a switch per scalar). The tables stay: the C walker and the kept-memory logic use
 * them. The runtime half (regions, write-backs, kept memory) is `Decoding` in the device
 * package's host/marshal.ts; this file only decides, per call, what to read where.
 */
import type { HostPointer, HostScalar, HostTables } from './lower.js';
import { WIRE } from './protocol.js';

/** REGION_HEADER of the bridge protocol (its one table): a region's bytes start this far after its header. */
const REGION_BYTES = WIRE.find((w) => w.name === 'REGION_HEADER')!.value;

/** The expression reading scalar `s` at view offset `at` (as the device core takes it). */
function readExpression(s: HostScalar, at: string): string {
  switch (s.kind) {
    case 'int':
      switch (s.size) {
        case 1:
          return `v.get${s.signed ? 'Int8' : 'Uint8'}(${at})`;
        case 2:
          return `v.get${s.signed ? 'Int16' : 'Uint16'}(${at}, true)`;
        case 4:
          return `v.get${s.signed ? 'Int32' : 'Uint32'}(${at}, true)`;
        default:
          return `v.get${s.signed ? 'BigInt64' : 'BigUint64'}(${at}, true)`;
      }
    case 'enum':
      return s.size === 1 ? `v.getUint8(${at})` : s.size === 2 ? `v.getUint16(${at}, true)` : `v.getUint32(${at}, true)`;
    case 'handle':
      // Two halves, not Number(getBigUint64): the same correctly rounded value without a BigInt.
      return s.size === 8 ? `v.getUint32(${at}, true) + v.getUint32(${at} + 4, true) * 0x1_0000_0000` : `v.getUint32(${at}, true)`;
    case 'address':
      return s.size === 8 ? `v.getBigUint64(${at}, true)` : `BigInt(v.getUint32(${at}, true))`;
    case 'struct':
      return `read${s.struct}(d, v, ${at})`;
  }
}

/** A value argument (a u64 slot: `lo`, `hi`) as the device core takes it. */
function valueExpression(s: HostScalar, i: number): string {
  const lo = `d.lo(${i})`;
  const size = s.kind === 'struct' ? 8 : s.size;
  if (s.kind === 'int' && size === 8) return s.signed ? `BigInt.asIntN(64, d.u64(${i}))` : `d.u64(${i})`;
  if (size === 8) return `${lo} + d.hi(${i}) * 0x1_0000_0000`;
  const signed = s.kind === 'int' && s.signed;
  if (size === 1) return signed ? `(${lo} << 24) >> 24` : `${lo} & 0xff`;
  if (size === 2) return signed ? `(${lo} << 16) >> 16` : `${lo} & 0xffff`;
  return signed ? `${lo} | 0` : lo;
}

/** `base + offset`, or just `base` at offset 0. */
function plus(base: string, offset: number): string {
  return offset === 0 ? base : `${base} + ${offset}`;
}

class DecoderWriter {
  private readonly lines: string[] = [];
  private temp = 0;
  /** Structs that hold a pointer, directly or in an embedded struct (reading them consumes regions). */
  private readonly holdsPointers: boolean[];

  constructor(private readonly t: HostTables) {
    const memo = new Map<number, boolean>();
    const holds = (i: number): boolean => {
      let known = memo.get(i);
      if (known === undefined) {
        memo.set(i, false);
        known = t.structs[i].fields.some((f) => f.pointer !== undefined || (f.value?.kind === 'struct' && holds(f.value.struct)));
        memo.set(i, known);
      }
      return known;
    };
    this.holdsPointers = t.structs.map((_, i) => holds(i));
  }

  private fresh(stem: string): string {
    return `${stem}${this.temp++}`;
  }

  /**
   * Statements that set `target` to what pointer `p` stands for, its region at header offset
   * `r` (-1: NULL). As the table walk did: a region the application could not read gives null;
   * the pointee is read (and its own pointers' regions consumed) before the writability check.
   */
  private pointee(p: HostPointer, r: string, target: string, indent: string): string[] {
    const to = p.to;
    const data = `${r} + ${REGION_BYTES}`;
    const inner = indent + '  ';
    const length = `d.length(${r})`;
    const read: string[] = [];
    /** The pointee's value and, when the kernel may write it, how it is written back. */
    let value: string;
    let track: string | undefined;
    if (p.kept) {
      if (to.kind === 'struct' && this.holdsPointers[to.struct])
        read.push(`for (let e = 0, n = ${length}; e + ${p.elementSize} <= n; e += ${p.elementSize}) read${to.struct}(d, v, ${data} + e);`);
      // Written later by the device, in place: nothing to write back at the end of the call.
      value = `d.retain(${r}, ${to.kind === 'struct' ? Math.max(1, p.elementSize) : 1})`;
    } else if (to.kind === 'address' || (to.kind !== 'struct' && !p.count)) {
      value = this.fresh('box');
      read.push(`if (${length} < ${to.size}) d.beyondRegion();`, `const ${value} = { value: ${readExpression(to, data)} };`);
      track = `d.track${to.kind === 'address' ? 'Address' : 'Scalar'}(${r}, ${value}, ${to.size})`;
    } else if (to.kind === 'struct') {
      const size = this.t.structs[to.struct].size;
      if (p.count) {
        value = this.fresh('elements');
        read.push(`const ${value}: Obj[] = [];`, `for (let e = 0, n = ${length}; e + ${p.elementSize} <= n; e += ${p.elementSize}) ${value}.push(read${to.struct}(d, v, ${data} + e));`);
        track = `d.trackStructs(${r}, write${to.struct}, ${size}, ${value})`;
      } else {
        value = this.fresh('object');
        read.push(`if (${length} < ${size}) d.beyondRegion();`, `const ${value} = read${to.struct}(d, v, ${data});`);
        track = `d.trackStructs(${r}, write${to.struct}, ${size}, [${value}])`;
      }
    } else {
      value = this.fresh('array');
      // Its own memory at the application's address when the device needs that address; else shared.
      read.push(`const ${value} = d.${p.addressed ? 'placedArray' : 'array'}(${r}, ${to.kind === 'int' ? to.size : 4}, ${to.kind === 'int' && to.signed});`);
      track = `d.trackArray(${r}, ${value})`;
    }
    const out = [`${indent}if (${r} >= 0 && d.readable(${r})) {`, ...read.map((l) => inner + l)];
    if (!p.writable) out.push(`${inner}${target} = ${value};`);
    else {
      // Read first (its own pointers' regions come next either way), then: a pointer the kernel
      // writes through must be to memory the application can write, or it is NULL to the kernel.
      if (p.kept) out.push(`${inner}const kept = ${value};`);
      out.push(`${inner}if (d.writable(${r})) {`);
      if (track) out.push(`${inner}  ${track};`);
      out.push(`${inner}  ${target} = ${p.kept ? 'kept' : value};`, `${inner}}`);
    }
    out.push(`${indent}}`);
    return out;
  }

  /** `readN(d, v, o)`: struct N at view offset `o`, as an object; fields in table order (the walker's). */
  private structReader(index: number): void {
    const s = this.t.structs[index];
    const body: string[] = [];
    body.push(`/** ${s.name} (${s.size} bytes) */`);
    body.push(`function read${index}(d: Decoding, v: DataView, o: number): Obj {`);
    body.push('  const s: Obj = {};');
    const made = new Set<string>();
    let openedAt = -1;
    for (const f of s.fields) {
      const parts = f.path.split('.');
      // Containers of a dotted path (`v1` of `v1.tag`), one variable each, made on first use.
      const names = parts.slice(0, -1).map((_, i) => `n_${parts.slice(0, i + 1).join('_')}`);
      for (const name of names) {
        if (made.has(name)) continue;
        made.add(name);
        body.push(`  let ${name}: Obj | undefined;`);
      }
      const holder = names.length ? names[names.length - 1] : 's';
      const containers = (indent: string): string[] =>
        names.map((name, i) => `${indent}if (${name} === undefined) ${i === 0 ? 's' : names[i - 1]}.${parts[i]} = ${name} = {};`);
      const key = parts[parts.length - 1];
      const indent = f.guard ? '    ' : '  ';
      const lines: string[] = [];
      if (f.pointer) {
        const r = this.fresh('r');
        const value = this.fresh('value');
        lines.push(`${indent}const ${r} = d.fieldRegion(${plus('o', f.offset)});`);
        lines.push(`${indent}let ${value}: unknown = null;`);
        lines.push(...this.pointee(f.pointer, r, value, indent));
        lines.push(...containers(indent));
        lines.push(`${indent}${holder}.${key} = ${value};`);
      } else {
        lines.push(...containers(indent));
        lines.push(`${indent}${holder}.${key} = ${readExpression(f.value!, plus('o', f.offset))};`);
      }
      if (f.guard) {
        const g = f.guard;
        const test = `  if (d.unsigned(${plus('o', g.offset)}, ${g.size}) === ${g.value}) {`;
        // Members under one guard (a version's union arm) share one test.
        if (body[body.length - 1] === '  }' && body[openedAt] === test) body.splice(body.length - 1, 0, ...lines);
        else {
          openedAt = body.length;
          body.push(test, ...lines, '  }');
        }
      } else {
        openedAt = -1;
        body.push(...lines);
      }
    }
    body.push('  return s;', '}', '');
    this.lines.push(...body);
  }

  /** `writeN(v, o, s)`: the scalar members of struct N from `s` into the view at `o` (pointers are never rewritten). */
  private structWriter(index: number): void {
    const s = this.t.structs[index];
    const body: string[] = [`function write${index}(v: DataView, o: number, s: Obj): void {`];
    let n = 0;
    for (const f of s.fields) {
      if (f.pointer || !f.value) continue;
      const value = `x${n++}`;
      // `s.a.b` as the table walk's getPath read it: undefined anywhere along the way is no value.
      const access = f.path.split('.').reduce((expr, part, i) => (i === 0 ? `s.${part}` : `(${expr} as Obj | undefined)?.${part}`), '');
      body.push(`  const ${value} = ${access};`);
      if (f.value.kind === 'struct') body.push(`  if (${value} !== undefined) write${f.value.struct}(v, ${plus('o', f.offset)}, ${value} as Obj);`);
      else body.push(`  if (${value} !== undefined) putScalar(v, ${plus('o', f.offset)}, ${f.value.size}, ${value});`);
    }
    if (n === 0) body.push('  void v, o, s;');
    body.push('}', '');
    this.lines.push(...body);
  }

  source(banner: string): string {
    const t = this.t;
    this.lines.push(
      banner.trimEnd(),
      '',
      '/*',
      ' * One decoder per system call (generator/src/emit/host/decoders.ts): reads a request as the',
      ' * C walker wrote it, from the same lowering as tables.ts, with every offset and kind written',
      ' * in. `Decoding` (host/marshal.ts) is the runtime half: regions, write-backs, kept memory.',
      ' */',
      "import { putScalar, type Decoding } from '../marshal.js';",
      '',
      'type Obj = Record<string, unknown>;',
      '',
    );
    t.structs.forEach((_, i) => this.structReader(i));
    t.structs.forEach((_, i) => this.structWriter(i));
    const names: string[] = [];
    for (const f of t.functions) {
      const name = `decode_${f.name}`;
      names.push(name);
      const body: string[] = [`/** ${f.name}(${f.params.map((p) => p.name).join(', ')}) */`, `function ${name}(d: Decoding): unknown[] {`];
      if (f.params.some((p) => p.pointer)) body.push('  const v = d.view;');
      const args: string[] = [];
      f.params.forEach((p, i) => {
        const arg = `a${i}`;
        args.push(arg);
        if (p.pointer) {
          body.push(`  const r${i} = d.argRegion(${i});`, `  let ${arg}: unknown = null;`);
          body.push(...this.pointee(p.pointer, `r${i}`, arg, '  '));
        } else body.push(`  const ${arg} = ${valueExpression(p.value!, i)};`);
      });
      body.push(`  return [${args.join(', ')}];`, '}', '');
      this.lines.push(...body);
    }
    this.lines.push(
      '/** By function id (the index in HOST_TABLES.functions). */',
      'export const DECODERS: readonly ((d: Decoding) => unknown[])[] = [',
      ...names.map((n) => `  ${n},`),
      '];',
      '',
    );
    return this.lines.join('\n');
  }
}

/** The TypeScript source of decoders.ts for `tables`, under `banner`. */
export function decodersTypeScript(tables: HostTables, banner: string): string {
  return new DecoderWriter(tables).source(banner);
}
