/**
 * The parts of Microvisor outside networking, shared by the device core and the mock so both
 * answer the same way: device identity and wall time, fast interrupts, the log buffers (server
 * and test logging), the Wi-Fi store, and the power/system state (wake reason, system LED,
 * system notifications, staged updates, the end of the run). Each method takes decoded
 * arguments and returns the status; the runtimes decode arguments and report what happened.
 */
import {
  FUNCTIONS,
  LIMITS,
  MV_EVENTTYPE_NETWORKSTATUSCHANGED,
  MV_EVENTTYPE_UPDATEDOWNLOADED,
  MV_STATUS_INVALIDBUFFERALIGNMENT,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_INVALIDINTERRUPT,
  MV_STATUS_LOGGINGDISABLEDBYSERVER,
  MV_STATUS_MICROVISORBUSY,
  MV_STATUS_OKAY,
  MV_STATUS_PARAMETERFAULT,
  MV_STATUS_TIMENOTSET,
  MV_STATUS_UNAVAILABLE,
  MV_SYSTEMNOTIFICATIONSOURCE_NETWORK,
  MV_SYSTEMNOTIFICATIONSOURCE_UPDATE,
  MV_WAKEREASON_APPLICATIONUPDATE,
  MV_WAKEREASON_COLDBOOT,
  MV_WAKEREASON_REMOTEAPPLICATIONRESTART,
  MV_DEEPSLEEPMODE_SHUTDOWN,
  MV_DEEPSLEEPMODE_STANDBY,
  MV_POWERSAVINGMODE_SLEEP,
  MV_POWERSAVINGMODE_STOP3,
  MV_RESTARTMODE_AUTOAPPLYUPDATE,
  MV_WIFICONFIGMODE_APPLYNOW,
  MV_WIFICONFIGMODE_CLEARNOW,
  type MvFunctionName,
  type MvStatus,
  type MvWakeReason,
} from '../generated/index.js';
import { HandleTable, type HandleAllocator } from './handles.js';
import type { NotificationCentre, NotificationTarget } from './notifications.js';
import { RegisterFile, type ClockSettings } from './registers.js';

// The SDK builds without DOM or Node types; both runtimes provide TextEncoder.
declare const TextEncoder: new () => { encode(text: string): Uint8Array };
const encoder = new TextEncoder();

// ------------------------------------------------------------------------------------------ identity

/** "mvmqttemulator01" in hex after "UV": stable across runs, and visibly not a real device. */
export const DEFAULT_DEVICE_ID = 'UV6d766d717474656d756c61746f723031';

/** The device id as bytes; throws a clear RangeError for an id that is not `UV` + 32 hex digits. */
export function deviceIdBytes(id: string): Uint8Array {
  const length = LIMITS.DEVICE_ID_LENGTH.min;
  if (id.length !== length || !/^UV[0-9a-fA-F]+$/.test(id)) throw new RangeError(`deviceId option: a device id is "UV" followed by ${length - 2} hex digits (${length} characters); got ${JSON.stringify(id)}`);
  return encoder.encode(id);
}

/** mvGetDeviceId into `buf` (already known to hold `len` bytes): exactly the id's length, no terminator. */
export function copyDeviceId(id: Uint8Array, buf: Uint8Array, len: number): MvStatus {
  const l = LIMITS.DEVICE_ID_LENGTH;
  if (len < l.min || len > l.max) return l.status;
  buf.set(id);
  return MV_STATUS_OKAY;
}

// ------------------------------------------------------------------------------------------ wall time

/**
 * `host`: the host's clock, already synchronised; `unset`: TIMENOTSET until the test sets it;
 * `network`: TIMENOTSET until the device first has its network (the server sets the clock when the
 * device connects: the application's network request granted while the link is up, or the link
 * coming back while one is held), the host's time from then on.
 */
export type WallTimeMode = 'host' | 'unset' | 'network';

