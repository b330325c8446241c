/**
 * A small C example per function for the reference: it declares the call's arguments and
 * handles every status the function documents. (Declarations come from the shared C printer.)
 * Examples hold names only, never prose, so nothing from a doc string can end a comment.
 */
import type { Model } from '../../model/model.js';
import type { CType, FieldModel, FunctionModel, StructModel } from '../../model/types.js';
import { declarator } from '../core/c-declarations.js';
import { applicationInclude } from '../core/c-package.js';

const INDENT = '    ';

/** The type a pointer points to, without const (storage the example owns): `uint8_t **` → `uint8_t *`. */
function pointee(type: CType): string {
  const b = type.base;
  const name = b.kind === 'struct' ? `struct ${b.name}` : b.kind === 'enum' ? `enum ${b.name}` : b.name;
  return type.pointer > 1 ? `${name} ${'*'.repeat(type.pointer - 1)}` : name;
}

/** Example buffer sizes: arbitrary, chosen for the example only. */
const EXAMPLE_BYTES = 256;
const EXAMPLE_ELEMENTS = 4;

class Locals {
  readonly decls: string[] = [];
  readonly setup: string[] = [];
  private readonly used: Set<string>;

  constructor(reserved: string[]) {
    this.used = new Set(reserved);
  }

  name(wanted: string): string {
    let n = wanted;
    for (let i = 2; this.used.has(n); i++) n = `${wanted}_${i}`;
    this.used.add(n);
    return n;
  }
}

/**
 * Points every output pointer of a struct the kernel writes through at storage of its own,
 * recursing into members held by value (`topic.data`, `topic.length`, ...).
 */
function wireOutputs(model: Model, s: StructModel, lvalue: string, prefix: string, locals: Locals): void {
  // A versioned struct's union: wire the member of the version the example sets (the newest).
  const newest = s.versioned ? `v${Math.max(...s.versioned.versions)}` : undefined;
  // Sibling fields stay together: a count is found beside the pointer it sizes.
  const groups: { at: string; fields: FieldModel[] }[] = [
    { at: lvalue, fields: s.members.filter((m): m is FieldModel => m.kind === 'field') },
    ...s.members.flatMap((m) => (m.kind === 'union' ? m.members.filter((u) => !newest || u.name === newest).map((u) => ({ at: `${lvalue}.${u.name}`, fields: u.fields })) : [])),
  ];
  for (const { at, fields } of groups) wireFields(model, fields, at, prefix, locals);
}

function wireFields(model: Model, fields: FieldModel[], lvalue: string, prefix: string, locals: Locals): void {
  for (const f of fields) {
    const path = `${lvalue}.${f.name}`;
    const varBase = prefix ? `${prefix}_${f.name}` : f.name;
    if (f.type.pointer === 0 && f.type.base.kind === 'struct') {
      wireOutputs(model, model.struct(f.type.base.name), path, varBase, locals);
      continue;
    }
    if (f.direction !== 'out' || f.type.pointer !== 1) continue;
    const v = locals.name(varBase);
    if (f.countedBy) {
      const count = fields.find((c) => c.name === f.countedBy)!;
      const bytes = count.countUnit === 'bytes';
      const n = f.type.base.kind === 'int' && f.type.base.bits === 8 ? EXAMPLE_BYTES : EXAMPLE_ELEMENTS;
      locals.decls.push(`${pointee(f.type)} ${v}[${n}];`);
      locals.setup.push(`${path} = ${v};`);
      locals.setup.push(`${lvalue}.${count.name} = ${bytes ? `sizeof ${v}` : `sizeof ${v} / sizeof ${v}[0]`};`);
    } else {
      locals.decls.push(`${pointee(f.type)} ${v};`);
      locals.setup.push(`${path} = &${v};`);
    }
  }
}

/** The one length a `range` limit with min == max allows for a parameter (e.g. a fixed-size id). */
function exactLength(model: Model, paramPath: string): number | undefined {
  const exact = model.limitsOn(paramPath).find((l) => l.kind === 'range' && l.min === l.max);
  return exact?.min;
}

function statusVariable(fn: FunctionModel): string {
  const taken = new Set(fn.params.map((p) => p.name));
  return ['status', 'result', 'rc'].find((n) => !taken.has(n))!;
}

