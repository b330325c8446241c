/**
 * The docs target's templates (generator/templates/docs), from the generator's one Handlebars
 * environment. Output is Markdown: prose is escaped by the `md`, `inline` and `cell` helpers.
 */
import { templateSet } from '../core/templates.js';
import { mdBlock, mdCell, mdInline } from './escape.js';

export type TemplateName = 'index' | 'function' | 'struct' | 'enum' | 'typedef' | 'limits' | 'errata' | 'session';

export type Render = (name: TemplateName, view: object) => string;

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

export function createRenderer(): Render {
  const set = templateSet('docs', {
    helpers: {
      md: (v: unknown) => mdBlock(text(v)),
      inline: (v: unknown) => mdInline(text(v)),
      cell: (v: unknown) => mdCell(text(v)),
      eq: (a: unknown, b: unknown) => a === b,
    },
  });
  return (name, view) => tidy(set.template(`${name}.md.hbs`)(view));
}

/** One blank line at most between blocks, no trailing spaces (two would be a hard break), one final newline. */
function tidy(md: string): string {
  return `${withoutTrailingBlanksOrExtraBlankLines(md).trim()}\n`;
}

/**
 * Every line without the spaces and tabs it ends with, and no two empty lines in a row: what
 * `.replace(/[ \t]+(?=\n|$)/g, '').replace(/\n{3,}/g, '\n\n')` does, in one pass that copies
 * the text only around the places it changes (most lines of a page need nothing).
 */
function withoutTrailingBlanksOrExtraBlankLines(md: string): string {
  let out = '';
  let copied = 0; // md before this index is in `out` already (or dropped)
  let previousEmpty = false;
  for (let start = 0; start <= md.length; ) {
    let end = md.indexOf('\n', start);
    if (end < 0) end = md.length;
    let kept = end;
    for (let c = md.charCodeAt(kept - 1); kept > start && (c === 32 || c === 9); c = md.charCodeAt(kept - 1)) kept--;
    const empty = kept === start;
    if (empty && previousEmpty) {
      // A second empty line in a row: dropped with its newline.
      out += md.slice(copied, start);
      copied = end + 1;
    } else if (kept !== end) {
      out += md.slice(copied, kept);
      copied = end;
    }
    previousEmpty = empty;
    start = end + 1;
  }
  return copied === 0 ? md : out + md.slice(copied);
}
