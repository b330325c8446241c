/**
 * The emulated Microvisor device: the generated `MvSyscalls` entry layer (src/generated/) over
 * the area behaviours (src/areas/), which act on simulated memory, handle tables, notification
 * centres, a simulated network and channels (MQTT channels backed by mqtt.js).
 *
 * Every system call returns a status, never throws: malformed arguments become PARAMETERFAULT
 * (or the late fault where the call's table has one), and with `debugChecks` on a status the
 * function's error table does not list is reported as an emulator bug.
 */
import { MV_STATUS_OKAY, statusName } from '@mvmqtt/sdk';
import type { MvFunctionName, MvStatus } from '@mvmqtt/sdk';
import {
  Fault,
  allowedStatuses,
  kernelStateOf,
  refusedInInterrupt,
  refusedOutsideTestMode,
  statusForException,
  unwritableStatus,
  type ArgumentCheck,
  type IrqController,
  type KernelState,
} from '@mvmqtt/sdk/runtime';
import { createDeviceBehaviours, DeviceSyscallsBase, type DeviceBehaviours } from './generated/index.js';
import { Kernel, type Diagnostics } from './kernel/kernel.js';
import { ChannelOpens } from './areas/channels.js';
import { loseNetwork, restoreNetwork } from './network.js';
import { BrokerOutage } from './mqtt/outage.js';
import { resolveOptions, type DeviceOptions, type ResolvedOptions } from './options.js';
import { deviceState, type DeviceState } from './inspect.js';
import { notificationObserver } from './areas/notifications.js';
import { loadInspector, type InspectOptions, type InspectorAttachment } from './inspector.js';
import type { TraceEvent } from './trace.js';
import type { SystemEvent } from './system.js';
import { NetworkLink, SimulatedWorld, type RunEnd } from '@mvmqtt/sdk/runtime';

export type { IrqController };

export interface DeviceDiagnostics extends Diagnostics {
  /** Exceptions from malformed arguments that were turned into PARAMETERFAULT. */
  exceptionsAsFaults: number;
  lastException: unknown;
}

export class Device extends DeviceSyscallsBase {
  private readonly k: Kernel;
  private readonly options: ResolvedOptions;
  private readonly debug: boolean;
  protected readonly behaviours: DeviceBehaviours;
  readonly diagnostics: DeviceDiagnostics;
  /** Install and enable the handlers for the IRQs given to mvSetupNotifications here. */
  readonly nvic: IrqController;
  /** The world outside networking, as a test scripts it: wall time, updates, a busy Microvisor, registers. */
  readonly world: SimulatedWorld;

  constructor(options: DeviceOptions = {}) {
    super();
    this.options = resolveOptions(options);
    this.k = new Kernel(this.options);
    this.debug = this.options.debugChecks;
    this.tracing = this.options.trace !== undefined;
    this.nvic = this.k.nvic;
    this.world = new SimulatedWorld(this.k.system);
    this.diagnostics = Object.assign(this.k.diagnostics, { exceptionsAsFaults: 0, lastException: undefined as unknown });
    this.behaviours = createDeviceBehaviours(this.k, options);
    this.args = this.k.args;
  }

  // ------------------------------------------------------------------ entry/exit of every call (see DeviceSyscallsBase)

  protected readonly args: ArgumentCheck;

  protected unwritable(fn: MvFunctionName): MvStatus {
    return unwritableStatus(fn);
  }

  protected ruled(fn: MvFunctionName): MvStatus {
    return refusedInInterrupt(fn, this.k.nvic.inHandler) ?? refusedOutsideTestMode(fn, this.k.system.testMode) ?? MV_STATUS_OKAY;
  }

  protected caught(fn: MvFunctionName, err: unknown): MvStatus {
    if (!(err instanceof Fault)) {
      this.diagnostics.exceptionsAsFaults++;
      this.diagnostics.lastException = err;
    }
    const status = statusForException(fn, err);
    // Calls that take only values cannot fault: reaching this is an emulator bug.
    if (status === undefined) throw err;
    return status;
  }

  protected done(fn: MvFunctionName, status: MvStatus): MvStatus {
    // OKAY is allowed everywhere: the common case skips the keyed look-up.
    if (this.debug && status !== MV_STATUS_OKAY && !allowedStatuses(fn).has(status)) {
      this.k.diagnostics.statusViolations++;
      throw new Error(`emulator bug: ${fn} returned ${statusName(status)}, which its error table does not list`);
    }
    return status;
  }

  /**
   * Tested by every call, and all a call pays while nothing listens: a plain field, set
   * whenever the receivers change (observers attach and detach at any time).
   */
  protected tracing: boolean;

  protected traceCall(fn: MvFunctionName, args: readonly unknown[], status: MvStatus): void {
    this.options.trace?.({ kind: 'syscall', name: fn, args, status });
  }

  // ------------------------------------------------------------------ the simulated world

  /** The link to the Microvisor cloud goes down: NETWORKSTATUSCHANGED to every request, every channel closes with NETWORKDISCONNECTED. */
  simulateNetworkLoss(): void {
    loseNetwork(this.k);
  }

  restoreNetwork(): void {
    restoreNetwork(this.k);
  }

  get networkUp(): boolean {
    return this.k.state(NetworkLink).up;
  }

  /** The next `count` mvOpenChannel calls return UNAVAILABLE (as when Microvisor cannot open a channel right now). */
  injectOpenChannelUnavailable(count = 1): void {
    this.k.state(ChannelOpens).unavailable += count;
  }

