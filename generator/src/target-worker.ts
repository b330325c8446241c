/**
 * The worker thread of `generateParallel` (parallel.ts): renders its targets from its own model
 * of the spec, then plans and writes them once the main thread says the spec is valid. Every
 * failure goes back as a message, never as a crash.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSpec } from './spec/load.js';
import { buildModel } from './model/build.js';
import { Model } from './model/model.js';
import { findTarget } from './emit/targets.js';
import { emitContext, renderTarget, writeTarget, type GenerateOptions, type TargetOutcome } from './generate.js';

export interface WorkerJob {
  specPath: string;
  targets: string[];
  outRoot: string;
  mode: GenerateOptions['mode'];
  standalone: boolean;
}

/** From the main thread: go ahead with planning (and in 'write' mode, writing). */
export type WorkerMessage = { kind: 'write' };

export type WorkerReply =
  | { kind: 'done'; outcomes: TargetOutcome[] }
  | { kind: 'error'; error: { message: string; stack?: string; code?: string; syscall?: string; path?: string } };

function reply(m: WorkerReply): void {
  parentPort!.postMessage(m);
}

function fail(e: unknown): void {
  const err = e as NodeJS.ErrnoException;
  reply({ kind: 'error', error: { message: err?.message ?? String(e), stack: err?.stack, code: err?.code, syscall: err?.syscall, path: err?.path } });
}

if (parentPort) {
  const job = workerData as WorkerJob;
  try {
    // Not validated here: the main thread validates, and stops this worker if the spec is invalid.
    const model = new Model(buildModel(loadSpec(job.specPath, { syntaxChecks: false })));
    const ctx = emitContext(model, job.standalone);
    const rendered = job.targets.map((name) => {
      const target = findTarget(name);
      if (!target) throw new Error(`unknown target "${name}"`);
      return { target, files: renderTarget(model, target, ctx) };
    });
    // The go-ahead may have come while rendering: it waits in the port until listened for.
    // Written one file after another by this thread: the main thread is the longer one, and
    // handing each page's four system calls to the thread pool cost more CPU (a round trip and
    // a wake-up each) than the calls themselves.
    parentPort.once('message', () => {
      try {
        reply({ kind: 'done', outcomes: rendered.map(({ target, files }) => writeTarget(model, target, files, job.outRoot, job.mode)) });
      } catch (e) {
        fail(e);
      }
    });
  } catch (e) {
    fail(e);
  }
}
