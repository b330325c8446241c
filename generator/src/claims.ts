/**
 * Which thread renders which target, decided as they go (parallel.ts). Targets marked
 * `ownThread` belong to the worker from the start; every other target goes to whichever thread
 * claims it first: the main thread takes them in order, the worker, once its own are done, from
 * the end. So the two threads finish close together whatever the spec's size or the machine's
 * state (on a big spec, creating thousands of pages can cost the worker seconds of system time
 * on one run and little on the next), and the output is the same either way.
 */
/** What a target's slot holds: no thread yet, or the thread that has it. */
export const SLOT = { free: 0, main: 1, worker: 2 } as const;
const FREE = SLOT.free;
const THREAD = { main: SLOT.main, worker: SLOT.worker } as const;

export class TargetClaims {
  private readonly slots: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.slots = new Int32Array(buffer);
  }

  /** Claims for `count` targets, those whose index is in `workers` already the worker's. */
  static create(count: number, workers: number[]): TargetClaims {
    const claims = new TargetClaims(new SharedArrayBuffer(4 * count));
    for (const i of workers) claims.slots[i] = THREAD.worker;
    return claims;
  }

  get buffer(): SharedArrayBuffer {
    return this.slots.buffer as SharedArrayBuffer;
  }

  /** The targets given to the worker from the start. */
  ownedByWorker(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.slots.length; i++) if (Atomics.load(this.slots, i) === THREAD.worker) out.push(i);
    return out;
  }

  /** Whether `thread` now has target `i` (false: the other thread has it). */
  claim(i: number, thread: keyof typeof THREAD): boolean {
    return Atomics.compareExchange(this.slots, i, FREE, THREAD[thread]) === FREE;
  }
}
