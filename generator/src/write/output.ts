/**
 * Writes generated files: only when the bytes differ, and removes stale files from directories a
 * target owns. A file that exists is replaced atomically (temp file + rename), so a reader never
 * sees half of it; a new file is created in place (exclusively: if one appears meanwhile, it is
 * replaced atomically instead), which saves a rename per file when a first generation writes
 * thousands of pages. A write that fails removes its partial file. In 'check' mode the same plan
 * is made without touching the disk.
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

/** path → sha256 (hex) of the file's bytes, taken from the bytes that were compared or written. */
export type Hashes = Map<string, string>;

export const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * One target's output, planned (and when writing, written) one file at a time as the files are
 * rendered, in any order, so that a caller streaming pages holds none of them; `finish` then
 * lists the stale files (removing them when writing) and sorts the plan. Each file is encoded
 * to UTF-8 once, and its hash for the no-op stamp taken from those bytes: a big spec's output
 * is hundreds of megabytes.
 */
export class OutputWriter {
  readonly plan: OutputPlan = { unchanged: [], changed: [], added: [], stale: [] };
  readonly hashes: Hashes = new Map();
  written = 0;
  private readonly madeDirs = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly ownedDirs: string[],
    private readonly write: boolean,
  ) {}

  add(f: OutputFile): void {
    const abs = join(this.root, f.path);
    const bytes = Buffer.from(f.contents, 'utf8');
    this.hashes.set(f.path, sha256(bytes));
    let kind: 'added' | 'changed';
    if (!existsSync(abs)) kind = 'added';
    else if (readFileSync(abs).equals(bytes)) {
      this.plan.unchanged.push(f.path);
      return;
    } else kind = 'changed';
    this.plan[kind].push(f.path);
    if (!this.write) return;
    const dir = dirname(abs);
    if (!this.madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    if (kind === 'added' && writeNewFile(abs, bytes, 'wx')) {
      this.written++;
      return;
    }
    const tmp = `${abs}.mvgen-${process.pid}.tmp`;
    writeNewFile(tmp, bytes, 'w');
    renameSync(tmp, abs);
    this.written++;
  }

  /** The stale files (removed when writing), the plan in path order, and [path, hash] of every file in path order. */
  finish(): { plan: OutputPlan; written: number; hashes: [string, string][] } {
    for (const dir of this.ownedDirs)
      for (const p of listFiles(join(this.root, dir))) {
        const rel = relative(this.root, p).split('\\').join('/');
        if (!this.hashes.has(rel)) this.plan.stale.push(rel);
      }
    if (this.write) for (const s of this.plan.stale) rmSync(join(this.root, s));
    for (const list of [this.plan.unchanged, this.plan.changed, this.plan.added]) list.sort(byPath);
    const hashes = [...this.hashes].sort((a, b) => byPath(a[0], b[0]));
    return { plan: this.plan, written: this.written, hashes };
  }
}

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

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
