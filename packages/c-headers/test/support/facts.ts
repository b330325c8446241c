/**
 * The oracle: facts measured from the vendor's mv_syscalls.h (test/fixtures/vendor/microvisor-abi.json).
 * Everything the tests expect of the generated header comes from here, never from the model
 * the generator used, and the C programs below are written from these facts alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './toolchain.js';

interface Place {
  offset: number;
  size: number;
}
export interface FactField {
  name: string | null;
  c_type?: string;
  kind?: 'union' | 'struct';
  members?: FactField[];
  arm32?: Place;
  x86_64?: Place;
}
export interface FactStruct {
  fields: FactField[];
  arm32: { size: number; align: number };
  x86_64: { size: number; align: number };
  mqtt_surface: boolean;
}
export interface FactEnum {
  constants: Record<string, number>;
  size_bytes_arm_none_eabi: number;
  size_bytes_int_enums: number;
  mqtt_surface: boolean;
}
export interface FactFunction {
  return_type: string;
  params: { name: string; c_type: string }[];
  nsc_address: string;
  mqtt_surface: boolean;
}
export interface Facts {
  header: { include_guard: string };
  enums: Record<string, FactEnum>;
  structs: Record<string, FactStruct>;
  typedefs: Record<string, { underlying: string; opaque_struct_tag: string; size_bytes_arm32: number; size_bytes_x86_64: number; mqtt_surface: boolean }>;
  functions: Record<string, FactFunction>;
  functions_other: Record<string, FactFunction>;
}

export const FACTS: Facts = JSON.parse(readFileSync(join(REPO, 'test/fixtures/vendor/microvisor-abi.json'), 'utf8'));

const entries = <T extends { mqtt_surface: boolean }>(r: Record<string, T>) => Object.entries(r).filter(([, v]) => v.mqtt_surface);
export const mqttEnums = () => entries(FACTS.enums);
export const mqttStructs = () => entries(FACTS.structs);
export const mqttTypedefs = () => entries(FACTS.typedefs);
export const mqttFunctions = () => entries(FACTS.functions);

/** Every leaf member of a struct with its C path (`v1.notification_tag`) and type; named inner structs too. */
export function memberPaths(fields: FactField[], prefix = ''): { path: string; field: FactField }[] {
  const out: { path: string; field: FactField }[] = [];
  for (const f of fields) {
    if (f.kind === 'union' && !f.name) out.push(...memberPaths(f.members ?? [], prefix));
    else if (f.kind === 'struct') {
      out.push({ path: `${prefix}${f.name}`, field: f });
      out.push(...memberPaths(f.members ?? [], `${prefix}${f.name}.`));
    } else out.push({ path: `${prefix}${f.name}`, field: f });
  }
  return out;
}

const decl = (cType: string, name: string) => (cType.endsWith('*') ? `${cType}${name}` : `${cType} ${name}`);
const hex = (n: number) => `0x${n.toString(16)}`;

function structBody(fields: FactField[], indent: string): string {
  return fields
    .map((f) => {
      if (f.kind === 'union') return `${indent}union {\n${structBody(f.members ?? [], `${indent}    `)}${indent}};\n`;
      if (f.kind === 'struct') return `${indent}struct {\n${structBody(f.members ?? [], `${indent}    `)}${indent}} ${f.name};\n`;
      return `${indent}${decl(f.c_type!, f.name!)};\n`;
    })
    .join('');
}

/**
 * A stand-in for the vendor's mv_syscalls.h, written from the facts alone: the same guard,
 * every typedef, enum (with its sentinel), struct and prototype. Like the real header it is
 * not pedantic-clean, so it marks itself a system header, as an SDK include path would.
 */
export function vendorStandIn(): string {
  const g = FACTS.header.include_guard;
  const out = [`#ifndef ${g}`, `#define ${g}`, '#pragma GCC system_header', '#include <stdint.h>', '#ifdef __cplusplus', 'extern "C" {', '#endif'];
  for (const [name, t] of Object.entries(FACTS.typedefs)) out.push(`typedef struct ${t.opaque_struct_tag} *${name};`);
  for (const [name, e] of Object.entries(FACTS.enums))
    out.push(`enum ${name} {\n${Object.entries(e.constants).map(([c, v]) => `    ${c} = ${hex(v)},`).join('\n')}\n};`);
  for (const [name, s] of Object.entries(FACTS.structs)) out.push(`struct ${name} {\n${structBody(s.fields, '    ')}};`);
  for (const [name, f] of [...Object.entries(FACTS.functions), ...Object.entries(FACTS.functions_other)])
    out.push(`${f.return_type} ${name}(${f.params.length ? f.params.map((p) => decl(p.c_type, p.name)).join(', ') : 'void'});`);
  out.push('#ifdef __cplusplus', '}', '#endif', `#endif /* ${g} */`, '');
  return out.join('\n');
}

