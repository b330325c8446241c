/**
 * The interrupt controller as the application sees it. Microvisor pends an IRQ for every
 * notification record it writes; it never configures the NVIC itself, so the application
 * installs a handler and enables the line (the demos call NVIC_ClearPendingIRQ and
 * NVIC_EnableIRQ right after mvSetupNotifications).
 *
 * Unlike a real pending bit, pends are counted: the handler runs once per record, in the
 * order records were written, never merged. Handlers run asynchronously (after the system
 * call that caused them has returned), like an interrupt taken once the kernel call ends.
 */

export type IrqHandler = () => void;

/**
 * When pended handlers run: `tick` (process.nextTick, the default) interleaves them with
 * mqtt.js's packet processing, which itself steps from packet to packet on nextTick, so the
 * application drains items as they arrive; `microtask` waits until the whole nextTick queue
 * is empty (a burst of packets is parsed first); `macrotask` defers them to setImmediate.
 */
export type IrqDelivery = 'tick' | 'microtask' | 'macrotask';

interface IrqLine {
  handler: IrqHandler | undefined;
  enabled: boolean;
  /** Entries for this line waiting in the delivery queue. */
  queued: number;
  /** Queued entries to discard (clearPending). */
  drop: number;
  /** Pends that arrived while the line was disabled or had no handler. */
  held: number;
}

export class Nvic {
  private readonly lines = new Map<number, IrqLine>();
  private queue: number[] = [];
  private head = 0;
  private scheduled = false;
  private readonly drainBound = (): void => this.drain();

  constructor(
    private readonly delivery: IrqDelivery,
    private readonly onHandlerError: (err: unknown, irq: number) => void,
  ) {}

  setHandler(irq: number, handler: IrqHandler | undefined): void {
    this.line(irq).handler = handler;
    this.release(irq);
  }

  enable(irq: number): void {
    this.line(irq).enabled = true;
    this.release(irq);
  }

  disable(irq: number): void {
    this.line(irq).enabled = false;
  }

  isEnabled(irq: number): boolean {
    return this.lines.get(irq)?.enabled ?? false;
  }

  /** NVIC_ClearPendingIRQ: forget every pend of this line not yet delivered. */
  clearPending(irq: number): void {
    const line = this.lines.get(irq);
    if (!line) return;
    line.held = 0;
    line.drop = line.queued;
  }

  /** Pends not yet delivered for the line (queued or held). */
  pendingCount(irq: number): number {
    const line = this.lines.get(irq);
    return line ? line.queued - line.drop + line.held : 0;
  }

  /** True while handler invocations are waiting to run. */
  get busy(): boolean {
    return this.head < this.queue.length;
  }

  /** Called by the kernel: one pend = one future handler invocation. */
  pend(irq: number): void {
    const line = this.line(irq);
    line.queued++;
    this.queue.push(irq);
    this.schedule();
  }

  private line(irq: number): IrqLine {
    let line = this.lines.get(irq);
    if (!line) {
      line = { handler: undefined, enabled: false, queued: 0, drop: 0, held: 0 };
      this.lines.set(irq, line);
    }
    return line;
  }

  private release(irq: number): void {
    const line = this.lines.get(irq);
    if (!line || !line.enabled || !line.handler || line.held === 0) return;
    const n = line.held;
    line.held = 0;
    for (let i = 0; i < n; i++) this.pend(irq);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    if (this.delivery === 'tick') process.nextTick(this.drainBound);
    else if (this.delivery === 'microtask') queueMicrotask(this.drainBound);
    else setImmediate(this.drainBound);
  }

  private drain(): void {
    // Handlers may pend more IRQs (through system calls): they join this same pass, so
    // `scheduled` stays true until the queue is empty.
    while (this.head < this.queue.length) {
      const irq = this.queue[this.head++];
      const line = this.lines.get(irq)!;
      line.queued--;
      if (line.drop > 0) {
        line.drop--;
        continue;
      }
      if (!line.enabled || !line.handler) {
        line.held++;
        continue;
      }
      try {
        line.handler();
      } catch (err) {
        this.onHandlerError(err, irq);
      }
    }
    this.queue.length = 0;
    this.head = 0;
    this.scheduled = false;
  }
}
