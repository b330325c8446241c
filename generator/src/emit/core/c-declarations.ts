/**
 * The one C declaration printer. Both the C header and the reference docs print typedefs,
 * enums, structs and prototypes through it, so the two can never spell a declaration
 * differently. The header adds comments through `CommentHooks`; the docs print bare
 * declarations. Comment text given to the hooks must already be escaped for C
 * (see c-comment.ts).
 */
import type { CType, EnumConstant, EnumModel, FieldModel, FunctionModel, MemberModel, StructModel, TypedefModel, UnionMemberModel, UnionModel } from '../../model/types.js';

const INDENT = '    ';

/** Largest value ISO C (before C23) allows for an enumerator: beyond it, pedantic mode warns. */
const INT_MAX = 0x7fffffff;

export const hex = (n: number): string => `0x${n.toString(16)}`;

/** An address as the vendor writes it: eight hex digits. */
export const address = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/** `uint8_t *` + `data` → `uint8_t *data`; `uint32_t` + `size` → `uint32_t size`. */
export function declarator(type: CType, name: string): string {
  return type.text.endsWith('*') ? `${type.text}${name}` : `${type.text} ${name}`;
}

/** Comments a declaration may carry: finished comment blocks (possibly several lines), or '' for none. */
export interface CommentHooks {
  field?(path: string, field: FieldModel): string;
  union?(union: UnionModel): string;
  unionMember?(member: UnionMemberModel): string;
  /** A constant's comment: a one-line trailing `/**< ... *\/` or a block before it. */
  constant?(constant: EnumConstant | EnumModel['sentinel'], sentinel: boolean): { after?: string; before?: string };
}

export interface COptions {
  comments?: CommentHooks;
  /**
   * Mark GNU/C11 constructs with `__extension__` (anonymous unions, enumerators beyond INT_MAX)
   * so the header compiles warning-free under `-pedantic`. The docs show plain declarations.
   */
  extensions?: boolean;
  /** Enumerator values in hex (the header), or decimal except for bitmasks and the sentinel (the docs). */
  hexValues?: boolean;
}

function indentBlock(text: string, ind: string): string[] {
  return text ? text.split('\n').map((l) => ind + l) : [];
}

export function cTypedef(t: TypedefModel): string {
  return `typedef struct ${t.opaqueStruct} *${t.name};`;
}

export function cEnum(e: EnumModel, opts: COptions = {}): string {
  const value = (v: number) => (opts.hexValues || e.bitmask ? hex(v) : String(v));
  const rows = [
    ...e.constants.map((c) => ({ c, sentinel: false, text: value(c.value) })),
    { c: e.sentinel, sentinel: true, text: hex(e.sentinel.value) },
  ];
  const extension = opts.extensions && rows.some((r) => r.c.value > INT_MAX);
  const lines = [`${extension ? '__extension__ ' : ''}enum ${e.name} {`];
  rows.forEach((r, i) => {
    const doc = opts.comments?.constant?.(r.c, r.sentinel) ?? {};
    lines.push(...indentBlock(doc.before ?? '', INDENT));
    const comma = i < rows.length - 1 ? ',' : '';
    lines.push(`${INDENT}${r.c.name} = ${r.text}${comma}${doc.after ? ` ${doc.after}` : ''}`);
  });
  lines.push('};');
  return lines.join('\n');
}

function memberLines(members: MemberModel[], depth: number, opts: COptions, prefix: string): string[] {
  const ind = INDENT.repeat(depth);
  const hooks = opts.comments;
  const out: string[] = [];
  for (const m of members) {
    if (m.kind === 'field') {
      out.push(...indentBlock(hooks?.field?.(`${prefix}${m.name}`, m) ?? '', ind));
      out.push(`${ind}${declarator(m.type, m.name)};`);
      continue;
    }
    out.push(...indentBlock(hooks?.union?.(m) ?? '', ind));
    out.push(`${ind}${opts.extensions ? '__extension__ ' : ''}union {`);
    for (const inner of m.members) {
      out.push(...indentBlock(hooks?.unionMember?.(inner) ?? '', ind + INDENT));
      out.push(`${ind}${INDENT}struct {`);
      out.push(...memberLines(inner.fields, depth + 2, opts, `${inner.name}.`));
      out.push(`${ind}${INDENT}} ${inner.name};`);
    }
    out.push(`${ind}};`);
  }
  return out;
}

export function cStruct(s: StructModel, opts: COptions = {}): string {
  return [`struct ${s.name} {`, ...memberLines(s.members, 1, opts, ''), '};'].join('\n');
}

export interface PrototypeOptions {
  /** Start with `extern`, as the header declares it. */
  extern?: boolean;
  /** Past this width the parameters go one per line (aligned after the parenthesis when that fits). */
  maxWidth?: number;
}

/** The function's prototype, as the vendor header declares it. */
export function cPrototype(fn: FunctionModel, opts: PrototypeOptions = {}): string {
  const maxWidth = opts.maxWidth ?? Infinity;
  const params = fn.params.map((p) => declarator(p.type, p.name));
  const head = `${opts.extern ? 'extern ' : ''}${declarator(fn.returns, fn.name)}(`;
  const oneLine = `${head}${params.length ? params.join(', ') : 'void'});`;
  if (oneLine.length <= maxWidth || params.length < 2) return oneLine;
  const aligned = `${head}${params.join(`,\n${' '.repeat(head.length)}`)});`;
  if (aligned.split('\n').every((l) => l.length <= maxWidth)) return aligned;
  return `${head}\n${params.map((p) => `${INDENT}${p}`).join(',\n')});`;
}
