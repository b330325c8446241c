/**
 * `host` target: what a host build of unmodified firmware needs to reach the emulated device.
 *   <outputs.c>/host/generated/mvhost_functions.c  every `mv*` function as a stub that
 *       hands its arguments to the host runtime, plus the pointer tables the runtime's walker
 *       follows to copy what the kernel reads and to check what it writes
 *   <outputs.c>/host/generated/<name>Host.cmake     <name>_add_host_firmware()
 *   <outputs.host>/tables.ts                        the same tables for the device side
 *   <outputs.host>/decoders.ts                      per function, the device side's reading of
 *       a request, as code (decoders.ts)
 *   <outputs.c>/host/generated/mvhost_protocol.h    the bridge protocol (protocol.ts) for the
 *   <outputs.host>/mvhost_protocol.h                firmware runtime and the device core's addon
 *   <outputs.host>/protocol.ts                      the same for the TypeScript bridge
 * One lowering (lower.ts) feeds all of them, so both ends walk pointers in the same order.
 */
import { readFileSync } from 'node:fs';
import type { Emitter, EmitContext, OutputFile } from '../emitter.js';
import type { Model } from '../../model/model.js';
import { blockCommentBanner, lineCommentBanner } from '../banner.js';
import { lowerForHost, type HostPointer, type HostScalar, type HostTables } from './lower.js';
import { protocolHeader, protocolTypeScript } from './protocol.js';
import { decodersTypeScript } from './decoders.js';

/** Beside the C headers package's own files: `<product.outputs.c>/host/generated`. */
const cDir = (model: Model) => `${model.product.outputs.c}/host/generated`;
const TEMPLATE_DIR = new URL('../../../templates/host/', import.meta.url);

/** Kind numbers shared by the C runtime (mvhost_runtime.h) and the TypeScript decoder. */
const KIND = { int: 1, enum: 2, handle: 3, struct: 4, address: 5 } as const;

function kindOf(s: HostScalar): number {
  return KIND[s.kind];
}

function cPointer(p: HostPointer): string {
  const struct = p.to.kind === 'struct' ? p.to.struct : -1;
  // A parameter's count is another argument: count_size 0 here, the argument index in the param row.
  const count = p.count && p.count.arg === undefined ? `${p.count.offset}u, ${p.count.size}u, ${p.count.unit === 'bytes' ? 1 : 0}` : `0u, 0u, ${p.count?.unit === 'bytes' ? 1 : 0}`;
  return `{ ${kindOf(p.to)}, ${p.writable ? 1 : 0}, ${struct}, ${p.elementSize}u, ${count} }`;
}

/** `const struct X *` + `name` → `const struct X *name`. */
function cDeclarator(typeText: string, name: string): string {
  return typeText.endsWith('*') ? `${typeText}${name}` : `${typeText} ${name}`;
}

