/** Test helper: a throw-away copy of the real spec that a test may mutate. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../../..');
export const SPEC_DIR = join(REPO, 'api-spec/spec');

export interface SpecCopy {
  root: string; // a fake repo root: <root>/api-spec/spec/*.json
  specDir: string;
  index: string;
  read(file: string): any;
  write(file: string, data: unknown): void;
  edit(file: string, fn: (data: any) => void): void;
  text(file: string): string;
  writeText(file: string, text: string): void;
  dispose(): void;
}

export function copySpec(): SpecCopy {
  const root = mkdtempSync(join(tmpdir(), 'mvgen-spec-'));
  const specDir = join(root, 'api-spec/spec');
  cpSync(SPEC_DIR, specDir, { recursive: true });
  cpSync(join(REPO, 'api-spec/schema.json'), join(root, 'api-spec/schema.json'));
  const path = (f: string) => join(specDir, f);
  const c: SpecCopy = {
    root,
    specDir,
    index: path('index.json'),
    read: (f) => JSON.parse(readFileSync(path(f), 'utf8')),
    write: (f, d) => writeFileSync(path(f), `${JSON.stringify(d, null, 2)}\n`),
    edit: (f, fn) => {
      const d = c.read(f);
      fn(d);
      c.write(f, d);
    },
    text: (f) => readFileSync(path(f), 'utf8'),
    writeText: (f, t) => writeFileSync(path(f), t),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
  return c;
}

/** An item of an area file's list, as parsed JSON: the tests reach into any of its properties. */
export type SpecItem = { name: string } & Record<string, any>;

/** Finds an item by name in an area file's list. */
export function byName<T extends { name: string } = SpecItem>(list: readonly T[], name: string): T {
  const hit = list.find((x) => x.name === name);
  if (!hit) throw new Error(`test fixture: no ${name}`);
  return hit;
}
