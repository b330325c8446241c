/**
 * JSDoc text: spec prose made safe inside a comment, sections, word wrapping and the block
 * itself. Shared by every target that prints TypeScript.
 */

/** Spec prose made safe inside `/** ... *\/`: `*\/` is broken up and a leading `@` is escaped. */
export function prose(text: string): string {
  return text
    .trim()
    .replace(/\*\//g, '*\\/')
    .replace(/(^|\s)@(?=\w)/g, '$1\\@');
}

/** Joins the non-empty sections of a comment with blank lines. */
export function sections(...parts: (string | false | undefined)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join('\n\n');
}

/** Generated lines stay within this many columns, as a formatter would keep them. */
const PAGE_WIDTH = 100;

/** A wrapped line must not start with something Markdown would read as a list, quote or heading. */
const UNSAFE_LINE_START = /^([-+*](\s|$)|#{1,6}(\s|$)|[>|]|\d+[.)](\s|$)|```)/;

function wrapLine(line: string, width: number, hang: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current && current.length + 1 + word.length > width && !UNSAFE_LINE_START.test(word)) {
      out.push(current);
      current = hang + word;
    } else current = current ? `${current} ${word}` : word;
  }
  out.push(current);
  return out;
}

/** Anything the escapes in `wrapDoc` would change (most text has none). */
const NEEDS_DOC_ESCAPES = /\*\/|[\r\u2028\u2029\u0000-\u0008\u000b-\u001f\u007f]/;

/**
 * Word-wraps comment text for a comment indented by `indent` columns. Code fences are kept as
 * they are; list items and tags continue with a two-space hanging indent.
 */
export function wrapDoc(text: string, indent = 0): string {
  const width = PAGE_WIDTH - indent - ' * '.length;
  let inFence = false;
  // Every comment passes here: whatever reached it unescaped (a vendor field, a version), `*/`
  // must not end the comment, and a control character must not break its lines.
  const safe = NEEDS_DOC_ESCAPES.test(text)
    ? text
        .replace(/\*\//g, '*\\/')
        .replace(/\r\n?|[\u2028\u2029]/g, '\n')
        .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `<U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}>`)
    : text;
  return safe
    .split('\n')
    .flatMap((line) => {
      if (line.startsWith('```')) inFence = !inFence;
      if (inFence || line.startsWith('```') || line.length <= width) return [line];
      return wrapLine(line, width, /^(- |@\w+ )/.test(line) ? '  ' : '');
    })
    .join('\n');
}

/** The `/** ... *\/` block for text the emitter writes itself, wrapped (one line when it fits). */
export function jsdocBlock(raw: string, indent = 0): string {
  const text = wrapDoc(raw, indent);
  if (!text.includes('\n') && text.length + indent + 7 <= PAGE_WIDTH) return `/** ${text} */`;
  const lines = text.split('\n');
  return `/**\n${lines.map((l) => (l ? ` * ${l}` : ' *')).join('\n')}\n */`;
}
