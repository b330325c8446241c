/**
 * The worker thread of `generateParallel` (parallel.ts): renders its targets from its own model
 * of the spec, then plans and writes them once the main thread says the spec is valid. Every
 * failure goes back as a message, never as a crash.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { loadSpec } from './spec/load.js';
import { buildModel } from './model/build.js';
import { Model } from './model/model.js';
import { findTarget } from './emit/targets.js';
import { emitContext, renderTarget, TargetOutput, type GenerateOptions, type TargetOutcome } from './generate.js';
import type { Emitter, OutputFile } from './emit/emitter.js';

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
  const port = parentPort;
  try {
    // Not validated here: the main thread validates, and stops this worker if the spec is invalid.
    const model = new Model(buildModel(loadSpec(job.specPath, { syntaxChecks: false })));
    const ctx = emitContext(model, job.standalone);
    const targets = job.targets.map((name) => {
      const target = findTarget(name);
      if (!target) throw new Error(`unknown target "${name}"`);
      return target;
    });
    const outputs = new Map(targets.map((t) => [t, new TargetOutput(model, t, job.outRoot, job.mode)]));
    // Files wait here until the main thread says the spec is valid (looked for as each file
    // comes); from then on each is written as it is rendered and let go, which on a big spec
    // saves the garbage collector most of its work and keeps the pages out of memory. Written by
    // this thread: handing each page's system calls to the thread pool cost more CPU (a round
    // trip and a wake-up each) than the calls themselves.
    const held: [Emitter, OutputFile][] = [];
    let mayWrite = false;
    const hand = (target: Emitter, file: OutputFile) => {
      if (!mayWrite && receiveMessageOnPort(port) !== undefined) {
        mayWrite = true;
        for (const [t, f] of held.splice(0)) outputs.get(t)!.add(f);
      }
      if (mayWrite) outputs.get(target)!.add(file);
      else held.push([target, file]);
    };
    for (const target of targets) {
      if (target.emitEach) target.emitEach(model, ctx, (file) => hand(target, file));
      else for (const file of renderTarget(model, target, ctx)) hand(target, file);
    }
    const finish = () => {
      try {
        for (const [t, f] of held.splice(0)) outputs.get(t)!.add(f);
        reply({ kind: 'done', outcomes: targets.map((t) => outputs.get(t)!.finish()) });
      } catch (e) {
        fail(e);
      }
    };
    if (mayWrite) finish();
    else port.once('message', finish);
  } catch (e) {
    fail(e);
  }
}
