import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { SLOT, TargetClaims } from '../src/claims.js';

describe('target claims between the two threads', () => {
  it('gives the worker its own targets from the start and every other target to one thread only', () => {
    const claims = TargetClaims.create(5, [3]);
    expect(claims.ownedByWorker()).toEqual([3]);
    expect(claims.claim(3, 'main')).toBe(false);
    expect(claims.claim(4, 'worker')).toBe(true);
    expect(claims.claim(4, 'main')).toBe(false);
    expect(claims.claim(0, 'main')).toBe(true);
    expect(claims.claim(0, 'worker')).toBe(false);
    expect(claims.claim(0, 'main')).toBe(false);
  });

  it('never lets both threads have a target when they race for all of them', async () => {
    const count = 200_000;
    const claims = TargetClaims.create(count, []);
    // The worker claims from the end as target-worker.ts does, by the same atomic exchange on the
    // same slot values (it runs plain JavaScript: it cannot load this TypeScript module).
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const slots = new Int32Array(workerData);
       const mine = [];
       for (let i = slots.length - 1; i >= 0; i--) if (Atomics.compareExchange(slots, i, ${SLOT.free}, ${SLOT.worker}) === ${SLOT.free}) mine.push(i);
       parentPort.postMessage(mine);`,
      { eval: true, workerData: claims.buffer },
    );
    const theirs = new Promise<number[]>((resolve) => worker.once('message', resolve));
    const mine: number[] = [];
    for (let i = 0; i < count; i++) if (claims.claim(i, 'main')) mine.push(i);
    const all = [...mine, ...(await theirs)].sort((a, b) => a - b);
    await worker.terminate();
    expect(all).toHaveLength(count);
    expect(all.every((x, i) => x === i)).toBe(true);
  });
});
