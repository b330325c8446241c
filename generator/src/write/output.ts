/**
 * Writes generated files: only when the bytes differ, atomically (temp file + rename, so a
 * reader never sees half a file), and removes stale files from directories a target owns.
 * `planOutputs` computes the same plan without touching the disk, for `mvgen check`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
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

/** The files the plan writes (changed or new), with their directories made. */
function filesToWrite(root: string, files: OutputFile[], plan: OutputPlan): { abs: string; tmp: string; contents: string }[] {
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
    out.push({ abs, tmp: `${abs}.mvgen-${process.pid}.tmp`, contents: f.contents });
  }
  return out;
}

export function applyOutputs(root: string, files: OutputFile[], plan: OutputPlan): number {
  const writes = filesToWrite(root, files, plan);
  for (const w of writes) {
    writeFileSync(w.tmp, w.contents);
    renameSync(w.tmp, w.abs);
  }
  for (const s of plan.stale) rmSync(join(root, s));
  return writes.length;
}

/**
 * `applyOutputs` with the writes done by libuv's thread pool, several at a time: the system-call
 * time of thousands of small files (the docs) spreads over the cores. The calling thread must be
 * free to run the callbacks (awaiting, not rendering).
 */
export async function applyOutputsAsync(root: string, files: OutputFile[], plan: OutputPlan, inFlight = 8): Promise<number> {
  const writes = filesToWrite(root, files, plan);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const writer = async () => {
    while (next < writes.length && !failure) {
      const w = writes[next++];
      try {
        await writeFile(w.tmp, w.contents);
        await rename(w.tmp, w.abs);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  // After a failure no writer starts another file, and every one has stopped before it is reported.
  await Promise.all(Array.from({ length: Math.min(inFlight, writes.length) }, writer));
  if (failure) throw failure.error;
  for (const s of plan.stale) rmSync(join(root, s));
  return writes.length;
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
