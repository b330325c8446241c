/**
 * The mock kernel's state: handle tables, notification centres, network requests, channels (each
 * channel type's own state lives with its area), the clock and the NVIC. Behaviours (src/areas/, one module per spec area)
 * act on it; the test scripts it through MockMicrovisor.
 */
import {
  MV_EVENTTYPE_CHANNELNOTCONNECTED,
  MV_NETWORKSTATUS_CONNECTED,
  type MvClosureReason,
  type MvFunctionName,
  type MvNetworkStatus,
  type MvSyscalls,
} from '@mvmqtt/sdk';
import { MockClock } from './clock.js';
import { AreaStates, ChannelBase, ChannelTypes, HandleAllocator, HandleTable, NetworkLink, seededRandom, type AreaStateClass, type NetworkRequest } from '@mvmqtt/sdk/runtime';
import type { MockCall } from './call.js';
import { LimitBook, type CallMeasures, type LimitOverrides } from '@mvmqtt/sdk/runtime';
import { SimulatedMemory, type AddressRange } from '@mvmqtt/sdk/runtime';
import { Nvic, type NotificationCentre, type NotificationCounters, type NotificationTarget } from '@mvmqtt/sdk/runtime';
import type { HandleTarget } from '@mvmqtt/sdk/runtime';
import { MockSystem, type MockSystemOptions } from './system.js';

export class CentreObject {
  constructor(readonly centre: NotificationCentre) {}
}

/** What a channel type's factory gets (see `Kernel.channelTypes`). */
export type ChannelArgs = [kind: number, target: NotificationTarget, receiveLength: number, buffers: readonly AddressRange[], views?: { receive: Uint8Array; send: Uint8Array }];

/**
 * A channel in the mock: its buffers besides what every channel has. Areas that carry traffic
 * register a subclass (or keep state beside it) through `Kernel.channelTypes`. Closed: ended by
 * the server, the network or a late fault.
 */
export class Channel extends ChannelBase {
  /** Set once the channel is in the handle table. */
  handle = 0;

  constructor(
    kind: number,
    target: NotificationTarget,
    /** Bytes of the receive buffer the application gave `mvOpenChannel`. */
    readonly receiveLength: number,
    readonly buffers: readonly AddressRange[],
    /** The application's receive and send buffers (raw channels read and write them). */
    readonly views?: { receive: Uint8Array; send: Uint8Array },
  ) {
    super(kind, target);
  }

  /** The channel has ended: nothing more is reported for it. */
  end(reason: MvClosureReason): void {
    this.closed = true;
    this.closureReason = reason;
  }
}

/** When IRQ handlers run: once the current JavaScript job ends, or only on `flush()`. */
export type IrqDelivery = 'microtask' | 'manual';

/** The kernel's own options; each area's are in its module (see `MockOptions`). */
export interface KernelOptions extends MockSystemOptions {
  /** Seed of the handle generator (default 1). */
  seed?: number;
  /** When IRQ handlers run: `microtask` (default, like the device core) or `manual` (on `flush()`). */
  irqDelivery?: IrqDelivery;
  /** `auto` (default): accepted requests are answered with success on the next flush; `manual`: only when the test answers them. */
  respond?: 'auto' | 'manual';
  /** Overrides of the limits the spec marks configurable; `false` switches one off. */
  limits?: LimitOverrides;
  /** Called when an IRQ handler throws (default: rethrown from `flush()` / the microtask). */
  onIrqError?: (err: unknown, irq: number) => void;
}

export class Kernel {
  readonly options: KernelOptions;
  readonly clock = new MockClock();
  readonly memory = new SimulatedMemory();
  readonly nvic: Nvic;
  /** Shared by every notification centre of this mock. */
  readonly notificationCounters: NotificationCounters = { notificationOverruns: 0, notificationsDropped: 0 };
  readonly limits: LimitBook;
  readonly centres: HandleTable<CentreObject>;
  readonly networks: HandleTable<NetworkRequest>;
  readonly channels: HandleTable<Channel>;
  /** How each channel type is built; areas that carry traffic register theirs. */
  readonly channelTypes = new ChannelTypes<ChannelArgs, Channel>((...args) => new Channel(...args));
  readonly respond: 'auto' | 'manual';
  /** Times (ms) of earlier successful calls, by function, for rate limits. */
  readonly callTimes = new Map<MvFunctionName, number[]>();
  /** Clocks, registers, logging, power, system notifications. */
  readonly system: MockSystem;
  private readonly handles: HandleAllocator;
  /** The handle table of each handle typedef, for `lookup`. */
  private readonly handleTypes = new Map<string, HandleTable<object>>();
  /** State the areas own, one of each kind (see `state`). */
  private readonly areaStates = new AreaStates<Kernel>(this);
  /** Deferred kernel work (answers to requests, acknowledgements completing), run by `flush()`. */
  private readonly work: (() => void)[] = [];
  private workScheduled = false;
  private readonly irqDelivery: IrqDelivery;

