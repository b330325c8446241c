/**
 * `mvgen generate`/`check` on two cores, holding little in memory. A worker thread
 * (target-worker.ts) renders and writes the targets marked `ownThread` (the docs: a page per
 * item) while this thread validates the spec and renders the others in order; once done with
 * its own, the worker takes the others from the end, any this thread has not started
 * (claims.ts), so both finish close together. The worker builds its own model from the same
 * spec files (copying a model between threads costs about as much as building it), but writes
 * nothing until this thread has validated the spec: an invalid spec still writes nothing. Each
 * target is written as soon as it is rendered (the docs page by page) and its files let go (a
 * big spec's output is hundreds of megabytes; the garbage collector's work grows with what stays
 * alive). The output is byte for byte what `generate` writes; a test compares the two.
 */
import { Worker } from 'node:worker_threads';
import { loadModel } from './pipeline.js';
import { checkOwnedDirs, emitContext, generateSetup, renderTarget, writeTarget, type GenerateOptions, type TargetOutcome } from './generate.js';
import type { Model } from './model/model.js';
import type { WorkerJob, WorkerMessage, WorkerReply } from './target-worker.js';
import { TargetClaims } from './claims.js';

export interface ParallelResult {
  model: Model;
  outRoot: string;
  /** In the order of the selected targets, as `generate` gives them. */
  results: TargetOutcome[];
}

const WORKER = new URL('./target-worker.js', import.meta.url);

/** Like `generate`, on two threads (see above); in this thread only when `threads` is false. */
export async function generateParallel(opts: GenerateOptions & { threads?: boolean }): Promise<ParallelResult> {
  const { targets, outRoot, standalone } = generateSetup(opts);
  // Compiled code only: the worker cannot load the TypeScript sources (tests run from src/).
  const threads = opts.threads !== false && import.meta.url.endsWith('.js') && targets.some((t) => t.ownThread);
  const claims = TargetClaims.create(targets.length, threads ? targets.flatMap((t, i) => (t.ownThread ? [i] : [])) : []);
  const job: WorkerJob = { specPath: opts.specPath, targets: targets.map((t) => t.target), claims: claims.buffer, outRoot, mode: opts.mode, standalone };
  const worker = threads ? new WorkerLink(job) : undefined;
  try {
    const model = loadModel(opts.specPath);
    checkOwnedDirs(model, targets);
    worker?.send({ kind: 'write' });
    const ctx = emitContext(model, standalone);
    const outcomes = new Map<string, TargetOutcome>();
    for (const [i, t] of targets.entries()) if (claims.claim(i, 'main')) outcomes.set(t.target, writeTarget(model, t, renderTarget(model, t, ctx), outRoot, opts.mode));
    if (worker) for (const o of (await worker.next('done')).outcomes) outcomes.set(o.target, o);
    return { model, outRoot, results: targets.map((t) => outcomes.get(t.target)!) };
  } finally {
    await worker?.close();
  }
}

/** The worker and its replies, in order; an error in it comes back as an error here. */
class WorkerLink {
  private readonly worker: Worker;
  private readonly replies: WorkerReply[] = [];
  private failure?: Error;
  private wake?: () => void;

  constructor(job: WorkerJob) {
    this.worker = new Worker(WORKER, { workerData: job });
    this.worker.on('message', (m: WorkerReply) => this.arrive(() => this.replies.push(m)));
    this.worker.on('error', (e) => this.arrive(() => (this.failure ??= e)));
    this.worker.on('exit', (code) => this.arrive(() => (this.failure ??= new Error(`the generator's worker thread stopped (exit code ${code})`))));
  }

  private arrive(record: () => void): void {
    record();
    this.wake?.();
  }

  async next<K extends WorkerReply['kind']>(kind: K): Promise<Extract<WorkerReply, { kind: K }>> {
    for (;;) {
      const m = this.replies.shift();
      if (m?.kind === 'error') throw revive(m.error);
      if (m) {
        if (m.kind !== kind) throw new Error(`the generator's worker thread sent "${m.kind}" where "${kind}" was due`);
        return m as Extract<WorkerReply, { kind: K }>;
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  send(m: WorkerMessage): void {
    this.worker.postMessage(m);
  }

  /** Stops the worker if it is still running (after an error here, or an invalid spec). */
  async close(): Promise<void> {
    this.worker.removeAllListeners();
    await this.worker.terminate();
  }
}

/** The worker's error as this thread's: same message and file-system fields, so the CLI words it the same. */
function revive(e: { message: string; stack?: string; code?: string; syscall?: string; path?: string }): Error {
  return Object.assign(new Error(e.message), e);
}
