/**
 * Serves a host firmware build: answers its system calls from a `Device`, and forwards the
 * device's interrupts (after writing the notification records into the firmware's ring).
 * Calls come one at a time (the firmware waits for each answer): through the shared-memory
 * channel when the runner made one (see native/mvhost_shm.c), else on the call socket.
 * A call is like an SVC: everything the kernel wrote during it, into the call's own regions or
 * into memory lent earlier (rings, channel buffers), comes back in its answer, and interrupts it
 * raised are forwarded after the answer. Interrupts between calls go out on the event socket
 * with the writes that preceded them.
 */
import type { Socket } from 'node:net';
import { LIMITS } from '@mvmqtt/sdk';
import type { Device } from '../device.js';
import { HOST_TABLES } from './generated/tables.js';
import { HostMemory } from './marshal.js';
import { EVENT_IRQ, FrameReader, REQUEST_HEADER, answerSize, encodeAnswer, encodeAnswerInto, encodeEventInto, eventSize, GrowingBuffer, type MemoryWrite } from './protocol.js';
import type { ShmAddon } from './shm.js';
import { SHM } from './generated/protocol.js';

type Syscall = (...args: unknown[]) => number;

/** By function id: one array of strings, not a load from table rows of several shapes per call. */
const FUNCTION_NAMES: readonly string[] = HOST_TABLES.functions.map((f) => f.name);

export interface BridgeHooks {
  /** After every call, with the function's name, its decoded arguments and the status. */
  onCall?(name: string, args: readonly unknown[], status: number): void;
  /** When an interrupt is forwarded to the firmware. */
  onIrq?(irq: number): void;
  /** A call the bridge cannot serve (a function the device core or the bridge lacks): the firmware is stopped. */
  onBridgeError?(err: Error): void;
}

/** A call channel shared with the firmware (the runner creates it and hands its fd to the child). */
export interface SharedCallChannel {
  addon: ShmAddon;
  buffer: ArrayBuffer;
  /** Bytes in each of the request and answer areas. */
  capacity: number;
}

/**
 * After an answer, the device core spins up to this long for the firmware's next call before
 * going back to its event loop (most firmware calls follow each other within microseconds).
 * The budget halves after each spin that ran out, down to MIN (on a machine too busy to run
 * both processes at once, spinning only delays the firmware), and grows again when a call rings
 * the doorbell soon after the end of a spin. A spin ends at once when the firmware sleeps in WFI.
 */
const NEXT_CALL_SPIN_MAX_NS = 50_000;
const NEXT_CALL_SPIN_MIN_NS = 500;
/**
 * After forwarding an interrupt from the event loop, the device core waits up to this long for
 * the call the firmware makes in response (its handler's, or the woken main loop's), so that
 * call finds the device watching instead of ringing the doorbell and waiting for this process
 * to wake. Adaptive like NEXT_CALL_SPIN (an RTOS build takes interrupts on its tick, up to a
 * millisecond later, and then rarely profits).
 */
const IRQ_CALL_SPIN_MAX_NS = 100_000;
const IRQ_CALL_SPIN_MIN_NS = 2_000;
/** How long a firmware may spin for an answer while it is the only one this process serves. */
const ANSWER_SPIN_LIMIT_NS = 200_000;
/** Calls served back to back before the event loop gets a turn (network I/O must not starve). */
const CALLS_PER_TURN = 64;

/**
 * Bridges on shared memory in this process. Spinning pays only with one firmware: a process
 * serving several (a fleet) would spin for one while the others wait, so then nobody spins.
 */
const spinning = new Set<HostBridge>();

function updateSpinning(): void {
  const alone = spinning.size === 1;
  for (const b of spinning) b.allowSpinning(alone);
}

export class HostBridge {
  readonly memory: HostMemory;
  private readonly reader = new FrameReader();
  private readonly calls: Syscall[];
  calls_served = 0;
  irqs_forwarded = 0;
  /** Events written to the event socket so far (every answer carries it). */
  private eventsSent = 0;
  /** Set while a call runs: interrupts it raises wait for its answer. */
  private inCall = false;
  private readonly raisedInCall: number[] = [];
  /** Which transport carries the calls. */
  readonly transport: 'shared-memory' | 'socket';
  private served = 0;
  private spinNs = NEXT_CALL_SPIN_MAX_NS;
  private irqSpinNs = IRQ_CALL_SPIN_MAX_NS;
  private irqSpinScheduled = false;
  /** Events not written to the event socket yet, encoded back to back. */
  private readonly unsentEvents = new GrowingBuffer();
  private lastSpinWasAfterIrq = false;
  /** When this end last stopped watching (performance.now()). */
  private idleSince = 0;
  private spinAllowed = true;
  private pumping = false;
  private pumpScheduled = false;
  private closed = false;
  private readonly requests: Buffer | undefined;
  private readonly answers: Buffer | undefined;

