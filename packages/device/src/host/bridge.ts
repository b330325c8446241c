/**
 * Serves a host firmware build: answers its system calls from a `Device`, and forwards the
 * device's interrupts (after writing the notification records into the firmware's ring).
 * Calls arrive on the call socket one at a time (the firmware waits for each answer);
 * interrupts and ring writes go out on the event socket, in the order they happened.
 */
import type { Socket } from 'node:net';
import { LIMITS } from '@mvmqtt/sdk';
import type { Device } from '../device.js';
import { HOST_TABLES } from './generated/tables.js';
import { HostMemory } from './marshal.js';
import { EVENT_IRQ, EVENT_WRITES_ONLY, FrameReader, encodeAnswer, encodeEvent } from './protocol.js';

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
    try {
      status = this.calls[fn](...args);
    } catch (err) {
      // Not a bad argument (those get their status from the device): a call this bridge cannot serve.
      this.hooks.onBridgeError?.(err as Error);
      return;
    }
    this.calls_served++;
    this.callSocket.write(encodeAnswer(status, finish()));
    // Records the device wrote during the call (into a ring the call did not name) go out now.
    const later = this.memory.retainedWrites();
    if (later.length) this.eventSocket.write(encodeEvent(EVENT_WRITES_ONLY, 0, later));
    this.hooks.onCall?.(HOST_TABLES.functions[fn].name, args, status);
  }

  private forwardIrq(irq: number): void {
    this.irqs_forwarded++;
    this.eventSocket.write(encodeEvent(EVENT_IRQ, irq, this.memory.retainedWrites()));
    this.hooks.onIrq?.(irq);
  }
}
