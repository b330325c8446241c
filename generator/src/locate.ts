/**
 * Where things are: the repository holding a spec, and the output root a spec implies. Light on
 * purpose (node:fs and node:path only): the no-op check runs it before any emitter is loaded.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** A mistake in how mvgen was called (exit code 2), as opposed to a problem in the spec. */
export class UsageError extends Error {}

/** Walks up from `start` to the directory that holds `api-spec/spec/index.json`. */
export function findRepoRoot(start = process.cwd()): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'api-spec', 'spec', 'index.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Accepts the index file or the directory holding `index.json` (or `spec/index.json`). */
export function resolveSpecPath(p: string): string {
  const abs = resolve(p);
  try {
    if (statSync(abs).isDirectory()) {
      const inSpec = join(abs, 'spec', 'index.json');
      return existsSync(inSpec) ? inSpec : join(abs, 'index.json');
    }
  } catch {
    /* fall through: reported when read */
  }
  return abs;
}

/** `<root>/api-spec/spec/index.json` → `<root>`; anything else has no implied output root. */
export function impliedOutRoot(specPath: string): string | undefined {
  const index = resolveSpecPath(specPath);
  const specDir = dirname(index);
  const apiSpec = dirname(specDir);
  if (basename(specDir) === 'spec' && basename(apiSpec) === 'api-spec') return dirname(apiSpec);
  return undefined;
}
