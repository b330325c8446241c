/**
 * `MockMicrovisor`: every syscall of the spec (`MvSyscalls`), recorded, checked against the
 * spec's schemas and limits, and answered as the device core would; plus what a test needs to
 * script the world around the application: answers and messages on channels, network changes,
 * raw notifications, forced statuses, and a clock that only moves when told to.
 */
import {
  FUNCTIONS,
  MV_CLOSUREREASON_NETWORKDISCONNECTED,
  MV_STATUS_OKAY,
  MvStatus,
  statusName,
  type MvConfigKeyFetchScope,
  type MvConfigKeyFetchStore,
  type MvEventType,
  type MvFunctionName,
  type MvNetworkStatus,
  type MvNotificationHandle,
} from '@mvmqtt/sdk';
import { ConfigAnswers } from './areas/config_fetch.js';
import type { MockCall } from './call.js';
import { ChannelScript } from './channel-script.js';
import type { MockClock } from './clock.js';
import { FUNCTION_SCHEMAS } from './generated/schemas.js';
import { createMockBehaviours, MockSyscallsBase, type MockAreaOptions, type MockBehaviours } from './generated/syscalls.js';
import { Kernel, type KernelOptions } from './kernel.js';
import {
  ARGUMENT_CHECKS,
  ArgumentCheck,
  kernelStateOf,
  listedStatuses,
  NetworkLink,
  refusedInInterrupt,
  refusedOutsideTestMode,
  SimulatedWorld,
  unwritableStatus,
  type IrqController,
  type KernelState,
  type RunEnd,
} from '@mvmqtt/sdk/runtime';
import { snapshot } from './snapshot.js';

/** The kernel's options and every area's (each declared in its module under src/areas/). */
export type MockOptions = KernelOptions & MockAreaOptions;

export interface CallRecord<F extends MvFunctionName = MvFunctionName> {
  readonly index: number;
  readonly fn: F;
  /** The arguments as they were at the time of the call (copied). */
  readonly args: readonly unknown[];
  readonly status: MvStatus;
  readonly statusName: string;
  /** The mock's clock when the call was made (microseconds). */
  readonly at: bigint;
  /** The status came from `force()`, not from the checks. */
  readonly forced: boolean;
  /** Why the call was refused, when a check refused it. */
  readonly reason?: string;
}

export interface ForceOptions {
  /** How many calls return the status (default 1; Infinity for every call until `unforce`). */
  times?: number;
}

/** Every function has pointer parameters only where it lists PARAMETERFAULT: the behaviours rely on it. */
for (const [fn, schema] of Object.entries(FUNCTION_SCHEMAS) as [MvFunctionName, (typeof FUNCTION_SCHEMAS)[MvFunctionName]][]) {
  const pointers = schema.params.some((p) => p.shape.kind === 'box' || p.shape.kind === 'ref');
  if (pointers && !listedStatuses(fn).has(unwritableStatus(fn))) throw new Error(`@mvmqtt/mock: ${fn} takes pointers but lists no status for a bad one`);
}

export class MockMicrovisor extends MockSyscallsBase {
  private readonly kernel: Kernel;
  protected readonly behaviours: MockBehaviours;
  /** The generated argument checks' state, shared with the device core's (`@mvmqtt/sdk/runtime`). */
  private readonly check: ArgumentCheck;
  private readonly forced = new Map<MvFunctionName, { status: MvStatus; times: number }[]>();
  private readonly records: CallRecord[] = [];
  /** The world outside networking, as a test scripts it: wall time, updates, a busy Microvisor, registers (as on the device core). */
  readonly world: SimulatedWorld;

  constructor(options: MockOptions = {}) {
    super();
    this.kernel = new Kernel(options);
    this.behaviours = createMockBehaviours(this.kernel, options);
    this.world = new SimulatedWorld(this.kernel.system);
    const k = this.kernel;
    this.check = new ArgumentCheck({
      lookup: (type, value) => k.lookup(type, value),
      limit: (name) => k.limits.get(name),
      addressOf: (view) => k.memory.addressOf(view),
    });
  }

  // --- the syscall entry point ---------------------------------------------------------------

