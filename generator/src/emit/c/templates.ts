/**
 * The handlebars environment for the C target. Templates live in generator/templates/c and
 * are found relative to this module, which sits three levels below generator/ both in src/
 * and in dist/. `noEscape`: the output is C, and comment text is escaped in comment.ts.
 */
import Handlebars from 'handlebars';
import { readFileSync, readdirSync } from 'node:fs';

const TEMPLATE_DIR = new URL('../../../templates/c/', import.meta.url);

export type Render = (view: object) => string;

let env: { hb: typeof Handlebars; cache: Map<string, Render> } | undefined;

function environment() {
  if (env) return env;
  const hb = Handlebars.create();
  const partialsDir = new URL('partials/', TEMPLATE_DIR);
  for (const file of readdirSync(partialsDir).sort()) {
    if (!file.endsWith('.hbs')) continue;
    hb.registerPartial(file.slice(0, -'.hbs'.length), readFileSync(new URL(file, partialsDir), 'utf8'));
  }
  env = { hb, cache: new Map() };
  return env;
}

/** A compiled template by file name (e.g. `mvmqtt.h.hbs`). */
export function template(name: string): Render {
  const e = environment();
  let t = e.cache.get(name);
  if (!t) {
    const compiled = e.hb.compile(readFileSync(new URL(name, TEMPLATE_DIR), 'utf8'), { noEscape: true, strict: true });
    t = (view) => compiled(view);
    e.cache.set(name, t);
  }
  return t;
}

/** Renders a partial on its own (used for one item at a time). */
export function partial(name: string): Render {
  return template(`partials/${name}.hbs`);
}
