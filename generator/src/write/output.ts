/**
 * Writes generated files: only when the bytes differ, and removes stale files from directories a
 * target owns. A file that exists is replaced atomically (temp file + rename), so a reader never
 * sees half of it; a new file is created in place (exclusively: if one appears meanwhile, it is
 * replaced atomically instead), which saves a rename per file when a first generation writes
 * thousands of pages. A write that fails removes its partial file.
 * `planOutputs` computes the same plan without touching the disk, for `mvgen check`.
 * Each file compared or written is encoded to UTF-8 once, and its hash for the no-op stamp
 * taken from those bytes (`Hashes`): a big spec's output is hundreds of megabytes.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { OutputFile } from '../emit/emitter.js';

export interface OutputPlan {
  unchanged: string[];
  changed: string[]; // exists with other content
  added: string[]; // does not exist yet
  stale: string[]; // in an owned dir, no longer produced
}

/** path → sha256 (hex) of the file's bytes, filled in by planning and writing as they encode. */
export type Hashes = Map<string, string>;

export const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** The files' hashes in their order: the ones planning or writing took, the others computed here. */
export function fileHashes(files: OutputFile[], hashes: Hashes): [string, string][] {
  return files.map((f) => [f.path, hashes.get(f.path) ?? sha256(Buffer.from(f.contents, 'utf8'))]);
}

export function planOutputs(root: string, files: OutputFile[], ownedDirs: string[], hashes: Hashes = new Map()): OutputPlan {
  const plan: OutputPlan = { unchanged: [], changed: [], added: [], stale: [] };
  const produced = new Set(files.map((f) => f.path));
  for (const f of files) {
    const abs = join(root, f.path);
    if (!existsSync(abs)) {
      plan.added.push(f.path);
      continue;
    }
    const bytes = Buffer.from(f.contents, 'utf8');
    if (readFileSync(abs).equals(bytes)) {
      plan.unchanged.push(f.path);
      hashes.set(f.path, sha256(bytes));
    } else plan.changed.push(f.path);
  }
  for (const dir of ownedDirs)
    for (const p of listFiles(join(root, dir))) {
      const rel = relative(root, p).split('\\').join('/');
      if (!produced.has(rel)) plan.stale.push(rel);
    }
  return plan;
}

/** The files the plan writes (changed or new), with their directories made. */
function filesToWrite(root: string, files: OutputFile[], plan: OutputPlan): { path: string; abs: string; tmp: string; contents: string }[] {
  const toWrite = new Set([...plan.changed, ...plan.added]);
  const made = new Set<string>();
  const out = [];
  for (const f of files) {
    if (!toWrite.has(f.path)) continue;
    const abs = join(root, f.path);
    const dir = dirname(abs);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    out.push({ path: f.path, abs, tmp: `${abs}.mvgen-${process.pid}.tmp`, contents: f.contents });
  }
  return out;
}

/** Encodes a file to be written and records its hash. */
function bytesOf(w: { path: string; contents: string }, hashes: Hashes): Buffer {
  const bytes = Buffer.from(w.contents, 'utf8');
  hashes.set(w.path, sha256(bytes));
  return bytes;
}

export function applyOutputs(root: string, files: OutputFile[], plan: OutputPlan, hashes: Hashes = new Map()): number {
  const writes = filesToWrite(root, files, plan);
  const added = new Set(plan.added);
  for (const w of writes) {
    const bytes = bytesOf(w, hashes);
    if (added.has(w.path) && writeNewFile(w.abs, bytes, 'wx')) continue;
    writeNewFile(w.tmp, bytes, 'w');
    renameSync(w.tmp, w.abs);
  }
  for (const s of plan.stale) rmSync(join(root, s));
  return writes.length;
}

/**
 * Writes `bytes` to a file this call creates; false when `flag` is 'wx' and the file exists
 * already. If writing fails after the file was created (a full disk), the partial file is removed.
 */
function writeNewFile(path: string, bytes: Buffer, flag: 'w' | 'wx'): boolean {
  let fd: number;
  try {
    fd = openSync(path, flag);
  } catch (err) {
    if (flag === 'wx' && (err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
  } catch (err) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw err;
  }
  closeSync(fd);
  return true;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}