  protected dispatch<F extends MvFunctionName>(fn: F, args: readonly unknown[], outputsWritable: boolean, behaviour: (call: MockCall<F>) => MvStatus): MvStatus {
    const index = this.records.length;
    const copied = args.map((a) => snapshot(a));
    let status: MvStatus;
    let ruled: MvStatus | undefined;
    let reason: string | undefined;
    const forced = this.takeForced(fn);
    if (forced !== undefined) status = forced;
    else if (!outputsWritable) {
      // Checked before anything else, as the device core does: the call must have no effect.
      status = unwritableStatus(fn);
      reason = 'an output of the call cannot be written';
    } else if ((ruled = this.refusedByRule(fn)) !== undefined) {
      status = ruled;
      reason = this.kernel.nvic.inHandler ? 'called from an interrupt handler' : 'not in application-test mode';
    } else {
      const check = this.check;
      try {
        // The mock dispatches by name (it records the argument list anyway); the device core calls its check directly.
        status = (ARGUMENT_CHECKS[fn] as (c: ArgumentCheck, ...args: unknown[]) => MvStatus)(check, ...args);
        if (status !== MV_STATUS_OKAY) reason = check.reason;
        else status = behaviour({ fn, index, lateFault: check.lateFault, missing: check.missing });
      } catch (err) {
        // Reading an argument threw (a getter, a proxy): to the kernel that is unreadable memory.
        status = unwritableStatus(fn);
        if (!listedStatuses(fn).has(status)) throw err;
        reason = `reading the arguments failed: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    this.records.push({ index, fn, args: copied, status, statusName: statusName(status), at: this.kernel.clock.microseconds(), forced: forced !== undefined, reason });
    return status;
  }

  /** The spec's per-function rules: some calls refuse inside an IRQ handler, some outside application-test mode. */
  private refusedByRule(fn: MvFunctionName): MvStatus | undefined {
    return refusedInInterrupt(fn, this.kernel.nvic.inHandler) ?? refusedOutsideTestMode(fn, this.kernel.system.testMode);
  }

  // --- what the test inspects ----------------------------------------------------------------

  /** Every call so far, in order. */
  get calls(): readonly CallRecord[] {
    return this.records;
  }

  /** The calls of one function. */
  callsTo<F extends MvFunctionName>(fn: F): CallRecord<F>[] {
    return this.records.filter((r): r is CallRecord<F> => r.fn === fn);
  }

  /** The most recent call (of `fn`, if given). */
  lastCall<F extends MvFunctionName>(fn?: F): CallRecord<F> | undefined {
    for (let i = this.records.length - 1; i >= 0; i--) if (fn === undefined || this.records[i].fn === fn) return this.records[i] as CallRecord<F>;
    return undefined;
  }

  clearCalls(): void {
    this.records.length = 0;
  }

  get clock(): MockClock {
    return this.kernel.clock;
  }

  /** The interrupt controller: install a handler and enable the line after `mvSetupNotifications`. */
  get nvic(): IrqController {
    return this.kernel.nvic;
  }

  get networkStatus(): MvNetworkStatus {
    return this.kernel.state(NetworkLink).status;
  }

  /** Handles of the channels open now (including ones the server closed), oldest first. */
  get channelHandles(): number[] {
    return [...this.kernel.channels.entries()].map(([h]) => h);
  }

  /** Live handles and channels, as plain data. */
  kernelState(): KernelState {
    return kernelStateOf(this.kernel);
  }

  /** Records written over ones whose IRQ had not been delivered yet, over all centres. */
  get notificationOverruns(): number {
    let n = 0;
    for (const c of this.kernel.centres.values()) n += c.centre.overruns;
    return n;
  }

  // --- what the test scripts -----------------------------------------------------------------

  /** Scripts one open channel (answers, messages, closure). */
  channel(handle: number): ChannelScript {
    const channel = this.kernel.channels.get(handle);
    if (!channel) throw new Error(`@mvmqtt/mock: ${handle} is not an open channel handle`);
    return new ChannelScript(this.kernel, channel);
  }

  /** The only open channel (a common case in unit tests). */
  onlyChannel(): ChannelScript {
    const handles = this.channelHandles;
    if (handles.length !== 1) throw new Error(`@mvmqtt/mock: ${handles.length} channels are open, not one`);
    return this.channel(handles[0]);
  }

  /**
   * The network changes state: every network request is notified, and when the device is no
   * longer connected every channel closes with NETWORKDISCONNECTED.
   */
  setNetworkStatus(status: MvNetworkStatus): void {
    this.kernel.setNetworkStatus(status, MV_CLOSUREREASON_NETWORKDISCONNECTED);
  }

  // --- the system outside networking: logs, power, clocks, registers ---------------------------

  /** Server log messages that have left the buffer (sent while online), oldest first. */
  get serverLogs(): readonly string[] {
    return this.kernel.system.serverLogs;
  }

  /** Test log messages (application-test mode), oldest first. */
  get testLogs(): readonly string[] {
    return this.kernel.system.testLogs;
  }

  /** How the run ended (mvTestingComplete, mvRestart, mvDeepSleep), or undefined while it goes on. */
  get runEnd(): RunEnd | undefined {
    return this.kernel.system.power.ended;
  }

  /** System LED changes and low-power entries, in order. */
  get powerEvents(): readonly ({ kind: 'system-led'; enabled: boolean } | { kind: 'power-save'; mode: number })[] {
    return this.kernel.system.powerEvents;
  }

  /** Puts an item in the config store automatic fetch answers come from (scope and store: the enum values). */
  setConfigItem(scope: MvConfigKeyFetchScope, store: MvConfigKeyFetchStore, key: string, value: string | Uint8Array): void {
    this.kernel.state(ConfigAnswers).store.set(scope, store, key, typeof value === 'string' ? new TextEncoder().encode(value) : value);
  }

  /** Writes a raw record into a centre's ring and pends its IRQ. */
  notify(centre: MvNotificationHandle | number, event: MvEventType, tag: number): void {
    const object = this.kernel.centres.get(centre);
    if (!object) throw new Error(`@mvmqtt/mock: ${centre} is not a live notification centre handle`);
    object.centre.post(event, tag);
  }

  /**
   * The next call(s) of `fn` return `status` without doing anything else (they are still
   * recorded). Throws at once when `status` is not in `fn`'s error table.
   */
  force(fn: MvFunctionName, status: MvStatus | keyof typeof MvStatus, options: ForceOptions = {}): void {
    if (!(fn in FUNCTIONS)) throw new Error(`@mvmqtt/mock: force: ${String(fn)} is not a syscall of the spec`);
    const value = typeof status === 'string' ? (MvStatus as Readonly<Record<string, MvStatus>>)[status] : status;
    if (value === undefined || !listedStatuses(fn).has(value)) {
      const listed = FUNCTIONS[fn].errors.map((e) => e.name).join(', ');
      throw new Error(`@mvmqtt/mock: force: ${fn} cannot return ${typeof status === 'string' ? status : statusName(status)}; its error table lists ${listed}`);
    }
    const times = options.times ?? 1;
    if (!(times > 0)) throw new RangeError(`@mvmqtt/mock: force: times must be positive, not ${times}`);
    let queue = this.forced.get(fn);
    if (!queue) this.forced.set(fn, (queue = []));
    queue.push({ status: value, times });
  }

  /** Drops every forced status of `fn` (or of every function). */
  unforce(fn?: MvFunctionName): void {
    if (fn === undefined) this.forced.clear();
    else this.forced.delete(fn);
  }

  private takeForced(fn: MvFunctionName): MvStatus | undefined {
    const queue = this.forced.get(fn);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    if (--head.times <= 0) queue.shift();
    return head.status;
  }

  /**
   * Runs what the kernel has left to do (answers to requests, acknowledgements) and delivers
   * every pending interrupt, until nothing is left. Synchronous; returns the number of steps.
   */
  flush(): number {
    return this.kernel.flush();
  }

  /** Nothing is waiting: no kernel work, no deliverable interrupt. */
  get idle(): boolean {
    return this.kernel.idle;
  }
}
