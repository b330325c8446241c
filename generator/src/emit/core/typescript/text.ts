/**
 * Declarations whose bodies span several lines (enum objects, data tables, status unions, struct
 * interfaces with nested members), written as exact text with the layout a formatter would give
 * them; the printer (printer.ts) places such a top-level statement as it is.
 */
import { jsdocBlock } from './doc.js';

/** Indents every non-empty line of `text` by `by` spaces. */
export function indent(text: string, by = 2): string {
  const pad = ' '.repeat(by);
  return text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

/**
 * A JSDoc block (when there is doc text) indented by `by`, then the declaration. The text wraps
 * for the column the block finally sits at, which nesting may push further right than `by`.
 */
function documented(doc: string | undefined, declaration: string, by = 0, column = by): string {
  return doc ? `${indent(jsdocBlock(doc, column), by)}\n${declaration}` : declaration;
}

/** `export const name = initializer;` (the initializer's later lines indented relative to column 0). */
export function exportConst(name: string, initializer: string, doc?: string): string {
  return documented(doc, `export const ${name} = ${initializer};`);
}

/**
 * `export type name = type;`. A union given as `\n| a\n| b` goes one member per line, and any type
 * too long for one line moves under the `=`, as a formatter would put them.
 */
export function exportType(name: string, type: string, doc?: string): string {
  const head = `export type ${name} =`;
  const oneLine = `${head} ${type};`;
  const body = type.startsWith('\n') ? type.slice(1) : oneLine.length > 100 ? type : undefined;
  return documented(doc, body === undefined ? oneLine : `${head}\n${indent(body)};`);
}

export interface MemberText {
  name: string;
  /** May span lines (a nested type literal), indented relative to the member. */
  type: string;
  doc?: string;
  optional?: boolean;
  readonly?: boolean;
}

/** `{ ... }` with one documented member per line; `column` is where the `{` line starts. */
function membersBlock(members: MemberText[], column: number): string {
  const lines = members.map((m) => {
    const member = `${m.readonly ? 'readonly ' : ''}${m.name}${m.optional ? '?' : ''}: ${m.type};`;
    return documented(m.doc, indent(member), 2, column + 2);
  });
  return `{\n${lines.join('\n')}\n}`;
}

/** `export interface name { ... }` with one documented member per line. */
export function exportInterface(name: string, members: MemberText[], doc?: string): string {
  return documented(doc, `export interface ${name} ${membersBlock(members, 0)}`);
}

/** A type literal for a member nested at `column` (its members go one level deeper). */
export function typeLiteral(members: MemberText[], column: number): string {
  return membersBlock(members, column);
}