export class WallClock {
  /** Offset from the host clock in µs; undefined while the time is not set. */
  private offsetUs: bigint | undefined;
  private readonly setOnConnect: boolean;

  constructor(mode: WallTimeMode = 'host') {
    this.offsetUs = mode === 'host' ? 0n : undefined;
    this.setOnConnect = mode === 'network';
  }

  /** The device has its network: in `network` mode an unset clock is synchronised now. */
  networkConnected(): void {
    if (this.setOnConnect && this.offsetUs === undefined) this.set();
  }

  private static hostUs(): bigint {
    return BigInt(Date.now()) * 1000n;
  }

  /** The server synchronises the clock: from now on it reads `epochUs` (and runs on). */
  set(epochUs: bigint = WallClock.hostUs()): void {
    this.offsetUs = epochUs - WallClock.hostUs();
  }

  /** Back to "not set", as after a restart before the server's first synchronisation. */
  unset(): void {
    this.offsetUs = undefined;
  }

  read(): { status: MvStatus; usec?: bigint } {
    if (this.offsetUs === undefined) return { status: MV_STATUS_TIMENOTSET };
    return { status: MV_STATUS_OKAY, usec: WallClock.hostUs() + this.offsetUs };
  }
}

// ------------------------------------------------------------------------------------------ interrupt-context and test-mode rules

/** The status a call gives when made from an IRQ handler, if the spec says it refuses then. */
export function refusedInInterrupt(fn: MvFunctionName, inHandler: boolean): MvStatus | undefined {
  return inHandler ? (FUNCTIONS[fn] as { notInInterrupt?: MvStatus }).notInInterrupt : undefined;
}

/** The status a test-mode-only call gives outside application-test mode. */
export function refusedOutsideTestMode(fn: MvFunctionName, testMode: boolean): MvStatus | undefined {
  return testMode ? undefined : (FUNCTIONS[fn] as { testModeOnly?: MvStatus }).testModeOnly;
}

// ------------------------------------------------------------------------------------------ fast interrupts

export class FastInterrupts {
  /** IRQs marked fast, with their own enabled flag. */
  readonly lines = new Map<number, { enabled: boolean }>();
  /** The global gate of mvDisableAllFastInterrupts / mvEnableAllFastInterrupts. */
  allEnabled = true;
  /** Microvisor has stopped offering fast interrupts (a hung IRQ or a flood): every per-IRQ call gives UNAVAILABLE. */
  withdrawn = false;
  private readonly pendingEnables = new Map<number, boolean>();

  constructor(
    /** IRQs a notification centre uses: they cannot be fast. */
    private readonly ownedByCentre: (irq: number) => boolean,
    private readonly range: { min: number; max: number } = LIMITS.FAST_INTERRUPT_NUMBER_RANGE,
  ) {}

  private check(irq: number): MvStatus | undefined {
    if (!Number.isInteger(irq) || irq < this.range.min || irq > this.range.max) return LIMITS.FAST_INTERRUPT_NUMBER_RANGE.status;
    if (this.withdrawn) return MV_STATUS_UNAVAILABLE;
    return undefined;
  }

  isFast(irq: number): boolean {
    return this.lines.has(irq);
  }

  set(irq: number): MvStatus {
    const refused = this.check(irq);
    if (refused !== undefined) return refused;
    if (this.ownedByCentre(irq)) return MV_STATUS_INVALIDINTERRUPT;
    if (!this.lines.has(irq)) this.lines.set(irq, { enabled: this.pendingEnables.get(irq) ?? false });
    return MV_STATUS_OKAY;
  }

  clear(irq: number): MvStatus {
    const refused = this.check(irq);
    if (refused !== undefined) return refused;
    this.lines.delete(irq);
    return MV_STATUS_OKAY;
  }