function cSource(model: Model, t: HostTables, ctx: EmitContext): string {
  const out: string[] = [blockCommentBanner(ctx)];
  out.push(
    '/* The system calls of a host build: each stub hands its arguments to the host runtime, which',
    ' * copies what the kernel would read (following the pointers these tables describe), asks the',
    ' * emulated device core, and writes the results back into application memory. */',
    '#include <stdint.h>',
    '#include "mv_syscalls.h"',
    '#include "mvhost_runtime.h"',
    '',
  );
  // Struct members the walker must visit: pointers, and embedded structs that may hold pointers.
  const fieldRows: string[] = [];
  const structRows: string[] = [];
  t.structs.forEach((s) => {
    const first = fieldRows.length;
    for (const f of s.fields) {
      const guard = f.guard ? `${f.guard.offset}u, ${f.guard.size}u, ${f.guard.value}u` : '0u, 0u, 0u';
      if (f.pointer) fieldRows.push(`  { ${f.offset}u, 1, ${cPointer(f.pointer)}, ${guard} }, /* ${s.name}.${f.path} */`);
      else if (f.value?.kind === 'struct')
        fieldRows.push(`  { ${f.offset}u, 0, { ${KIND.struct}, 0, ${f.value.struct}, 0u, 0u, 0u, 0 }, ${guard} }, /* ${s.name}.${f.path} */`);
    }
    structRows.push(`  { ${s.size}u, ${first}u, ${fieldRows.length - first}u }, /* ${s.name} */`);
  });
  out.push('static const struct mvhost_field mvhost_fields[] = {', ...(fieldRows.length ? fieldRows : ['  { 0u, 0, { 0, 0, -1, 0u, 0u, 0u, 0 }, 0u, 0u, 0u },']), '};', '');
  out.push('const struct mvhost_struct mvhost_structs[] = {', ...structRows, '};', '');
  out.push(`const struct mvhost_field *const mvhost_struct_fields = mvhost_fields;`, '');
  const fnRows: string[] = [];
  for (const f of t.functions) {
    if (f.params.length) {
      out.push(`static const struct mvhost_param mvhost_params_${f.name}[] = {`);
      for (const p of f.params)
        out.push(
          p.pointer
            ? `  { 1, ${cPointer(p.pointer)}, ${p.pointer.count?.arg ?? -1} }, /* ${p.name} */`
            : `  { 0, { ${kindOf(p.value!)}, 0, -1, 0u, 0u, 0u, 0 }, -1 }, /* ${p.name} */`,
        );
      out.push('};');
    }
    fnRows.push(`  { "${f.name}", ${f.params.length}u, ${f.params.length ? `mvhost_params_${f.name}` : '0'} },`);
  }
  out.push('', `const struct mvhost_function mvhost_functions[${t.functions.length}] = {`, ...fnRows, '};');
  out.push(`const uint32_t mvhost_function_count = ${t.functions.length}u;`, '');
  for (const f of t.functions) {
    const fm = model.fn(f.name);
    const params = fm.params.map((p) => cDeclarator(p.type.text, p.name)).join(', ') || 'void';
    out.push(`${fm.returns.text} ${f.name}(${params}) {`);
    const args = fm.params.map((p) => {
      if (p.type.pointer > 0 || p.type.base.kind === 'handle') return `(uint64_t)(uintptr_t)${p.name}`;
      if (p.type.base.kind === 'int' && p.type.base.signed) return `(uint64_t)(int64_t)${p.name}`;
      return `(uint64_t)${p.name}`;
    });
    if (args.length) out.push(`  const uint64_t args[${args.length}] = { ${args.join(', ')} };`);
    out.push(`  return (${fm.returns.text})mvhost_call(${f.id}u, ${args.length ? 'args' : '0'});`, '}', '');
  }
  return out.join('\n');
}

function tsSource(t: HostTables, ctx: EmitContext): string {
  const types = readFileSync(new URL('tables-types.ts.txt', TEMPLATE_DIR), 'utf8');
  return [
    lineCommentBanner(ctx),
    types.trimEnd(),
    '',
    `export const HOST_KIND = ${JSON.stringify(KIND)} as const;`,
    '',
    `export const HOST_TABLES: HostTables = ${JSON.stringify(t, null, 2)};`,
    '',
  ].join('\n');
}

/** The CMake function file: `@name@` and `@PREFIX@` in the template become the product's name and macro prefix. */
function cmakeSource(model: Model, ctx: EmitContext): string {
  const text = readFileSync(new URL('Host.cmake.in', TEMPLATE_DIR), 'utf8').replace(/@name@/g, model.product.name).replace(/@PREFIX@/g, model.product.macroPrefix);
  return lineCommentBanner(ctx, '#') + text;
}

export const hostEmitter: Emitter = {
  target: 'host',
  description: 'host build of firmware: system-call stubs and pointer tables (C and device side), CMake function',
  ownedDirs: (model) => [cDir(model), model.product.outputs.host],
  emit(model, ctx): OutputFile[] {
    const tables = lowerForHost(model);
    const header = blockCommentBanner(ctx) + protocolHeader(readFileSync(new URL('mvhost_protocol.h.in', TEMPLATE_DIR), 'utf8'));
    return [
      { path: `${cDir(model)}/mvhost_functions.c`, contents: cSource(model, tables, ctx) },
      { path: `${cDir(model)}/${model.product.name}Host.cmake`, contents: cmakeSource(model, ctx) },
      { path: `${model.product.outputs.host}/tables.ts`, contents: tsSource(tables, ctx) },
      { path: `${model.product.outputs.host}/decoders.ts`, contents: decodersTypeScript(tables, lineCommentBanner(ctx)) },
      // One header, in each package that compiles against it (each is installed on its own).
      { path: `${cDir(model)}/mvhost_protocol.h`, contents: header },
      { path: `${model.product.outputs.host}/mvhost_protocol.h`, contents: header },
      { path: `${model.product.outputs.host}/protocol.ts`, contents: lineCommentBanner(ctx) + protocolTypeScript() },
    ];
  },
};
