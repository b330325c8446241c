/**
 * C comment text. Spec prose is arbitrary text, so everything that could end a block
 * comment, open a nested one or be read as a Doxygen command is neutralised here, once,
 * before any template sees it. Templates only ever receive finished comment blocks.
 */

/** Anything `escapeCommentText` would change; most prose has none of it and is returned as is. */
const NEEDS_COMMENT_ESCAPES = /[\r\u0000-\u0008\u000b-\u001f\u007f\\@]|\*\/|\/\*|\?\?|[^\S\n](?:\n|$)/;

/** Makes one piece of prose safe inside a `/** ... *\/` Doxygen block. */
export function escapeCommentText(text: string): string {
  if (!NEEDS_COMMENT_ESCAPES.test(text)) return text;
  return (
    text
      .replace(/\r\n?/g, '\n')
      // Control characters (NUL, form feed, ...) have no business in a header: show their code instead.
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `<U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}>`)
      // Doxygen reads `\x` and `@x` as commands; escape them so prose stays prose.
      .replace(/\\/g, '\\\\')
      .replace(/@/g, '\\@')
      // `*/` would end the comment early; `/*` inside a comment trips -Wcomment.
      .replace(/\*\//g, '*\\/')
      .replace(/\/\*/g, '/\\*')
      // A trigraph that splices lines (`??/`) is warned about by -Wtrigraphs in C99 mode.
      .replace(/\?\?(?=[=/'()!<>-])/g, '?\\?')
      .split('\n')
      .map((l) => l.replace(/\s+$/, ''))
      .join('\n')
  );
}

/**
 * A Doxygen block from paragraphs (already escaped or built from escaped parts). Each
 * paragraph may span lines; paragraphs are separated by an empty comment line.
 */
export function docBlock(paragraphs: string[], width = WRAP_WIDTH): string {
  const parts = paragraphs.filter((p) => p.trim() !== '');
  if (!parts.length) return '';
  const lines: string[] = [];
  parts.forEach((p, i) => {
    if (i) lines.push(' *');
    for (const l of p.split('\n')) for (const w of wrapLine(l, width)) lines.push(w ? ` * ${w}` : ' *');
  });
  return ['/**', ...lines, ' */'].join('\n');
}

/** Comment text is wrapped to this many columns (after the ` * ` prefix). */
export const WRAP_WIDTH = 96;

/**
 * Breaks one line at spaces into lines of at most `width` columns (a longer word stays
 * whole). Continuation lines of a list item or a Doxygen command are indented two spaces.
 * A break never lands inside a `code span`, nor before a word that Markdown would read as
 * the start of a list or heading.
 */
export function wrapLine(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const hanging = /^(\s*)(- |@\w|\d+\. )/.exec(line) ? `${/^\s*/.exec(line)![0]}  ` : /^\s*/.exec(line)![0];
  const words = splitOutsideCode(line);
  const out: string[] = [];
  let current = '';
  for (const word of words) {
    const candidate = current ? `${current} ${word}` : word;
    if (current && candidate.length > width && !/^([-+*]|#+|\d+[.)])$/.test(word)) {
      out.push(current);
      current = `${hanging}${word}`;
    } else current = candidate;
  }
  if (current) out.push(current);
  return out;
}

/** Splits at single spaces that are not inside backticks; keeps leading indentation on the first word. */
function splitOutsideCode(line: string): string[] {
  const words: string[] = [];
  let inCode = false;
  const indent = /^\s*/.exec(line)![0];
  let start = indent.length;
  for (let i = start; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x60) inCode = !inCode;
    else if (c === 0x20 && !inCode) {
      if (i > start) words.push(line.slice(start, i));
      start = i + 1;
    }
  }
  if (line.length > start) words.push(line.slice(start));
  if (words.length) words[0] = indent + words[0];
  return words;
}

/** A trailing `/**< ... *\/` comment, or undefined when the text needs more than one line. */
export function trailingDoc(text: string): string | undefined {
  if (text.includes('\n')) return undefined;
  return `/**< ${text} */`;
}

/** A plain (non-Doxygen) block comment, e.g. the banner of a linker script or a section title. */
export function plainBlock(lines: string[]): string {
  return ['/*', ...lines.map((l) => (l ? ` * ${escapeCommentText(l)}` : ' *')), ' */'].join('\n');
}

/**
 * A C string literal holding `text` exactly. Besides `\\` and `"`, control characters and every
 * byte outside ASCII become three-digit octal escapes (of the UTF-8 bytes), so the header stays
 * ASCII and no newline can end the literal; `?` before `?` is escaped so no trigraph forms.
 */
export function cString(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '?' && out.endsWith('?')) out += '\\?';
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return `"${out}"`;
}