  /** Enabling or disabling an IRQ not marked fast is accepted and remembered for when it is (the vendor is silent). */
  setEnabled(irq: number, enabled: boolean): MvStatus {
    const refused = this.check(irq);
    if (refused !== undefined) return refused;
    const line = this.lines.get(irq);
    if (line) line.enabled = enabled;
    else this.pendingEnables.set(irq, enabled);
    return MV_STATUS_OKAY;
  }

  /** mvEnableAllFastInterrupts / mvDisableAllFastInterrupts: the global gate, whatever it was. */
  setAllEnabled(enabled: boolean): typeof MV_STATUS_OKAY {
    this.allEnabled = enabled;
    return MV_STATUS_OKAY;
  }

  /** The IRQ is serviced the fast way now: marked, enabled, and not gated off. */
  isActive(irq: number): boolean {
    return this.allEnabled && (this.lines.get(irq)?.enabled ?? false);
  }
}

// ------------------------------------------------------------------------------------------ logging

export interface LogBufferRules {
  /** Buffer alignment in bytes (undefined: not checked). */
  alignment?: number;
  /** The size must be a non-zero multiple of this (undefined: any non-zero size). */
  sizeMultiple?: number;
  /** Longest message in bytes (undefined: no limit). */
  messageMax?: number;
}

/** Bytes each queued message costs in the buffer beyond its text (an emulator choice; the vendor states none). */
export const LOG_MESSAGE_OVERHEAD = 4;

/** The rules the spec gives, as defaults. */
export const SPEC_LOG_RULES: Readonly<LogBufferRules> = {
  alignment: LIMITS.LOG_BUFFER_ALIGNMENT.value,
  sizeMultiple: LIMITS.LOG_BUFFER_SIZE_MULTIPLE.value,
  messageMax: LIMITS.LOG_MESSAGE_MAX.value,
};

/**
 * How many server-log messages may be accepted in a sliding window. Microvisor documents a rate
 * limit (further calls fail like a full buffer) but not its numbers, so the emulator has none unless
 * one is configured.
 */
export interface LogRateLimit {
  /** Messages accepted per window. */
  messages: number;
  /** The window's length in milliseconds. */
  perMs: number;
}

/** Checks a `LogRateLimit` option; the message names the option for the user. */
export function logRateProblem(rate: LogRateLimit | undefined): string | undefined {
  if (rate === undefined) return undefined;
  if (typeof rate !== 'object' || rate === null) return 'serverLogRate must be { messages, perMs }';
  if (!Number.isInteger(rate.messages) || rate.messages < 1) return `serverLogRate.messages must be a positive integer (got ${String(rate.messages)})`;
  if (typeof rate.perMs !== 'number' || !(rate.perMs > 0) || !Number.isFinite(rate.perMs)) return `serverLogRate.perMs must be a positive number of milliseconds (got ${String(rate.perMs)})`;
  return undefined;
}

/** The acceptance times of the last `messages` messages, oldest first, in a ring. */
class RateWindow {
  private readonly times: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(
    private readonly rate: LogRateLimit,
    private readonly now: () => number,
  ) {
    this.times = new Float64Array(rate.messages);
  }

  /** True when one more message now would exceed the rate. */
  full(): boolean {
    return this.filled === this.times.length && this.now() - this.times[this.next] < this.rate.perMs;
  }

  record(): void {
    this.times[this.next] = this.now();
    this.next = (this.next + 1) % this.times.length;
    if (this.filled < this.times.length) this.filled++;
  }
}

/**
 * A log buffer the application lent the kernel: messages wait in it until they can be sent,
 * then leave it through `drain()`. A message that does not fit, or one over the configured rate,
 * is refused with the status of a full buffer (never blocks).
 */
export class LogBuffer {
  private capacity = 0;
  private used = 0;
  private readonly queued: Uint8Array[] = [];
  /** The cloud has stopped accepting logs (server logging only). */
  disabledByServer = false;

  private readonly window: RateWindow | undefined;