  constructor(
    device: Device,
    private readonly callSocket: Socket,
    private readonly eventSocket: Socket,
    private readonly hooks: BridgeHooks = {},
    private readonly channel?: SharedCallChannel,
  ) {
    this.memory = new HostMemory((buffer, address) => device.placeBuffer(buffer, address));
    const target = device as unknown as Record<string, Syscall | undefined>;
    this.calls = HOST_TABLES.functions.map((f) => {
      if (f.unsupported) return () => {
        throw new Error(`the host bridge cannot forward ${f.name} yet: ${f.unsupported}`);
      };
      const impl = target[f.name];
      // A function the spec has but this device does not implement yet: the firmware gets a clear error.
      if (typeof impl !== 'function') return () => {
        throw new Error(`the device core does not implement ${f.name}`);
      };
      return impl.bind(device) as Syscall;
    });
    // Every line the firmware may name gets a forwarder; the firmware's own NVIC decides delivery.
    const range = LIMITS.NOTIFICATION_IRQ_RANGE;
    for (let irq = range.min; irq <= range.max; irq++) {
      device.nvic.setHandler(irq, () => this.forwardIrq(irq));
      device.nvic.enable(irq);
    }
    callSocket.setNoDelay?.(true);
    this.transport = channel ? 'shared-memory' : 'socket';
    if (channel) {
      const area = SHM.REQUEST_AREA;
      this.requests = Buffer.from(channel.buffer, area, channel.capacity);
      this.answers = Buffer.from(channel.buffer, area + channel.capacity, channel.capacity);
      // A doorbell byte: the firmware made a call while this end was not watching.
      callSocket.on('data', () => this.onDoorbell());
      spinning.add(this);
      updateSpinning();
    } else {
      callSocket.on('data', (chunk: Buffer) => this.reader.push(chunk, (frame) => this.serve(frame.buffer, frame.byteOffset, frame.byteLength)));
    }
  }

  /** A doorbell: a call came while this end was not watching. */
  private onDoorbell(): void {
    // Came soon after giving up: the spin that gave up was too short.
    const lateNs = (performance.now() - this.idleSince) * 1e6;
    if (this.spinAllowed && lateNs < 2 * IRQ_CALL_SPIN_MAX_NS) {
      if (this.lastSpinWasAfterIrq) this.irqSpinNs = Math.min(IRQ_CALL_SPIN_MAX_NS, Math.max(this.irqSpinNs * 2, lateNs));
      else this.spinNs = Math.min(NEXT_CALL_SPIN_MAX_NS, Math.max(this.spinNs * 2, lateNs));
    }
    this.channel!.addon.watch(this.channel!.buffer);
    this.pump();
  }

  /** Stops serving (the firmware has ended). */
  close(): void {
    this.closed = true;
    if (spinning.delete(this)) updateSpinning();
  }

  /** Whether both ends may spin for each other (see `spinning`). */
  allowSpinning(allowed: boolean): void {
    this.spinAllowed = allowed;
    this.channel!.addon.spinLimit(this.channel!.buffer, allowed ? ANSWER_SPIN_LIMIT_NS : 0);
  }

