// The shared NVIC on its own, under each delivery strategy.
import { describe, expect, it } from 'vitest';
import { Nvic, type IrqScheduler } from '../src/runtime/index.js';

const microtask: IrqScheduler = (drain) => queueMicrotask(drain);
const macrotask: IrqScheduler = (drain) => void setImmediate(drain);

describe('NVIC', () => {
  const tick = () => new Promise((r) => setImmediate(r));

  it('runs the handler once per pend, in order, after the current job', async () => {
    const nvic = new Nvic(microtask, (e) => {
      throw e;
    });
    const log: string[] = [];
    nvic.setHandler(3, () => log.push('a'));
    nvic.setHandler(4, () => log.push('b'));
    nvic.enable(3);
    nvic.enable(4);
    nvic.pend(3);
    nvic.pend(4);
    nvic.pend(3);
    expect(log).toEqual([]); // not inside the call that pended
    await tick();
    expect(log).toEqual(['a', 'b', 'a']);
  });

  it('holds pends while the line is disabled and delivers them all when enabled', async () => {
    const nvic = new Nvic(macrotask, (e) => {
      throw e;
    });
    let n = 0;
    nvic.setHandler(9, () => n++);
    nvic.pend(9);
    nvic.pend(9);
    await tick();
    expect(n).toBe(0);
    expect(nvic.pendingCount(9)).toBe(2);
    nvic.enable(9);
    await tick();
    await tick();
    expect(n).toBe(2);
    expect(nvic.pendingCount(9)).toBe(0);
  });

  it('clearPending forgets undelivered pends; handlers that pend again run in the same pass', async () => {
    const nvic = new Nvic(microtask, (e) => {
      throw e;
    });
    let n = 0;
    nvic.setHandler(1, () => {
      n++;
      if (n === 1) nvic.pend(1);
    });
    nvic.enable(1);
    nvic.pend(1);
    nvic.pend(1);
    nvic.clearPending(1);
    await tick();
    expect(n).toBe(0);
    nvic.pend(1);
    await tick();
    expect(n).toBe(2);
  });

  it('reports a throwing handler and keeps delivering', async () => {
    const errors: unknown[] = [];
    const nvic = new Nvic(microtask, (e) => errors.push(e));
    let n = 0;
    nvic.setHandler(2, () => {
      n++;
      throw new Error('boom');
    });
    nvic.enable(2);
    nvic.pend(2);
    nvic.pend(2);
    await tick();
    expect(n).toBe(2);
    expect(errors).toHaveLength(2);
  });

  it('with manual delivery runs handlers only on deliver(), and deliver() inside a handler does not re-enter', () => {
    const nvic = new Nvic(undefined, (e) => {
      throw e;
    });
    const log: number[] = [];
    nvic.setHandler(5, () => {
      log.push(nvic.deliver());
      if (log.length === 1) nvic.pend(5);
    });
    nvic.pend(5);
    expect(nvic.deliverable).toBe(false); // line not enabled yet
    nvic.enable(5);
    expect(nvic.deliverable).toBe(true);
    expect(log).toEqual([]);
    expect(nvic.deliver()).toBe(2); // the pend made by the handler joins the same pass
    expect(log).toEqual([0, 0]);
    expect(nvic.deliverable).toBe(false);
  });
  it('keeps the order of pends across passes, bursts past the queue it keeps, and pends made by handlers', () => {
    const nvic = new Nvic(undefined, (e) => {
      throw e;
    });
    const log: number[] = [];
    for (const irq of [1, 2]) {
      nvic.setHandler(irq, () => {
        log.push(irq);
        // Line 1's handler pends line 2 now and then: it must run after everything already queued.
        if (irq === 1 && log.length % 7 === 0) nvic.pend(2);
      });
      nvic.enable(irq);
    }
    for (const burst of [3, 5000, 1, 1500, 0, 2]) {
      log.length = 0;
      const want: number[] = [];
      for (let i = 0; i < burst; i++) nvic.pend(i % 3 ? 1 : 2);
      // The model: the same pends in order, plus a 2 for every 7th handler run of line 1, at the end.
      const order: number[] = [];
      for (let i = 0; i < burst; i++) order.push(i % 3 ? 1 : 2);
      for (let i = 0; i < order.length; i++) {
        want.push(order[i]);
        if (order[i] === 1 && want.length % 7 === 0) order.push(2);
      }
      expect(nvic.deliver()).toBe(want.length);
      expect(log).toEqual(want);
      expect(nvic.busy).toBe(false);
      expect(nvic.pendingCount(1) + nvic.pendingCount(2)).toBe(0);
    }
  });
});