  /** `rate` with `now` (milliseconds, monotonic): refuse messages over that rate. */
  constructor(
    private readonly rules: LogBufferRules = SPEC_LOG_RULES,
    rate?: LogRateLimit,
    now: () => number = Date.now,
  ) {
    this.window = rate ? new RateWindow(rate, now) : undefined;
  }

  get initialised(): boolean {
    return this.capacity > 0;
  }

  /** Messages waiting to be sent. */
  get pending(): number {
    return this.queued.length;
  }

  /** A second init replaces the buffer; messages still queued are kept when they fit, the oldest dropped otherwise. */
  init(address: number, length: number): MvStatus {
    const { alignment, sizeMultiple } = this.rules;
    if (alignment !== undefined && address % alignment !== 0) return MV_STATUS_INVALIDBUFFERALIGNMENT;
    if (length === 0 || (sizeMultiple !== undefined && length % sizeMultiple !== 0)) return MV_STATUS_INVALIDBUFFERSIZE;
    this.capacity = length;
    while (this.used > this.capacity) this.used -= this.queued.shift()!.byteLength + LOG_MESSAGE_OVERHEAD;
    return MV_STATUS_OKAY;
  }

  log(message: Uint8Array): MvStatus {
    // The length is checked before anything else, as an argument rule (the mock checks it with the arguments).
    const max = this.rules.messageMax;
    if (max !== undefined && message.byteLength > max) return LIMITS.LOG_MESSAGE_MAX.status;
    if (!this.initialised) return MV_STATUS_UNAVAILABLE;
    if (this.disabledByServer) return MV_STATUS_LOGGINGDISABLEDBYSERVER;
    const cost = message.byteLength + LOG_MESSAGE_OVERHEAD;
    if (this.used + cost > this.capacity) return MV_STATUS_INVALIDBUFFERSIZE;
    if (this.window?.full()) return MV_STATUS_INVALIDBUFFERSIZE;
    this.window?.record();
    this.queued.push(message.slice());
    this.used += cost;
    return MV_STATUS_OKAY;
  }

  /** Takes every queued message (they have been sent), freeing their room. */
  drain(): Uint8Array[] {
    const out = this.queued.splice(0);
    this.used = 0;
    return out;
  }
}

// ------------------------------------------------------------------------------------------ Wi-Fi

export interface WifiSettings {
  ssid: Uint8Array;
  password: Uint8Array;
}

export class WifiStore {
  settings: WifiSettings | undefined;

  constructor(initial?: { ssid: string; password?: string }) {
    if (initial) this.settings = { ssid: encoder.encode(initial.ssid), password: encoder.encode(initial.password ?? '') };
  }

  set(mode: number, ssid: Uint8Array, password: Uint8Array): MvStatus {
    if (mode === MV_WIFICONFIGMODE_CLEARNOW) {
      this.settings = undefined;
      return MV_STATUS_OKAY;
    }
    if (mode !== MV_WIFICONFIGMODE_APPLYNOW) return MV_STATUS_PARAMETERFAULT;
    if (ssid.byteLength > LIMITS.WIFI_SSID_LENGTH_MAX.value) return LIMITS.WIFI_SSID_LENGTH_MAX.status;
    if (password.byteLength > LIMITS.WIFI_PASSWORD_LENGTH_MAX.value) return LIMITS.WIFI_PASSWORD_LENGTH_MAX.status;
    this.settings = { ssid: ssid.slice(), password: password.slice() };
    return MV_STATUS_OKAY;
  }

  /** Copies the SSID into `into`; the password never leaves the store. */
  get(into: Uint8Array, size: number): { status: MvStatus; length?: number; encrypted?: number } {
    const ssid = this.settings?.ssid ?? new Uint8Array(0);
    if (ssid.byteLength > size) return { status: MV_STATUS_INVALIDBUFFERSIZE };
    into.set(ssid);
    return { status: MV_STATUS_OKAY, length: ssid.byteLength, encrypted: (this.settings?.password.byteLength ?? 0) > 0 ? 1 : 0 };
  }
}