/** A compilable C function that calls `fn` and switches over every status its error table lists. */
export function cExample(fn: FunctionModel, model: Model): string {
  const args: string[] = [];
  const callArgs: string[] = [];
  const status = statusVariable(fn);
  const locals = new Locals([...fn.params.map((p) => p.name), status]);
  const structLocals: string[] = [];

  // A buffer parameter gets an array of its own; its by-value length parameter is then `sizeof` it.
  const lengthOf = new Map<string, string>();
  for (const p of fn.params) {
    if (!p.countedBy || p.type.pointer !== 1) continue;
    const counter = fn.params.find((q) => q.name === p.countedBy!.param)!;
    if (counter.direction !== 'value') continue;
    const n = exactLength(model, `${fn.name}.${counter.name}`) ?? (p.type.base.kind === 'int' && p.type.base.bits === 8 ? EXAMPLE_BYTES : EXAMPLE_ELEMENTS);
    const size = p.countedBy.unit === 'bytes' ? `sizeof ${p.name}` : `sizeof ${p.name} / sizeof ${p.name}[0]`;
    lengthOf.set(counter.name, `(${counter.type.text})(${size})`);
  }

  for (const p of fn.params) {
    if (p.countedBy && p.type.pointer === 1 && fn.params.some((q) => lengthOf.has(q.name) && q.name === p.countedBy!.param)) {
      const n = exactLength(model, `${fn.name}.${p.countedBy.param}`) ?? (p.type.base.kind === 'int' && p.type.base.bits === 8 ? EXAMPLE_BYTES : EXAMPLE_ELEMENTS);
      locals.decls.push(`${pointee(p.type)} ${p.name}[${n}];`);
      // Zeroed, so the bytes passed in are defined (and an output can be printed as text).
      locals.setup.push(`memset(${p.name}, 0, sizeof ${p.name});`);
      structLocals.push(p.name);
      callArgs.push(p.name);
      continue;
    }
    if (lengthOf.has(p.name)) {
      callArgs.push(lengthOf.get(p.name)!);
      continue;
    }
    if (p.direction === 'value' || p.direction === 'inout') {
      // Handles and values come from earlier calls; an inout handle is passed through as the caller's pointer.
      args.push(declarator(p.type, p.name));
      callArgs.push(p.name);
      continue;
    }
    callArgs.push(`&${p.name}`);
    const local = pointee(p.type);
    locals.decls.push(`${local}${local.endsWith('*') ? '' : ' '}${p.name};`);
    if (p.type.base.kind !== 'struct') continue;
    const s = model.struct(p.type.base.name);
    structLocals.push(p.name);
    locals.setup.push(`memset(&${p.name}, 0, sizeof ${p.name});`);
    if (s.versioned) locals.setup.push(`${p.name}.${s.versioned.field} = ${Math.max(...s.versioned.versions)};`);
    if (p.direction === 'in' && s.kernelWrites) wireOutputs(model, s, p.name, '', locals);
  }

  const fill = fn.params.filter((p) => p.direction === 'in' && p.type.base.kind === 'struct' && !model.struct(p.type.base.name).kernelWrites);
  const body: string[] = [...locals.decls, `${declarator(fn.returns, status)};`, ''];
  if (locals.setup.length) body.push(...locals.setup);
  for (const p of fill) body.push(`/* Set the members of ${p.name} here (struct ${p.type.base.name}). */`);
  if (locals.setup.length || fill.length) body.push('');

  body.push(`${status} = ${fn.name}(${callArgs.join(', ')});`, `switch (${status}) {`);
  body.push(`case ${model.data.successStatus}:`, ...successBody(fn, model).map((l) => INDENT + l), `${INDENT}break;`);
  const notIssued = fn.errors.filter((e) => !e.issued);
  const issued = fn.errors.filter((e) => e.issued);
  if (notIssued.length) {
    for (const e of notIssued) body.push(`case ${e.status}:`);
    body.push(`${INDENT}/* Nothing was done: correct the cause and call again. */`, `${INDENT}break;`);
  }
  if (issued.length) {
    for (const e of issued) body.push(`case ${e.status}:`);
    body.push(`${INDENT}/* Reported after the call had taken effect: do not repeat it. */`, `${INDENT}break;`);
  }
  body.push('default:', `${INDENT}break;`, '}');
  body.push(`return ${status};`);

  const ret = fn.returns.text;
  const signature = `${ret} example_${fn.name}(${args.length ? args.join(', ') : 'void'})`;
  const includes = ['#include <stdint.h>'];
  if (structLocals.length) includes.push('#include <string.h>');
  includes.push(applicationInclude(model));
  return [...includes, '', signature, '{', ...body.map((l) => (l ? INDENT + l : l)), '}'].join('\n');
}

/** What to do on success; a call that reports the next readable item dispatches on it to each reader. */
function successBody(fn: FunctionModel, model: Model): string[] {
  const typeParam = fn.peeks && fn.params.find((p) => p.direction === 'out' && p.type.base.kind === 'enum' && p.type.base.name === fn.peeks);
  if (!fn.peeks || !typeParam) return [`/* ${successComment(fn, model)} */`];
  const lines = [`switch (${typeParam.name}) {`];
  for (const c of model.enum(fn.peeks).constants) {
    const reader = model.consumerOf(c.name);
    lines.push(`case ${c.name}:`, `${INDENT}/* ${reader ? `Read it with ${reader.name}.` : 'Nothing to read.'} */`, `${INDENT}break;`);
  }
  lines.push('default:', `${INDENT}break;`, '}');
  return lines;
}

function successComment(fn: FunctionModel, model: Model): string {
  if (fn.produces.length) {
    const events = fn.notifications.map((n) => n.event);
    const readers = fn.produces.map((c) => model.consumerOf(c)?.name).filter((n): n is string => !!n);
    const wait = events.length ? `wait for ${events.join(' or ')}` : 'wait for the response';
    return readers.length ? `Issued: ${wait}, then read the result with ${readers.join(' or ')}.` : `Issued: ${wait}.`;
  }
  const outs = fn.params.filter((p) => p.direction === 'out' || p.direction === 'inout').map((p) => p.name);
  if (fn.consumes) return `The item has been consumed and its data written.`;
  return outs.length ? `Done: ${outs.join(' and ')} now hold${outs.length === 1 ? 's' : ''} the result.` : 'Done.';
}
