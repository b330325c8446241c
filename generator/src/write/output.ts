/**
 * Writes generated files: only when the bytes differ, atomically (temp file + rename, so a
 * reader never sees half a file), and removes stale files from directories a target owns.
 * `planOutputs` computes the same plan without touching the disk, for `mvgen check`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { OutputFile } from '../emit/emitter.js';

export interface OutputPlan {
  unchanged: string[];
  changed: string[]; // exists with other content
  added: string[]; // does not exist yet
  stale: string[]; // in an owned dir, no longer produced
}

export function planOutputs(root: string, files: OutputFile[], ownedDirs: string[]): OutputPlan {
  const plan: OutputPlan = { unchanged: [], changed: [], added: [], stale: [] };
  const produced = new Set(files.map((f) => f.path));
  for (const f of files) {
    const abs = join(root, f.path);
    if (!existsSync(abs)) plan.added.push(f.path);
    else if (readFileSync(abs, 'utf8') === f.contents) plan.unchanged.push(f.path);
    else plan.changed.push(f.path);
  }
  for (const dir of ownedDirs)
    for (const p of listFiles(join(root, dir))) {
      const rel = relative(root, p).split('\\').join('/');
      if (!produced.has(rel)) plan.stale.push(rel);
    }
  return plan;
}

export function applyOutputs(root: string, files: OutputFile[], plan: OutputPlan): number {
  const toWrite = new Set([...plan.changed, ...plan.added]);
  const made = new Set<string>();
  let written = 0;
  for (const f of files) {
    if (!toWrite.has(f.path)) continue;
    const abs = join(root, f.path);
    const dir = dirname(abs);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    const tmp = `${abs}.mvgen-${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, abs);
    written++;
  }
  for (const s of plan.stale) rmSync(join(root, s));
  return written;
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
