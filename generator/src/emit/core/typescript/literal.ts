/**
 * Prints plain data as a TypeScript literal (for the generated metadata tables). `code()`
 * marks text to print as is, such as a reference to an enum constant.
 */

export class Code {
  constructor(readonly text: string) {}
}

export function code(text: string): Code {
  return new Code(text);
}

export type Literal = string | number | boolean | null | Code | readonly Literal[] | { readonly [key: string]: Literal | undefined };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Keys that are non-negative integers print bare, like identifiers. */
const INDEX = /^(0|[1-9][0-9]*)$/;

/** Characters `quote` escapes; most strings (names, prose) have none and go out as they are. */
const NEEDS_QUOTE_ESCAPES = /[\\'\n\r\u2028\u2029]/;

export function quote(s: string): string {
  if (!NEEDS_QUOTE_ESCAPES.test(s)) return `'${s}'`;
  return `'${s
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')}'`;
}

/** A computed key such as `[MV_STATUS_OKAY]` (a constant's value) prints as is. */
const COMPUTED = /^\[[A-Za-z_$][A-Za-z0-9_$]*\]$/;

function key(k: string): string {
  return IDENTIFIER.test(k) || INDEX.test(k) || COMPUTED.test(k) ? k : quote(k);
}

/** Short literals stay on one line, as a person would write them. */
const INLINE_WIDTH = 80;

/**
 * Whether `parts` joined by ', ' inside brackets (`brackets` columns: `[]` 2, `{  }` 4) fit on
 * one line at `indent`. Decided before joining: a large table would otherwise build its one-line
 * form at every level of nesting only to throw it away.
 */
function fitsOnOneLine(parts: string[], indent: string, brackets = 2): boolean {
  let width = indent.length + brackets + Math.max(0, parts.length - 1) * 2;
  for (const p of parts) {
    width += p.length;
    if (width > INLINE_WIDTH || p.includes('\n')) return false;
  }
  return true;
}

export function printLiteral(value: Literal, indent = ''): string {
  if (value instanceof Code) return value.text;
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items = (value as readonly Literal[]).map((v) => printLiteral(v, inner));
    if (fitsOnOneLine(items, indent)) return `[${items.join(', ')}]`;
    return `[\n${items.map((i) => `${inner}${i},\n`).join('')}${indent}]`;
  }
  const entries = Object.entries(value as { readonly [key: string]: Literal | undefined })
    .filter((e): e is [string, Literal] => e[1] !== undefined)
    .map(([k, v]) => `${key(k)}: ${printLiteral(v, inner)}`);
  if (entries.length === 0) return '{}';
  if (fitsOnOneLine(entries, indent, 4)) return `{ ${entries.join(', ')} }`;
  return `{\n${entries.map((e) => `${inner}${e},\n`).join('')}${indent}}`;
}
