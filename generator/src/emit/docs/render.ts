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
  return `${withoutTrailingBlanks(md)
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

/**
 * Every line without the spaces and tabs it ends with. (What `replace(/[ \t]+(?=\n|$)/g, '')`
 * does, without trying a match at every space of the prose: a tenth of the docs' time.)
 */
function withoutTrailingBlanks(md: string): string {
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let end = line.length;
    for (let c = line.charCodeAt(end - 1); c === 32 || c === 9; c = line.charCodeAt(end - 1)) end--;
    if (end !== line.length) lines[i] = line.slice(0, end);
  }
  return lines.join('\n');
}
