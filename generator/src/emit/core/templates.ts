/**
 * The one Handlebars environment of the generator. Templates live in generator/templates/<set>/
 * and are found relative to this module, which sits three levels below generator/ both in src/
 * and in dist/. HTML escaping is off (`noEscape`): the output is C, CMake or Markdown, and every
 * target escapes prose for its own language before or inside the template (helpers).
 * `strict`: a view that lacks a field the template names is a generator bug, not an empty string.
 *
 * The build precompiles every template (`scripts/precompile.mjs` → dist/precompiled/), so a run
 * needs only the Handlebars runtime. A set uses the precompiled templates only while every one
 * of its files still has the text they were compiled from (by hash); otherwise, and when running
 * from src/, the set is compiled here with the same options, as before.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type Handlebars from 'handlebars';

const TEMPLATES_ROOT = new URL('../../../templates/', import.meta.url);
/** Where the build puts the precompiled templates (relative to this module once in dist/). */
export const PRECOMPILED_TEMPLATES = fileURLToPath(new URL('../../precompiled/templates.cjs', import.meta.url));
const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

const require = createRequire(import.meta.url);

export type Render = (view: object) => string;

export interface TemplateSet {
  /** The compiled template `<name>` of this set (the file name, e.g. `header.h.hbs`). */
  template(name: string): Render;
}

export interface TemplateSetOptions {
  /** Helpers the set's templates call (e.g. Markdown escaping). */
  helpers?: Record<string, Handlebars.HelperDelegate>;
}

/** One template as the build left it: the hash of its text and Handlebars' compiled form. */
interface PrecompiledTemplate {
  hash: string;
  spec: TemplateSpecification;
}
type TemplateSpecification = Parameters<typeof Handlebars.template>[0];
type PrecompiledSets = Record<string, Record<string, PrecompiledTemplate>>;

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/** The set's files by name relative to its directory (`header.h.hbs`, `partials/block.hbs`). */
export function readTemplateSet(set: string): Map<string, string> {
  const dir = fileURLToPath(new URL(`${set}/`, TEMPLATES_ROOT));
  const files = new Map<string, string>();
  const read = (sub: string) => {
    if (!existsSync(dir + sub)) return;
    for (const f of readdirSync(dir + sub).sort()) if (f.endsWith('.hbs')) files.set(sub + f, readFileSync(dir + sub + f, 'utf8'));
  };
  read('');
  read('partials/');
  return files;
}

const partialName = (file: string) => (file.startsWith('partials/') ? file.slice('partials/'.length, -'.hbs'.length) : undefined);

/** The build's compiled form (at `modulePath`) of every file, if it was made from exactly these texts. */
export function precompiledTemplates(
  set: string,
  files: Map<string, string>,
  modulePath = PRECOMPILED_TEMPLATES,
): Record<string, PrecompiledTemplate> | undefined {
  let sets: PrecompiledSets;
  try {
    sets = require(modulePath) as PrecompiledSets;
  } catch {
    return undefined; // running from src/, or a build without it
  }
  const compiled = sets[set];
  if (!compiled || Object.keys(compiled).length !== files.size) return undefined;
  for (const [file, text] of files) if (compiled[file]?.hash !== hashOf(text)) return undefined;
  return compiled;
}

/**
 * The templates of one set (`c`, `docs`). Files in its `partials/` directory are registered as
 * partials by their name without `.hbs`.
 */
export function templateSet(set: string, opts: TemplateSetOptions = {}): TemplateSet {
  const files = readTemplateSet(set);
  const precompiled = precompiledTemplates(set, files);
  const hb: typeof Handlebars = precompiled
    ? (require('handlebars/runtime') as typeof Handlebars).create()
    : (require('handlebars') as typeof Handlebars).create();
  for (const [name, fn] of Object.entries(opts.helpers ?? {})) hb.registerHelper(name, fn);
  // Compiled now only when the build's copy is missing or stale; cached either way.
  const build = (file: string): Handlebars.TemplateDelegate =>
    precompiled ? hb.template(precompiled[file].spec) : hb.compile(files.get(file)!, COMPILE_OPTIONS);
  for (const file of files.keys()) {
    const partial = partialName(file);
    if (partial !== undefined) hb.registerPartial(partial, build(file));
  }
  const cache = new Map<string, Render>();
  return {
    template(name) {
      let t = cache.get(name);
      if (!t) {
        if (!files.has(name) || partialName(name) !== undefined)
          throw new Error(`mvgen: no template ${set}/${name} in ${fileURLToPath(TEMPLATES_ROOT)}`);
        const compiled = build(name);
        t = (view) => compiled(view);
        cache.set(name, t);
      }
      return t;
    },
  };
}

/** The module source of every set's templates compiled ahead of time, for the build. */
export function precompileTemplates(): string {
  const hb = require('handlebars') as typeof Handlebars;
  const root = fileURLToPath(TEMPLATES_ROOT);
  const sets = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const out: string[] = [];
  for (const set of sets) {
    const entries = [...readTemplateSet(set)].map(
      ([file, text]) => `    ${JSON.stringify(file)}: { hash: ${JSON.stringify(hashOf(text))}, spec: ${hb.precompile(text, COMPILE_OPTIONS)} },`,
    );
    if (entries.length) out.push(`  ${JSON.stringify(set)}: {\n${entries.join('\n')}\n  },`);
  }
  return `'use strict';\nmodule.exports = {\n${out.join('\n')}\n};\n`;
}