  constructor(options: KernelOptions = {}) {
    this.options = options;
    this.handles = new HandleAllocator(seededRandom(options.seed ?? 1));
    this.centres = this.handleTable('MvNotificationHandle');
    this.networks = this.handleTable('MvNetworkHandle');
    this.channels = this.handleTable('MvChannelHandle');
    this.system = new MockSystem(options, this.handles, () => [...this.centres.values()].map((c) => c.centre), () => this.clock.milliseconds());
    this.handleTypes.set('MvSystemEventHandle', this.system.subscriptions);
    this.irqDelivery = options.irqDelivery ?? 'microtask';
    this.nvic = new Nvic(
      this.irqDelivery === 'microtask' ? (drain) => queueMicrotask(drain) : undefined,
      options.onIrqError ??
        ((err) => {
          throw err;
        }),
    );
    this.limits = new LimitBook(options.limits);
    this.respond = options.respond ?? 'auto';
  }

  /** A handle table for the handles of typedef `handleType` (one table per typedef), searched by `lookup`. */
  handleTable<T extends object>(handleType: string): HandleTable<T> {
    if (this.handleTypes.has(handleType)) throw new Error(`@mvmqtt/mock: two handle tables for ${handleType}`);
    const table = new HandleTable<T>(this.handles);
    this.handleTypes.set(handleType, table);
    return table;
  }

  /** The live object a handle of typedef `handleType` names (objects without a kind never close while their handle lives). */
  lookup(handleType: string, value: unknown): HandleTarget | undefined {
    return this.handleTypes.get(handleType)?.get(value) as HandleTarget | undefined;
  }

  /** The state of kind `owner` an area keeps (see `AreaStates`). */
  state<T>(owner: AreaStateClass<Kernel, T>): T {
    return this.areaStates.of(owner);
  }

  /** The server or the network ends the channel: CHANNELNOTCONNECTED, once; the handle stays valid. */
  failChannel(channel: Channel, reason: MvClosureReason): void {
    if (channel.closed) return;
    channel.end(reason);
    channel.target.centre.post(MV_EVENTTYPE_CHANNELNOTCONNECTED, channel.target.tag);
  }

  setNetworkStatus(status: MvNetworkStatus, closeReason: MvClosureReason): void {
    if (!this.state(NetworkLink).change(status, this.networks, this.system)) return;
    if (this.logsOnline) this.defer(() => this.system.drainLogs(this.logsOnline));
    if (status !== MV_NETWORKSTATUS_CONNECTED) for (const channel of this.channels.values()) this.failChannel(channel, closeReason);
  }

  /** Server logs leave the buffer while the link is up and the application has not released its network. */
  get logsOnline(): boolean {
    return this.state(NetworkLink).online(this.networks.size);
  }

  /** Records a successful call towards the rate limits of `fn`. */
  noteCall(fn: MvFunctionName): void {
    let times = this.callTimes.get(fn);
    if (!times) this.callTimes.set(fn, (times = []));
    times.push(this.clock.milliseconds());
  }

  recentCalls(fn: MvFunctionName): number[] {
    return this.callTimes.get(fn) ?? [];
  }

  defer(task: () => void): void {
    this.work.push(task);
    if (this.irqDelivery !== 'microtask' || this.workScheduled) return;
    this.workScheduled = true;
    queueMicrotask(() => {
      this.workScheduled = false;
      this.flush();
    });
  }

  /** Runs deferred work and delivers interrupts until nothing is left. Returns how many steps ran. */
  flush(): number {
    let steps = 0;
    for (;;) {
      const task = this.work.shift();
      if (task) {
        task();
        steps++;
        continue;
      }
      const ran = this.nvic.deliver();
      steps += ran;
      if (ran === 0 && this.work.length === 0) return steps;
    }
  }

  get idle(): boolean {
    return this.work.length === 0 && !this.nvic.deliverable;
  }
}

/** The statuses function `F` can return. */
export type StatusOf<F extends MvFunctionName> = ReturnType<MvSyscalls[F]>;

/** The status of the first call-level limit of the call the measures exceed, if any (see `LimitBook.check`). */
export function limit<F extends MvFunctionName>(k: Kernel, call: MockCall<F>, measures: Omit<CallMeasures, 'now'>): StatusOf<F> | undefined {
  return k.limits.check(call.fn, { ...measures, now: k.clock.milliseconds() }) as StatusOf<F> | undefined;
}

/** The channel behind a handle the validator found live. */
export function channelOf(k: Kernel, handle: number): Channel {
  return k.channels.get(handle)!;
}
