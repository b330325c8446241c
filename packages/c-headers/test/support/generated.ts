/** Generating the `c` target from a (possibly edited) copy of the spec into a scratch directory. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '../../../../generator/src/index.js';
import { REPO, tempDir, type TempDir } from './toolchain.js';

export interface Generated {
  dir: TempDir;
  /** <root>/packages/c-headers/include */
  include: string;
  linkerFragment: string;
  /** Edits an area file of this copy's spec before `regenerate()`. */
  editSpec(file: string, edit: (data: any) => void): void;
  regenerate(): void;
}

/** A scratch repo root holding a copy of api-spec/, with the c target generated into it. */
export function generatedCopy(): Generated {
  const dir = tempDir('mvmqtt-c-gen-');
  cpSync(join(REPO, 'api-spec/spec'), join(dir.path, 'api-spec/spec'), { recursive: true });
  cpSync(join(REPO, 'api-spec/schema.json'), join(dir.path, 'api-spec/schema.json'));
  const g: Generated = {
    dir,
    include: join(dir.path, 'packages/c-headers/include'),
    linkerFragment: join(dir.path, 'packages/c-headers/ld/mvmqtt_nsc.ld'),
    editSpec(file, edit) {
      const p = join(dir.path, 'api-spec/spec', file);
      const data = JSON.parse(readFileSync(p, 'utf8'));
      edit(data);
      writeFileSync(p, `${JSON.stringify(data, null, 2)}\n`);
    },
    regenerate() {
      generate({ specPath: join(dir.path, 'api-spec/spec/index.json'), targets: ['c'], mode: 'write' });
    },
  };
  g.regenerate();
  return g;
}
