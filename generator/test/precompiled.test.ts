/**
 * The build compiles the spec schema (ajv standalone code) and the Handlebars templates ahead of
 * time into dist/precompiled/ (scripts/precompile.mjs), and the CLI uses them instead of
 * compiling at run time. These tests hold the precompiled forms to the run-time compilation:
 * the same verdict and the same errors, field for field, on the real spec and on thousands of
 * broken variants of it; the same files from the CLI (precompiled) as from the library running
 * from src/ (compiled at run time); and no use of a precompiled form whose source has changed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../src/index.js';
import { compileValidator, precompiledValidator, schemaPath } from '../src/validate/schema.js';
import { precompiledTemplates, readTemplateSet } from '../src/emit/core/templates.js';
import { REPO, SPEC_DIR } from './support/spec-copy.js';

const DIST = join(REPO, 'generator/dist/precompiled');
const SCHEMA_MODULE = join(DIST, 'spec-schema.cjs');
const TEMPLATES_MODULE = join(DIST, 'templates.cjs');
const MVGEN = join(REPO, 'generator/bin/mvgen.js');

if (!existsSync(SCHEMA_MODULE) || !existsSync(TEMPLATES_MODULE))
  throw new Error(`no ${relative(REPO, DIST)}: build the generator first (npm run build at the repository root)`);

const schemaText = readFileSync(schemaPath, 'utf8');
const specFiles = ['index.json', ...(JSON.parse(readFileSync(join(SPEC_DIR, 'index.json'), 'utf8')).areas as string[])].map((f) =>
  JSON.parse(readFileSync(join(SPEC_DIR, f), 'utf8')),
);

describe('the precompiled spec schema', () => {
  const built = precompiledValidator(schemaText, SCHEMA_MODULE);
  const compiled = compileValidator(schemaText);

  it('is the one the CLI uses: made from the schema text in use', () => {
    expect(built).toBeTypeOf('function');
  });

  it('is not used for another schema text', () => {
    expect(precompiledValidator(schemaText.replace('"title"', '"title" '), SCHEMA_MODULE)).toBeUndefined();
  });

  const verdict = (validate: NonNullable<typeof built>, doc: unknown) => {
    const ok = validate(doc);
    return { ok, errors: validate.errors ?? null };
  };

  it('accepts every file of the real spec, as the compiled schema does', () => {
    for (const doc of specFiles) {
      expect(verdict(built!, doc)).toEqual(verdict(compiled, doc));
      expect(verdict(built!, doc).ok).toBe(true);
    }
  });

  // A broken variant: one value somewhere in a real file replaced, or a key removed or added.
  const paths = (doc: unknown, at: (string | number)[] = []): (string | number)[][] =>
    doc && typeof doc === 'object' ? [at, ...Object.entries(doc).flatMap(([k, v]) => paths(v, [...at, Array.isArray(doc) ? Number(k) : k]))] : [at];
  const REPLACEMENTS = [null, 0, -1, 1.5, 4294967296, '', 'x y', '0xZZ', 'MV_BAD', [], {}, true, { extra: 1 }];
  const edit = fc.record({
    file: fc.nat({ max: specFiles.length - 1 }),
    path: fc.nat(),
    how: fc.oneof(fc.constant('delete' as const), fc.constant('add' as const), fc.constantFrom(...REPLACEMENTS).map((v) => ({ value: v }))),
  });

  it('reports exactly the errors of the compiled schema on broken variants of the spec', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const docs = specFiles.map((d) => structuredClone(d));
        for (const e of edits) {
          const doc = docs[e.file];
          const all = paths(doc).filter((p) => p.length > 0);
          const path = all[e.path % all.length];
          const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], doc);
          const key = path[path.length - 1];
          if (e.how === 'delete') Array.isArray(parent) ? parent.splice(Number(key), 1) : delete parent[key];
          else if (e.how === 'add') {
            if (!Array.isArray(parent)) parent.unknown_property = 'x';
          } else parent[key] = structuredClone(e.how.value);
        }
        for (const doc of docs) expect(verdict(built!, doc)).toEqual(verdict(compiled, doc));
      }),
      { numRuns: 200, seed: 20261207 },
    );
  });
});

describe('the precompiled templates', () => {
  const sets = readdirSync(join(REPO, 'generator/templates'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && readTemplateSet(d.name).size > 0)
    .map((d) => d.name);

  it('cover every template set, made from the template texts in use', () => {
    expect(sets.length).toBeGreaterThan(0);
    for (const set of sets) expect(precompiledTemplates(set, readTemplateSet(set), TEMPLATES_MODULE), set).toBeDefined();
  });

  it('are not used once a template or partial changes', () => {
    for (const set of sets)
      for (const file of readTemplateSet(set).keys()) {
        const files = readTemplateSet(set);
        files.set(file, `${files.get(file)} `);
        expect(precompiledTemplates(set, files, TEMPLATES_MODULE), `${set}/${file}`).toBeUndefined();
      }
  });
});

describe('the CLI (precompiled) and the library from src/ (compiled at run time)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mvgen-precompiled-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generate the same files for the real spec', () => {
    const cliOut = join(dir, 'cli');
    const r = spawnSync(process.execPath, [MVGEN, 'generate', '--quiet', '--spec', join(SPEC_DIR, 'index.json'), '--out', cliOut], {
      encoding: 'utf8',
      env: { ...process.env, MVGEN_CACHE_DIR: join(dir, 'stamps') },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const res = generate({ specPath: join(SPEC_DIR, 'index.json'), outRoot: join(dir, 'lib'), mode: 'check' });
    const files = res.results.flatMap((t) => t.outputs);
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) expect(readFileSync(join(cliOut, f.path), 'utf8'), f.path).toBe(f.contents);
  });
});
