/**
 * Serves a host firmware build: answers its system calls from a `Device`, and forwards the
 * device's interrupts (after writing the notification records into the firmware's ring).
 * Calls arrive on the call socket one at a time (the firmware waits for each answer).
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
import { EVENT_IRQ, FrameReader, encodeAnswer, encodeEvent } from './protocol.js';

type Syscall = (...args: unknown[]) => number;

export interface BridgeHooks {
  /** After every call, with the function's name, its decoded arguments and the status. */
  onCall?(name: string, args: readonly unknown[], status: number): void;
  /** When an interrupt is forwarded to the firmware. */
  onIrq?(irq: number): void;
  /** A call the bridge cannot serve (a function the device core or the bridge lacks): the firmware is stopped. */
  onBridgeError?(err: Error): void;
}

export class HostBridge {
  readonly memory = new HostMemory();
  private readonly reader = new FrameReader();
  private readonly calls: Syscall[];
  calls_served = 0;
  irqs_forwarded = 0;
  /** Events written to the event socket so far (every answer carries it). */
  private eventsSent = 0;
  /** Set while a call runs: interrupts it raises wait for its answer. */
  private inCall = false;
  private readonly raisedInCall: number[] = [];

  constructor(
    private readonly device: Device,
    private readonly callSocket: Socket,
    private readonly eventSocket: Socket,
    private readonly hooks: BridgeHooks = {},
  ) {
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
    callSocket.on('data', (chunk: Buffer) => this.reader.push(chunk, (frame) => this.serve(frame)));
  }

  private serve(frame: Buffer): void {
    const { fn, args, finish } = this.memory.decode(frame);
    let status: number;
    let answer: Buffer;
    this.inCall = true;
    try {
      status = this.calls[fn](...args);
      answer = encodeAnswer(status, [...finish(), ...this.memory.retainedWrites()], this.eventsSent);
    } catch (err) {
      // Not a bad argument (those get their status from the device): a call this bridge cannot serve.
      this.inCall = false;
      this.raisedInCall.length = 0;
      this.hooks.onBridgeError?.(err as Error);
      return;
    }
    this.inCall = false;
    this.calls_served++;
    this.callSocket.write(answer);
    for (const irq of this.raisedInCall.splice(0)) this.sendIrq(irq);
    this.hooks.onCall?.(HOST_TABLES.functions[fn].name, args, status);
  }

  private forwardIrq(irq: number): void {
    if (this.inCall) this.raisedInCall.push(irq);
    else this.sendIrq(irq);
  }

  private sendIrq(irq: number): void {
    this.irqs_forwarded++;
    this.eventsSent++;
    this.eventSocket.write(encodeEvent(EVENT_IRQ, irq, this.memory.retainedWrites()));
    this.hooks.onIrq?.(irq);
  }
}
