/**
 * The Handlebars environment for the docs target. Templates live in generator/templates/docs
 * (found relative to this module, so it works from src/ and dist/). Output is Markdown, so
 * HTML escaping is off; prose is escaped by the `md`, `inline` and `cell` helpers instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { mdBlock, mdCell, mdInline } from './escape.js';

const TEMPLATE_DIR = new URL('../../../templates/docs/', import.meta.url);

export type TemplateName = 'index' | 'function' | 'struct' | 'enum' | 'typedef' | 'limits' | 'errata' | 'session';

export type Render = (name: TemplateName, view: object) => string;

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

export function createRenderer(): Render {
  const hb = Handlebars.create();
  hb.registerHelper('md', (v: unknown) => mdBlock(text(v)));
  hb.registerHelper('inline', (v: unknown) => mdInline(text(v)));
  hb.registerHelper('cell', (v: unknown) => mdCell(text(v)));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);

  const dir = fileURLToPath(TEMPLATE_DIR);
  const templates = new Map<string, HandlebarsTemplateDelegate>();
  for (const file of readdirSync(dir).sort()) {
    const m = /^(.+)\.md\.hbs$/.exec(file);
    if (m) templates.set(m[1], hb.compile(readFileSync(`${dir}${file}`, 'utf8'), { noEscape: true, strict: true }));
  }

  return (name, view) => {
    const t = templates.get(name);
    if (!t) throw new Error(`mvgen docs: no template ${name}.md.hbs in ${dir}`);
    return tidy(t(view));
  };
}

/** One blank line at most between blocks, no trailing spaces (two would be a hard break), one final newline. */
function tidy(md: string): string {
  return `${md
    .split('\n')
    .map((l) => l.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
