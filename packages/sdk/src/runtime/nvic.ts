/**
 * The interrupt controller as the application sees it, shared by the device core and the mock.
 * Microvisor pends an IRQ for every notification record it writes and never configures the
 * NVIC itself: the application installs a handler and enables the line (the vendor demos call
 * NVIC_ClearPendingIRQ and NVIC_EnableIRQ right after mvSetupNotifications).
 *
 * Unlike a hardware pending bit, pends are counted: the handler runs once per record, in the
 * order the records were written, never merged. Handlers never run inside a system call; when
 * they run is the runtime's delivery strategy (the device: process.nextTick; the mock: a
 * microtask, or only on an explicit `deliver()`).
 */

export type IrqHandler = () => void;

/** Queue capacity kept between delivery passes (entries); a bigger one is released. */
const RETAINED_QUEUE_MAX = 1024;

/**
 * Schedules one later call of `drain`. `undefined` means manual delivery: handlers run only when
 * the runtime calls `Nvic.deliver()`.
 */
export type IrqScheduler = (drain: () => void) => void;

/** The application's view of the NVIC (what CMSIS's NVIC_* functions do on hardware). */
export interface IrqController {
  setHandler(irq: number, handler: IrqHandler | undefined): void;
  enable(irq: number): void;
  disable(irq: number): void;
  /** NVIC_ClearPendingIRQ: forget every pend of this line not yet delivered. */
  clearPending(irq: number): void;
  isEnabled(irq: number): boolean;
  /** Pends of this line not yet delivered. */
  pendingCount(irq: number): number;
  /** NVIC_SetPendingIRQ: the handler runs as if the line had fired. */
  pend(irq: number): void;
}

interface IrqLine {
  handler: IrqHandler | undefined;
  enabled: boolean;
  /** Entries for this line waiting in the delivery queue. */
  queued: number;
  /** Queued entries to discard (clearPending). */
  drop: number;
  /** Pends that reached delivery while the line was disabled or had no handler. */
  held: number;
}

export class Nvic implements IrqController {
  private readonly lines = new Map<number, IrqLine>();
  /**
   * One IRQ number per pend, in pend order: `head` is the next to deliver, `tail` the next free
   * slot. The array keeps its capacity between passes (truncating it would reallocate its
   * backing store on the next pends: one pend per notification record, so per message).
   */
  private readonly queue: number[] = [];
  private head = 0;
  private tail = 0;
  private scheduled = false;
  private draining = false;
  private handling = 0;
  private readonly drainBound = (): void => {
    this.scheduled = false;
    this.deliver();
  };

  constructor(
    private readonly schedule: IrqScheduler | undefined,
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

  clearPending(irq: number): void {
    const line = this.lines.get(irq);
    if (!line) return;
    line.held = 0;
    line.drop = line.queued;
  }

  pendingCount(irq: number): number {
    const line = this.lines.get(irq);
    return line ? line.queued - line.drop + line.held : 0;
  }

  /** Called by the kernel: one pend = one future handler invocation. */
  pend(irq: number): void {
    this.line(irq).queued++;
    this.queue[this.tail++] = irq;
    this.requestDrain();
  }

  /** True while queue entries wait to be looked at (the device's `idle()` waits for this). */
  get busy(): boolean {
    return this.head < this.tail;
  }

  /** True while an IRQ handler runs: calls the spec marks "not from an interrupt" refuse then. */
  get inHandler(): boolean {
    return this.handling > 0;
  }

  /** True when some pend would run a handler if delivered now. */
  get deliverable(): boolean {
    for (const line of this.lines.values()) if (line.enabled && line.handler && line.queued > line.drop) return true;
    return false;
  }

  /**
   * Runs the handler of every deliverable pend, in order, including pends the handlers cause.
   * Pends of a disabled line (or one without a handler) are held until it is enabled. Returns
   * how many handlers ran; a call from inside a handler returns 0 (the outer pass goes on).
   */
  deliver(): number {
    if (this.draining) return 0;
    this.draining = true;
    let ran = 0;
    try {
      while (this.head < this.tail) {
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
        ran++;
        this.handling++;
        try {
          line.handler();
        } catch (err) {
          this.onHandlerError(err, irq);
        } finally {
          this.handling--;
        }
      }
      this.head = 0;
      this.tail = 0;
      // An unusual burst does not pin its memory for the device's life.
      if (this.queue.length > RETAINED_QUEUE_MAX) this.queue.length = 0;
    } finally {
      this.draining = false;
    }
    return ran;
  }

  private line(irq: number): IrqLine {
    let line = this.lines.get(irq);
    if (!line) this.lines.set(irq, (line = { handler: undefined, enabled: false, queued: 0, drop: 0, held: 0 }));
    return line;
  }

  /** Held pends of a line that can now run go back into the queue. */
  private release(irq: number): void {
    const line = this.lines.get(irq);
    if (!line || !line.enabled || !line.handler || line.held === 0) return;
    const n = line.held;
    line.held = 0;
    for (let i = 0; i < n; i++) this.pend(irq);
  }

  private requestDrain(): void {
    // While a pass runs, new pends join it; a scheduled pass is already coming otherwise.
    if (this.scheduled || this.draining || !this.schedule) return;
    this.scheduled = true;
    this.schedule(this.drainBound);
  }
}
