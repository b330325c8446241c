/**
 * The no-op check: decides "nothing to do" for `mvgen generate`/`check` before any emitter,
 * Handlebars or ajv is loaded. After every run that leaves the output matching the
 * spec, mvgen records a stamp: the generator's fingerprint (its version, compiled code,
 * templates, schema and the versions of the libraries that shape the output), the bytes of every
 * spec file, and the hash of every output file plus the listing of every directory a target
 * owns. A later run whose spec, generator and outputs all hash the same would write exactly those
 * files again (generation is deterministic), so it stops there.
 *
 * This module imports only Node built-ins and locate.ts, and must stay that light.
 * Stamps live outside the output (in MVGEN_CACHE_DIR, default <tmpdir>/mvgen-stamps-<uid>), keyed
 * by output root and targets; a missing, stale or unreadable stamp only means a full run.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const STAMP_FORMAT = 1;

export interface TargetSummary {
  target: string;
  files: number;
}

export interface Stamp {
  format: number;
  generator: string;
  spec: { name: string; version: string; files: [string, string][] };
  outputs: [string, string][];
  /** Every file found under the targets' owned directories (relative to the output root). */
  owned: { dirs: string[]; files: string[] };
  targets: TargetSummary[];
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

function cacheDir(): string {
  if (process.env.MVGEN_CACHE_DIR) return process.env.MVGEN_CACHE_DIR;
  let who = 'user';
  try {
    who = String(userInfo().uid);
  } catch {
    /* no user database: share the default */
  }
  return join(tmpdir(), `mvgen-stamps-${who}`);
}

function stampPath(outRoot: string, targets: string[]): string {
  return join(cacheDir(), `${sha256(`${resolve(outRoot)}\0${targets.join(',')}`).slice(0, 32)}.json`);
}

function listFiles(dir: string, out: string[] = []): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) listFiles(p, out);
    else out.push(p);
  }
  return out;
}

let fingerprint: string | undefined;

/**
 * Everything besides the spec that decides the output: the generator's compiled code and
 * templates, the spec schema, and the exact versions of the libraries that print it.
 */
export function generatorFingerprint(): string {
  if (fingerprint) return fingerprint;
  const pkgRoot = fileURLToPath(new URL('..', import.meta.url));
  const h = createHash('sha256');
  const add = (label: string, data: string | Buffer) => h.update(label).update('\0').update(data).update('\0');
  for (const dir of ['dist', 'src', 'templates']) {
    // Running from src/ (tests) or dist/ (the CLI): hash whichever code is there, plus templates.
    if (dir !== 'templates' && !import.meta.url.includes(`/${dir}/`)) continue;
    // Only what runs: compiled or source modules and templates (not declarations or source maps).
    // Size and modification time stand for the content, as for make: a rebuild means one full run.
    for (const f of listFiles(join(pkgRoot, dir)).sort())
      if (/\.(js|ts|hbs)$/.test(f) && !f.endsWith('.d.ts')) {
        const st = statSync(f);
        add(relative(pkgRoot, f), `${st.size}:${st.mtimeMs}`);
      }
  }
  const require = createRequire(import.meta.url);
  for (const dep of ['@mvmqtt/api-spec/schema.json', 'handlebars/package.json', 'ajv/package.json']) {
    try {
      add(dep, readFileSync(require.resolve(dep)));
    } catch {
      add(dep, 'missing');
    }
  }
  return (fingerprint = h.digest('hex'));
}

/** The spec's files (the index and the areas it lists) with the hash of their bytes. */
export function specFileHashes(indexPath: string): [string, string][] | undefined {
  try {
    const index = readFileSync(indexPath);
    const parsed = JSON.parse(index.toString('utf8').replace(/^\uFEFF/, '')) as { areas?: unknown };
    const areas = Array.isArray(parsed.areas) ? parsed.areas.filter((a): a is string => typeof a === 'string') : [];
    const out: [string, string][] = [[indexPath, sha256(index)]];
    for (const a of areas) {
      const p = join(dirname(indexPath), a);
      if (!statSync(p).isFile()) return undefined;
      out.push([p, sha256(readFileSync(p))]);
    }
    return out;
  } catch {
    return undefined;
  }
}

function ownedListing(outRoot: string, dirs: string[]): string[] {
  return dirs.flatMap((d) => listFiles(join(outRoot, d)).map((p) => relative(outRoot, p).split('\\').join('/'))).sort();
}

/** The stamp for this output root and target selection, if it still describes the disk exactly. */
export function freshStamp(indexPath: string, outRoot: string, targets: string[]): Stamp | undefined {
  let stamp: Stamp;
  try {
    stamp = JSON.parse(readFileSync(stampPath(outRoot, targets), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
  if (stamp.format !== STAMP_FORMAT || stamp.generator !== generatorFingerprint()) return undefined;
  const spec = specFileHashes(indexPath);
  if (!spec || JSON.stringify(spec) !== JSON.stringify(stamp.spec.files)) return undefined;
  for (const [path, hash] of stamp.outputs) {
    try {
      if (sha256(readFileSync(join(outRoot, path))) !== hash) return undefined;
    } catch {
      return undefined;
    }
  }
  if (JSON.stringify(ownedListing(outRoot, stamp.owned.dirs)) !== JSON.stringify(stamp.owned.files)) return undefined;
  return stamp;
}

/** Records that `outRoot` now holds exactly `outputs` for this spec and generator. Best effort. */
export function writeStamp(
  indexPath: string,
  outRoot: string,
  targets: string[],
  spec: { name: string; version: string },
  /** [path, sha256 of its contents] of every file written or found unchanged. */
  outputs: [string, string][],
  ownedDirs: string[],
  summary: TargetSummary[],
): void {
  const files = specFileHashes(indexPath);
  if (!files) return;
  const stamp: Stamp = {
    format: STAMP_FORMAT,
    generator: generatorFingerprint(),
    spec: { ...spec, files },
    outputs,
    owned: { dirs: ownedDirs, files: ownedListing(outRoot, ownedDirs) },
    targets: summary,
  };
  const path = stampPath(outRoot, targets);
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(stamp));
    renameSync(tmp, path);
  } catch {
    /* a read-only or shared temp dir costs the next run its shortcut, nothing else */
  }
}