// ------------------------------------------------------------------------------------------ power and system

/** How the device's run ended (mvTestingComplete, mvRestart, mvDeepSleep). */
export type RunEnd =
  | { readonly reason: 'testing-complete'; readonly status: number; readonly exitCode: number }
  | { readonly reason: 'restart'; readonly nextWakeReason: MvWakeReason; readonly exitCode: number }
  | { readonly reason: 'deep-sleep'; readonly mode: number; readonly exitCode: number };

export interface SystemSubscription extends NotificationTarget {
  readonly source: number;
}

export class PowerState {
  wakeReason: MvWakeReason;
  ledEnabled = true;
  /** The mode of the last successful mvPowerSave. */
  lastPowerSave: number | undefined;
  /** An update has been downloaded and waits for mvRestart (polite deployment). */
  updateStaged = false;
  /** Microvisor is doing its own work: mvRestart, mvPowerSave and mvDeepSleep give MICROVISORBUSY. */
  microvisorBusy = false;
  ended: RunEnd | undefined;

  constructor(wakeReason: MvWakeReason = MV_WAKEREASON_COLDBOOT) {
    this.wakeReason = wakeReason;
  }

  /** Low power needs the network quiet: no network request held by the application. */
  private busy(networkRequests: number): boolean {
    return this.microvisorBusy || networkRequests > 0;
  }

  /** mvPowerSave: the host has nothing to save, so the device wakes at once (as on the first pending interrupt). */
  powerSave(mode: number, networkRequests: number): MvStatus {
    if (mode < MV_POWERSAVINGMODE_SLEEP || mode > MV_POWERSAVINGMODE_STOP3) return MV_STATUS_PARAMETERFAULT;
    if (this.busy(networkRequests)) return MV_STATUS_MICROVISORBUSY;
    this.lastPowerSave = mode;
    return MV_STATUS_OKAY;
  }

  /** mvDeepSleep: on success `end` says how the run ended (it never comes back). */
  deepSleep(mode: number, networkRequests: number): { status: MvStatus; end?: RunEnd } {
    if (mode !== MV_DEEPSLEEPMODE_STANDBY && mode !== MV_DEEPSLEEPMODE_SHUTDOWN) return { status: MV_STATUS_PARAMETERFAULT };
    if (this.busy(networkRequests)) return { status: MV_STATUS_MICROVISORBUSY };
    return { status: MV_STATUS_OKAY, end: { reason: 'deep-sleep', mode, exitCode: 0 } };
  }

  /** mvRestart: the next start reports the staged update, or a plain application restart. */
  restart(mode: number): { status: MvStatus; end?: RunEnd } {
    if (mode !== MV_RESTARTMODE_AUTOAPPLYUPDATE) return { status: MV_STATUS_PARAMETERFAULT };
    if (this.microvisorBusy) return { status: MV_STATUS_MICROVISORBUSY };
    const nextWakeReason = this.updateStaged ? MV_WAKEREASON_APPLICATIONUPDATE : MV_WAKEREASON_REMOTEAPPLICATIONRESTART;
    return { status: MV_STATUS_OKAY, end: { reason: 'restart', nextWakeReason, exitCode: 0 } };
  }

  /** mvSystemLedEnable: 1 on, 0 off, anything else refused. */
  setLed(enable: number): MvStatus {
    if (enable !== 0 && enable !== 1) return MV_STATUS_PARAMETERFAULT;
    this.ledEnabled = enable === 1;
    return MV_STATUS_OKAY;
  }
}

/** mvTestingComplete: 0 means the tests passed; the exit code a runner should use follows. */
export function testingCompleteEnd(status: number): RunEnd {
  return { reason: 'testing-complete', status, exitCode: status === 0 ? 0 : 1 };
}

/** The NETWORK and UPDATE sources an application can subscribe a centre to. */
export function isSystemSource(source: number): boolean {
  return source === MV_SYSTEMNOTIFICATIONSOURCE_NETWORK || source === MV_SYSTEMNOTIFICATIONSOURCE_UPDATE;
}

