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
import { TargetClaims } from './claims.js';

export interface WorkerJob {
  specPath: string;
  /** Every selected target, in order; `claims` says which thread renders each (see claims.ts). */
  targets: string[];
  claims: SharedArrayBuffer;
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
    const claims = new TargetClaims(job.claims);
    const outputs = new Map<Emitter, TargetOutput>();
    // Files wait here until the main thread says the spec is valid (looked for as each file
    // comes); from then on each is written as it is rendered and let go, which on a big spec
    // keeps the pages out of memory. Written by this thread: handing each page's system calls
    // to the thread pool cost more CPU (a round trip and a wake-up each) than the calls themselves.
    const held: [Emitter, OutputFile][] = [];
    let mayWrite = false;
    const outputOf = (t: Emitter) => {
      let out = outputs.get(t);
      if (!out) outputs.set(t, (out = new TargetOutput(model, t, job.outRoot, job.mode)));
      return out;
    };
    const hand = (target: Emitter, file: OutputFile) => {
      if (!mayWrite && receiveMessageOnPort(port) !== undefined) {
        mayWrite = true;
        for (const [t, f] of held.splice(0)) outputOf(t).add(f);
      }
      if (mayWrite) outputOf(target).add(file);
      else held.push([target, file]);
    };
    const render = (target: Emitter) => {
      outputOf(target);
      if (target.emitEach) target.emitEach(model, ctx, (file) => hand(target, file));
      else for (const file of renderTarget(model, target, ctx)) hand(target, file);
    };
    // Its own targets first, then whatever the main thread has not started, from the end.
    for (const i of claims.ownedByWorker()) render(targets[i]);
    for (let i = targets.length - 1; i >= 0; i--) if (claims.claim(i, 'worker')) render(targets[i]);
    const finish = () => {
      try {
        for (const [t, f] of held.splice(0)) outputs.get(t)!.add(f);
        reply({ kind: 'done', outcomes: [...outputs.values()].map((o) => o.finish()) });
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
