/**
 * The one Handlebars environment of the generator. Templates live in generator/templates/<set>/
 * and are found relative to this module, which sits three levels below generator/ both in src/
 * and in dist/. HTML escaping is off (`noEscape`): the output is C, CMake or Markdown, and every
 * target escapes prose for its own language before or inside the template (helpers).
 * `strict`: a view that lacks a field the template names is a generator bug, not an empty string.
 */
import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TEMPLATES_ROOT = new URL('../../../templates/', import.meta.url);

export type Render = (view: object) => string;

export interface TemplateSet {
  /** The compiled template `<name>` of this set (the file name, e.g. `header.h.hbs`). */
  template(name: string): Render;
}

export interface TemplateSetOptions {
  /** Helpers the set's templates call (e.g. Markdown escaping). */
  helpers?: Record<string, Handlebars.HelperDelegate>;
}

/**
 * The templates of one set (`c`, `docs`). Files in its `partials/` directory are registered as
 * partials by their name without `.hbs`. Templates compile on first use and are cached.
 */
export function templateSet(set: string, opts: TemplateSetOptions = {}): TemplateSet {
  const dir = new URL(`${set}/`, TEMPLATES_ROOT);
  const hb = Handlebars.create();
  for (const [name, fn] of Object.entries(opts.helpers ?? {})) hb.registerHelper(name, fn);
  const partials = new URL('partials/', dir);
  if (existsSync(fileURLToPath(partials)))
    for (const file of readdirSync(partials).sort())
      if (file.endsWith('.hbs')) hb.registerPartial(file.slice(0, -'.hbs'.length), readFileSync(new URL(file, partials), 'utf8'));
  const cache = new Map<string, Render>();
  return {
    template(name) {
      let t = cache.get(name);
      if (!t) {
        const path = new URL(name, dir);
        if (!existsSync(fileURLToPath(path))) throw new Error(`mvgen: no template ${set}/${name} in ${fileURLToPath(TEMPLATES_ROOT)}`);
        const compiled = hb.compile(readFileSync(path, 'utf8'), { noEscape: true, strict: true });
        t = (view) => compiled(view);
        cache.set(name, t);
      }
      return t;
    },
  };
}
