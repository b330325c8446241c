/**
 * The interrupt controller as the application sees it, like the device core's: Microvisor pends
 * an IRQ for every notification record it writes and never configures the NVIC itself, so the
 * application installs a handler and enables the line. Pends are counted, so a handler runs once
 * per record, in order, never merged.
 *
 * Handlers never run inside a system call. With delivery `microtask` they run once the current
 * JavaScript job ends (as on the device core); with `manual` they run only when the test calls
 * `deliver()` (or `MockMicrovisor.flush()`), which makes every step explicit.
 */

export type IrqHandler = () => void;
export type IrqDelivery = 'microtask' | 'manual';

interface IrqLine {
  handler: IrqHandler | undefined;
  enabled: boolean;
  /** Pends not yet delivered. */
  pending: number;
}

export class MockNvic {
  private readonly lines = new Map<number, IrqLine>();
  /** IRQ numbers in the order they were pended, one entry per pend. */
  private readonly queue: number[] = [];
  private scheduled = false;
  private delivering = false;

  constructor(
    private readonly delivery: IrqDelivery,
    private readonly onHandlerError: (err: unknown, irq: number) => void,
  ) {}

  setHandler(irq: number, handler: IrqHandler | undefined): void {
    this.line(irq).handler = handler;
    this.schedule();
  }

  enable(irq: number): void {
    this.line(irq).enabled = true;
    this.schedule();
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
    if (!line || line.pending === 0) return;
    line.pending = 0;
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i] === irq) this.queue.splice(i, 1);
  }

  pendingCount(irq: number): number {
    return this.lines.get(irq)?.pending ?? 0;
  }

  /** Called by the kernel: one pend = one future handler invocation. */
  pend(irq: number): void {
    this.line(irq).pending++;
    this.queue.push(irq);
    this.schedule();
  }

  /**
   * Runs the handler of every deliverable pend, in order, including pends the handlers cause.
   * Pends of a disabled line or one without a handler wait until it is enabled. Returns how
   * many handlers ran.
   */
  deliver(): number {
    if (this.delivering) return 0;
    this.delivering = true;
    let ran = 0;
    try {
      for (let i = 0; i < this.queue.length; ) {
        const irq = this.queue[i];
        const line = this.lines.get(irq)!;
        if (!line.enabled || !line.handler) {
          i++;
          continue;
        }
        this.queue.splice(i, 1);
        line.pending--;
        ran++;
        try {
          line.handler();
        } catch (err) {
          this.onHandlerError(err, irq);
        }
        // A handler may have enabled a line whose pends were skipped: start over.
        i = 0;
      }
    } finally {
      this.delivering = false;
    }
    return ran;
  }

  /** True while some pend could be delivered now. */
  get deliverable(): boolean {
    return this.queue.some((irq) => {
      const line = this.lines.get(irq)!;
      return line.enabled && line.handler !== undefined;
    });
  }

  private line(irq: number): IrqLine {
    let line = this.lines.get(irq);
    if (!line) this.lines.set(irq, (line = { handler: undefined, enabled: false, pending: 0 }));
    return line;
  }

  private schedule(): void {
    if (this.delivery !== 'microtask' || this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.deliver();
    });
  }
}