  /**
   * Serves shared-memory calls while they keep coming, then marks this end idle so that the
   * next call rings the doorbell. Gives the event loop a turn every CALLS_PER_TURN calls.
   */
  private pump(afterIrq = false): void {
    const { addon, buffer } = this.channel!;
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let turn = 0; !this.closed; ) {
        const spin = !this.spinAllowed ? 0 : afterIrq ? this.irqSpinNs : this.spinNs;
        const got = addon.next(buffer, this.served, spin, this.eventsSent);
        // A spin that ran out shortens the next one (a doorbell right after lengthens it, see
        // onDoorbell); one cut short because the firmware sleeps in WFI says nothing.
        if (got === this.served && spin) {
          if (afterIrq) this.irqSpinNs = Math.max(IRQ_CALL_SPIN_MIN_NS, this.irqSpinNs >> 1);
          else this.spinNs = Math.max(NEXT_CALL_SPIN_MIN_NS, this.spinNs >> 1);
        }
        this.lastSpinWasAfterIrq = afterIrq;
        afterIrq = false;
        if (got === this.served || got < 0) {
          this.idleSince = performance.now();
          if (addon.idle(buffer, this.served)) return;
          continue;
        }
        const seq = got;
        const length = this.requests!.readUInt32LE(0);
        this.served = seq;
        if (length < REQUEST_HEADER || length > this.requests!.byteLength) {
          this.close();
          this.hooks.onBridgeError?.(new Error(`malformed request of ${length} bytes from the firmware`));
          return;
        }
        this.serve(this.requests!.buffer, this.requests!.byteOffset, length, seq);
        if (++turn === CALLS_PER_TURN) {
          // Still watching: the firmware's next call waits for the next turn, with no doorbell.
          if (!this.pumpScheduled) {
            this.pumpScheduled = true;
            setImmediate(() => {
              this.pumpScheduled = false;
              this.pump();
            });
          }
          return;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Serves one request; `seq` is its sequence number on the shared channel (none: from the call socket). */
  private serve(buffer: ArrayBufferLike, offset: number, length: number, seq?: number): void {
    let fn: number;
    let args: unknown[];
    let status: number;
    const writes: MemoryWrite[] = [];
    this.inCall = true;
    try {
      const call = this.memory.decodeAt(buffer, offset, length);
      fn = call.fn;
      args = call.args;
      status = this.calls[fn](...args);
      call.finish(writes);
      this.memory.retainedWrites(writes);
      if (seq !== undefined && answerSize(writes) > this.answers!.byteLength) throw new Error('an answer larger than the call channel');
    } catch (err) {
      // Not a bad argument (those get their status from the device): a request this bridge cannot serve.
      this.inCall = false;
      this.close();
      this.raisedInCall.length = 0;
      this.hooks.onBridgeError?.(err as Error);
      return;
    }
    this.inCall = false;
    this.calls_served++;
    // The answer tells the firmware to wait for every event counted so far: they must be on their way.
    this.flushEvents();
    if (seq === undefined) this.callSocket.write(encodeAnswer(status, writes, this.eventsSent));
    else {
      encodeAnswerInto(this.answers!, status, writes, this.eventsSent);
      this.channel!.addon.answer(this.channel!.buffer, seq);
    }
    if (this.raisedInCall.length) {
      for (const irq of this.raisedInCall.splice(0)) this.sendIrq(irq);
      // Out now, not at the end of this turn: the pump may be serving (or spinning for) more calls.
      this.flushEvents();
    }
    this.hooks.onCall?.(FUNCTION_NAMES[fn], args, status);
  }

  private forwardIrq(irq: number): void {
    if (this.inCall) this.raisedInCall.push(irq);
    else this.sendIrq(irq);
  }

  private sendIrq(irq: number): void {
    this.irqs_forwarded++;
    this.eventsSent++;
    // Interrupts raised in one turn of the event loop (a read from the broker may complete many
    // requests) go out in one write: one wake-up of the firmware's event thread, not one each.
    // A fresh array: emptying one (length = 0) is a runtime call, dearer than a new one.
    const writes: MemoryWrite[] = [];
    this.memory.retainedWrites(writes);
    const at = this.unsentEvents.reserve(eventSize(writes));
    encodeEventInto(this.unsentEvents.bytes, at, EVENT_IRQ, irq, writes);
    if (at === 0) setImmediate(() => this.flushEvents());
    this.hooks.onIrq?.(irq);
    if (this.channel && this.spinAllowed && !this.pumping) this.awaitCallAfterIrq();
  }

  /** Writes the events not sent yet (before any answer that counts them, and once per turn). */
  private flushEvents(): void {
    const length = this.unsentEvents.used;
    if (length === 0) return;
    // A copy for the socket (it may hold it until written; small ones come from Node's pool).
    const events = Buffer.allocUnsafe(length);
    this.unsentEvents.bytes.copy(events, 0, 0, length);
    this.unsentEvents.used = 0;
    this.eventSocket.write(events);
  }

  /**
   * Once this turn of the event loop has forwarded what arrived (several interrupts may come
   * from one read), watch for the firmware's answering call for a while (see IRQ_CALL_SPIN).
   */
  private awaitCallAfterIrq(): void {
    if (this.irqSpinScheduled) return;
    this.irqSpinScheduled = true;
    setImmediate(() => {
      this.irqSpinScheduled = false;
      if (this.closed || this.pumping) return;
      this.channel!.addon.watch(this.channel!.buffer);
      this.pump(true);
    });
  }
}