/**
 * Code written against the vendor header: every MQTT-surface function through a pointer of
 * the vendor's exact signature, every member through a pointer of its exact type, every
 * constant by name. A wrong parameter type, missing const or renamed member fails to
 * compile (C++ rejects the mismatches C only warns about, and -Werror makes C fail too).
 */
export function vendorUsage(): string {
  const out: string[] = [];
  for (const [name, f] of mqttFunctions()) {
    const params = f.params.length ? f.params.map((p) => p.c_type).join(', ') : 'void';
    out.push(`${f.return_type} (*use_${name})(${params}) = ${name};`);
  }
  for (const [name, s] of mqttStructs()) {
    const body = memberPaths(s.fields)
      .filter((m) => m.field.c_type)
      .map((m, i) => `    ${decl(m.field.c_type!, `*m${i}`)} = &x->${m.path};\n    (void)m${i};`);
    out.push(`void use_${name}(struct ${name} *x);\nvoid use_${name}(struct ${name} *x) {\n${body.join('\n')}\n}`);
  }
  for (const [name, e] of mqttEnums()) {
    const uses = Object.keys(e.constants).map((c) => `    v = ${c}; (void)v;`);
    out.push(`void use_${name}(void);\nvoid use_${name}(void) {\n    enum ${name} v;\n${uses.join('\n')}\n}`);
  }
  for (const [name] of mqttTypedefs()) out.push(`void use_${name}(${name} h);\nvoid use_${name}(${name} h) { (void)h; }`);
  return `${out.join('\n')}\n`;
}

/** C11 static assertions of the facts' arm32 column: sizes, alignments, offsets, enum sizes and values. */
export function deviceAssertions(): string {
  const out = ['#include <stddef.h>'];
  const check = (expr: string, what: string) => out.push(`_Static_assert(${expr}, "${what}");`);
  for (const [name, s] of mqttStructs()) {
    check(`sizeof(struct ${name}) == ${s.arm32.size}`, `${name} size`);
    check(`_Alignof(struct ${name}) == ${s.arm32.align}`, `${name} align`);
    for (const { path, field } of memberPaths(s.fields)) {
      check(`offsetof(struct ${name}, ${path}) == ${field.arm32!.offset}`, `${name}.${path} offset`);
      check(`sizeof(((struct ${name} *)0)->${path}) == ${field.arm32!.size}`, `${name}.${path} size`);
    }
  }
  for (const [name, e] of mqttEnums()) {
    check(`sizeof(enum ${name}) == ${e.size_bytes_arm_none_eabi}`, `enum ${name} size`);
    for (const [c, v] of Object.entries(e.constants)) check(`(uint32_t)${c} == ${hex(v)}u`, `${c} value`);
  }
  for (const [name, t] of mqttTypedefs()) check(`sizeof(${name}) == ${t.size_bytes_arm32}`, `${name} size`);
  return `${out.join('\n')}\n`;
}

/** A host program printing `name value` for every size, offset and constant the facts list for x86_64. */
export function hostPrinter(): string {
  const lines: string[] = [];
  const p = (label: string, expr: string) => lines.push(`    printf("%s %lu\\n", "${label}", (unsigned long)(${expr}));`);
  for (const [name, s] of mqttStructs()) {
    p(`${name}.size`, `sizeof(struct ${name})`);
    p(`${name}.align`, `_Alignof(struct ${name})`);
    for (const { path } of memberPaths(s.fields)) {
      p(`${name}.${path}.offset`, `offsetof(struct ${name}, ${path})`);
      p(`${name}.${path}.size`, `sizeof(((struct ${name} *)0)->${path})`);
    }
  }
  for (const [name, e] of mqttEnums()) {
    p(`enum ${name}.size`, `sizeof(enum ${name})`);
    for (const c of Object.keys(e.constants)) p(c, `(uint32_t)${c}`);
  }
  for (const [name] of mqttTypedefs()) p(`${name}.size`, `sizeof(${name})`);
  return `#include <stddef.h>\n#include <stdio.h>\n#include <mvmqtt/mvmqtt.h>\nint main(void) {\n${lines.join('\n')}\n    return 0;\n}\n`;
}

/** What hostPrinter must print, from the facts' x86_64 column. */
export function hostExpected(): Map<string, number> {
  const m = new Map<string, number>();
  for (const [name, s] of mqttStructs()) {
    m.set(`${name}.size`, s.x86_64.size);
    m.set(`${name}.align`, s.x86_64.align);
    for (const { path, field } of memberPaths(s.fields)) {
      m.set(`${name}.${path}.offset`, field.x86_64!.offset);
      m.set(`${name}.${path}.size`, field.x86_64!.size);
    }
  }
  for (const [name, e] of mqttEnums()) {
    m.set(`enum ${name}.size`, e.size_bytes_int_enums);
    for (const [c, v] of Object.entries(e.constants)) m.set(c, v);
  }
  for (const [name, t] of mqttTypedefs()) m.set(`${name}.size`, t.size_bytes_x86_64);
  return m;
}
