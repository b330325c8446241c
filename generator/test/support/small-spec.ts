/**
 * Test helper: a small spec written into a temporary folder, built in the test instead of copied
 * from api-spec/. It has the real index and status enum plus one area the test supplies, so a
 * suite can exercise one shape of the generator without depending on the real areas.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, SPEC_DIR } from './spec-copy.js';

export interface SmallSpec {
  root: string;
  index: string;
  dispose(): void;
}

/** An area file with every list present (the schema requires them), filled from `parts`. */
export function area(name: string, parts: Record<string, unknown[]>): Record<string, unknown> {
  return {
    area: name,
    title: `Area ${name}`,
    doc: `Test area ${name}, written by a generator test.`,
    typedefs: [],
    enums: [],
    structs: [],
    functions: [],
    limits: [],
    ...parts,
  };
}

export function smallSpec(areas: Record<string, unknown>[]): SmallSpec {
  const root = mkdtempSync(join(tmpdir(), 'mvgen-small-'));
  const dir = join(root, 'api-spec/spec');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, 'api-spec/schema.json'), readFileSync(join(REPO, 'api-spec/schema.json')));
  const index = JSON.parse(readFileSync(join(SPEC_DIR, 'index.json'), 'utf8'));
  index.areas = ['status.json', ...areas.map((a) => `${a.area}.json`)];
  index.errata = [];
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index, null, 2));
  writeFileSync(join(dir, 'status.json'), readFileSync(join(SPEC_DIR, 'status.json')));
  for (const a of areas) writeFileSync(join(dir, `${a.area}.json`), JSON.stringify(a, null, 2));
  return { root, index: join(dir, 'index.json'), dispose: () => rmSync(root, { recursive: true, force: true }) };
}