/** Posts the event of `source` to every subscription of that source. */
export function postSystemEvent(subscriptions: Iterable<SystemSubscription>, source: number): void {
  const event = source === MV_SYSTEMNOTIFICATIONSOURCE_UPDATE ? MV_EVENTTYPE_UPDATEDOWNLOADED : MV_EVENTTYPE_NETWORKSTATUSCHANGED;
  for (const s of subscriptions) if (s.source === source) s.centre.post(event, s.tag);
}


// ------------------------------------------------------------------------------------------ the whole

/** What both runtimes let a user set about the state outside networking. */
export interface SystemStateOptions {
  /** The 34-character device SID `mvGetDeviceId` returns (default `DEFAULT_DEVICE_ID`, "UV" + 32 hex digits). */
  deviceId?: string;
  /** Clock tree in Hz (default 160 MHz everywhere); the RCC register file is set to match. */
  clocks?: Partial<ClockSettings>;
  /** Accept the secure alias (0x5…) of the register addresses too (default false). */
  secureRegisterAlias?: boolean;
  /** `host` (default): wall time is set; `unset`: TIMENOTSET until the runtime's `setWallTime()`; `network`: TIMENOTSET until the application's network is first connected. */
  wallTime?: WallTimeMode;
  /** Boot in application-test mode: mvTestingComplete and test logging work (default false). */
  testMode?: boolean;
  /** What `mvGetWakeReason` reports for this run (default COLDBOOT). */
  wakeReason?: MvWakeReason;
  /**
   * A server-log rate limit: more than `messages` accepted within `perMs` and `mvServerLog` answers
   * INVALIDBUFFERSIZE, as Microvisor does when rate-limited (default none: the vendor gives no numbers).
   */
  serverLogRate?: LogRateLimit;
  /** Wi-Fi settings stored at start (default none). */
  wifi?: { ssid: string; password?: string };
}

/**
 * The state outside networking, as both runtimes hold it: register file, wall clock, fast
 * interrupts, server and test log buffers, Wi-Fi store, power/system state and system-notification
 * subscriptions. Each runtime extends it with where logs go and how the end of a run is reported.
 */
export class SystemState {
  readonly deviceId: Uint8Array;
  readonly registers: RegisterFile;
  readonly wallClock: WallClock;
  readonly fast: FastInterrupts;
  readonly serverLog: LogBuffer;
  readonly testLog = new LogBuffer(SPEC_LOG_RULES);
  readonly wifi: WifiStore;
  readonly power: PowerState;
  readonly testMode: boolean;
  readonly subscriptions: HandleTable<SystemSubscription>;

  /**
   * `centres`: the live notification centres (a fast interrupt may only use an IRQ none of them has).
   * `nowMs`: the runtime's monotonic clock in milliseconds (the mock's stands still until moved).
   */
  constructor(options: SystemStateOptions, allocator: HandleAllocator, centres: () => Iterable<NotificationCentre>, nowMs?: () => number) {
    const rateProblem = logRateProblem(options.serverLogRate);
    if (rateProblem) throw new RangeError(rateProblem);
    this.serverLog = new LogBuffer(SPEC_LOG_RULES, options.serverLogRate, nowMs);
    this.deviceId = deviceIdBytes(options.deviceId ?? DEFAULT_DEVICE_ID);
    this.registers = new RegisterFile({ clocks: options.clocks, secureAlias: options.secureRegisterAlias });
    this.wallClock = new WallClock(options.wallTime ?? 'host');
    this.fast = new FastInterrupts((irq) => {
      for (const c of centres()) if (c.irq === irq) return true;
      return false;
    });
    this.wifi = new WifiStore(options.wifi);
    this.power = new PowerState(options.wakeReason);
    this.testMode = options.testMode ?? false;
    this.subscriptions = new HandleTable(allocator);
  }
}