  /** Gives `buffer` the address of the application memory it mirrors (host firmware builds), for the alignment rules. */
  placeBuffer(buffer: ArrayBufferLike, address: number): void {
    this.k.memory.place(buffer, address);
  }

  /** The simulated address of a buffer view (base of its ArrayBuffer + byteOffset). */
  addressOf(view: ArrayBufferView): number {
    return this.k.memory.addressOf(view);
  }

  /** mvGetMicroseconds' clock: microseconds since the device started; notification timestamps use it. */
  microseconds(): bigint {
    return this.k.clock.microseconds();
  }

  /** Live channels (not yet closed with mvCloseChannel). */
  get openChannels(): number {
    return this.k.channels.size;
  }

  /** Live handles and channels, as plain data. */
  kernelState(): KernelState {
    return kernelStateOf(this.k);
  }

  /** Resolves once no IRQ handler invocation is pending. */
  async idle(): Promise<void> {
    do await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.k.nvic.busy);
  }

  /** Resolves when `predicate()` holds (checked every few milliseconds); rejects after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => setTimeout(resolve, 2));
    }
  }

  // ------------------------------------------------------------------ system: clocks, logs, power, end of the run

  /** Server logs, test logs, the system LED, power saving and the end of the run, as they happen; returns the removal. */
  onSystemEvent(listener: (event: SystemEvent) => void): () => void {
    return this.k.system.onEvent(listener);
  }

  /** How the run ended (mvTestingComplete, mvRestart, mvDeepSleep), or undefined while it goes on. */
  get runEnd(): RunEnd | undefined {
    return this.k.system.power.ended;
  }

  /**
   * Resolves when a call that does not return ends the run (`exitCode` is what a runner should exit
   * with). The device itself keeps answering: stopping the application and calling `powerOff()` is
   * the runner's job, so a test can still look at the state the run ended in.
   */
  whenRunEnds(): Promise<RunEnd> {
    const ended = this.k.system.power.ended;
    if (ended) return Promise.resolve(ended);
    return new Promise((resolve) => {
      const off = this.k.system.onEvent((e) => {
        if (e.kind !== 'run-end') return;
        off();
        resolve(this.k.system.power.ended!);
      });
    });
  }

  // ------------------------------------------------------------------ observers (the inspector)

  private observers: ((event: TraceEvent) => void)[] = [];
  /** `options.trace` as constructed (null until the first observer arrives). */
  private ownTrace: ((event: TraceEvent) => void) | undefined | null = null;

  /**
   * Adds a receiver of trace events beside `options.trace`; returns its removal. While no
   * observer is attached a call pays one boolean test for this. Centres set up earlier report
   * their records to the new receiver too.
   */
  observe(observer: (event: TraceEvent) => void): () => void {
    if (this.ownTrace === null) this.ownTrace = this.options.trace;
    this.observers = [...this.observers, observer];
    this.retrace();
    return () => {
      this.observers = this.observers.filter((o) => o !== observer);
      this.retrace();
    };
  }

  private retrace(): void {
    const receivers = this.ownTrace ? [this.ownTrace, ...this.observers] : this.observers;
    this.options.trace =
      receivers.length <= 1
        ? receivers[0]
        : (event: TraceEvent) => {
            for (const receive of receivers) receive(event);
          };
    this.tracing = this.options.trace !== undefined;
    const observe = notificationObserver(this.options.trace);
    for (const centre of this.k.centres.values()) centre.setObserver(observe);
  }

  /** Centres, IRQ lines, network requests and channels as they are now. */
  inspectState(): DeviceState {
    return deviceState(this.k);
  }

  /**
   * Serves the live inspector page for this device on 127.0.0.1 (devices of one process share
   * a server per port). Loads the optional package `@mvmqtt/inspector` on first use.
   */
  async inspect(options: InspectOptions = {}): Promise<InspectorAttachment> {
    return (await loadInspector()).inspect(this, options);
  }

  /** Every MQTT connection drops as if the broker went away: each channel gets its unsolicited DISCONNECTRESPONSE. */
  simulateBrokerDisconnect(): void {
    for (const ch of this.k.channels.values()) ch.dropTransport();
  }

  /**
   * The broker goes down and stays down: every MQTT connection drops (as simulateBrokerDisconnect)
   * and every connect until restoreBroker() fails as a refused TCP connection does
   * (CONNECTRESPONSE with SOCKETERROR). The network link stays up.
   */
  simulateBrokerOutage(): void {
    this.k.state(BrokerOutage).active = true;
    this.simulateBrokerDisconnect();
  }

  /** The broker is back: connects reach it again. */
  restoreBroker(): void {
    this.k.state(BrokerOutage).active = false;
  }

  get brokerUp(): boolean {
    return !this.k.state(BrokerOutage).active;
  }

  /** Ends everything: every channel is closed (MQTT connections end with DISCONNECT), centres and network requests are released. */
  async powerOff(): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [h, ch] of [...this.k.channels.entries()]) {
      ch.release();
      closing.push(ch.whenTransportClosed());
      this.k.channels.delete(h);
    }
    for (const [h, c] of [...this.k.centres.entries()]) {
      c.closed = true;
      this.k.centres.delete(h);
    }
    for (const [h] of [...this.k.networks.entries()]) this.k.networks.delete(h);
    await Promise.all(closing);
  }
}
