/**
 * Escaping for spec prose on its way into Markdown. The spec's doc strings are plain text,
 * so every character must show as written: nothing in them may become emphasis, a code
 * span, a link, raw HTML or a table border. Generated Markdown (links, code spans) is built
 * separately from names and never passes through here.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Characters that are Markdown syntax wherever they stand (`$` opens math on GitHub); a backslash makes each literal. */
const ALWAYS = '\\`*[]|~$';

/** What `escapeInline` does with each ASCII character, by char code (the loop runs over every character of the prose). */
const ENTITY = 1;
const BACKSLASH = 2;
const UNDERSCORE = 3;
const ACTION = new Uint8Array(128);
for (const ch of Object.keys(ENTITIES)) ACTION[ch.charCodeAt(0)] = ENTITY;
for (const ch of ALWAYS) ACTION[ch.charCodeAt(0)] = BACKSLASH;
ACTION['_'.charCodeAt(0)] = UNDERSCORE;
const BACKTICK = '`'.charCodeAt(0);

/** [A-Za-z0-9] by char code (NaN, before the start or after the end, is not). */
const isWordChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * Escapes one line of prose for inline use (the line is not at the start of a block).
 * The spec writes identifiers in backticks (`MV_STATUS_OKAY`): a balanced pair with non-blank
 * content and no backtick touching it becomes a code span whose content shows literally; any
 * other backtick is escaped like the rest of Markdown's syntax.
 */
function escapeInline(text: string, inTable = false): string {
  // Most prose has nothing to escape: it goes out as it is.
  if (!NEEDS_ESCAPE.test(text)) return text;
  let out = '';
  let copied = 0; // text before this index is in `out` already
  const put = (i: number, replacement: string, next: number) => {
    out += text.slice(copied, i) + replacement;
    copied = next;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const action = c < 128 ? ACTION[c] : 0;
    if (action === 0) continue;
    if (c === BACKTICK && text.charCodeAt(i - 1) !== BACKTICK) {
      const close = text.indexOf('`', i + 1);
      // A span touching another backtick would merge with it (CommonMark matches runs of equal length).
      if (close > i + 1 && text.charCodeAt(close + 1) !== BACKTICK && text.slice(i + 1, close).trim() !== '') {
        put(i, codeSpan(text.slice(i + 1, close), inTable), close + 1);
        i = close;
        continue;
      }
    }
    if (action === ENTITY) put(i, ENTITIES[text[i]], i + 1);
    else if (action === BACKSLASH) put(i, `\\${text[i]}`, i + 1);
    // An underscore between two letters or digits can never start or end emphasis
    // (CommonMark's flanking rules), so identifiers like MV_STATUS_OKAY stay readable.
    else if (!(isWordChar(text.charCodeAt(i - 1)) && isWordChar(text.charCodeAt(i + 1)))) put(i, '\\_', i + 1);
  }
  return out + text.slice(copied);
}

/** Whether `escapeInline` has anything to do: a character it escapes, or an underscore it may. */
const NEEDS_ESCAPE = /[&<>\\`*[\]|~$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/;

/** Markers that open a block (heading, list, quote, rule, setext underline) at the start of a line. */
const BLOCK_START = /^(#{1,6}(?=\s|$)|[-+=](?=\s|$|[-=]*$)|\d{1,9}(?=[.)]))/;

function escapeLineStart(escaped: string): string {
  const m = BLOCK_START.exec(escaped);
  if (!m) return escaped;
  const marker = m[0];
  // Digits before "." or ")": escape the punctuation that follows them; otherwise escape the marker's first char.
  if (/^\d/.test(marker)) return `${marker}\\${escaped.slice(marker.length)}`;
  return `\\${escaped}`;
}

/** Splits prose into paragraphs and joins the lines of each (a single newline is a soft break). */
function paragraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) =>
      p
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .join(' '),
    )
    .filter(Boolean);
}

/** Prose as Markdown paragraphs (block context). */
export function mdBlock(text: string): string {
  return paragraphs(text)
    .map((p) => escapeLineStart(escapeInline(p)))
    .join('\n\n');
}

/** Prose inside a line that already started (after a label, inside a list item). */
export function mdInline(text: string): string {
  return paragraphs(text).map((p) => escapeInline(p)).join(" ");
}

/** Prose inside a GFM table cell: one line, paragraphs separated by <br>, `|` escaped. */
export function mdCell(text: string): string {
  const ps = paragraphs(text).map((p) => escapeInline(p, true));
  return ps.length ? ps.join('<br><br>') : ' ';
}

/** An inline code span holding `text` literally, whatever backticks it contains. */
export function mdCode(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  // Inside a table a `|` would still split the cell, even within a code span.
  return `${fence}${pad}${text.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** A code span from prose, content shown literally; in a table `|` is escaped so the cell is not split. */
function codeSpan(content: string, inTable: boolean): string {
  const pad = content.startsWith(' ') && content.endsWith(' ') ? ' ' : '';
  return `\`${pad}${inTable ? content.replace(/\|/g, '\\|') : content}${pad}\``;
}
