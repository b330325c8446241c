/**
 * The device's state outside networking: register file, wall clock, fast interrupts, server and
 * test log buffers, Wi-Fi store, power/system state and system-notification subscriptions. The
 * rules live in `@mvmqtt/sdk/runtime` (shared with the mock); this file adds what only the
 * device has: where logs go (stdout, a file, listeners) and how the end of the run is reported.
 */
import { appendFileSync } from 'node:fs';
import type { MvWakeReason } from '@mvmqtt/sdk';
import {
  DEFAULT_DEVICE_ID,
  FastInterrupts,
  HandleTable,
  LogBuffer,
  PowerState,
  RegisterFile,
  SPEC_LOG_RULES,
  WallClock,
  WifiStore,
  deviceIdBytes,
  type ClockSettings,
  type HandleAllocator,
  type NotificationCentre,
  type RunEnd,
  type SystemSubscription,
  type WallTimeMode,
} from '@mvmqtt/sdk/runtime';

/** Where log messages go besides the device's listeners. */
export type LogSink = 'stdout' | 'none' | { file: string };

export interface SystemOptions {
  /** The 34-character device SID `mvGetDeviceId` returns (default `DEFAULT_DEVICE_ID`, "UV" + 32 hex digits). */
  deviceId?: string;
  /** Clock tree in Hz (default 160 MHz everywhere); the RCC register file is set to match. */
  clocks?: Partial<ClockSettings>;
  /** Accept the secure alias (0x5…) of the register addresses too (default false). */
  secureRegisterAlias?: boolean;
  /** `host` (default): wall time is set; `unset`: TIMENOTSET until `device.setWallTime()`. */
  wallTime?: WallTimeMode;
  /** Boot in application-test mode: mvTestingComplete and test logging work (default false). */
  testMode?: boolean;
  /** What `mvGetWakeReason` reports for this run (default COLDBOOT). */
  wakeReason?: MvWakeReason;
  /** Wi-Fi settings stored at start (default none). */
  wifi?: { ssid: string; password?: string };
  /** Where mvServerLog messages go (default `stdout`, each line prefixed `[mv-server-log]`). */
  serverLog?: LogSink;
  /** Where mvTestLog messages go (default `stdout`, prefixed `[mv-test-log]`). */
  testLog?: LogSink;
}

/** Something the application did that a test or a runner may want to see. */
export type SystemEvent =
  | { kind: 'server-log'; text: string; bytes: Uint8Array }
  | { kind: 'test-log'; text: string; bytes: Uint8Array }
  | { kind: 'system-led'; enabled: boolean }
  | { kind: 'power-save'; mode: number }
  | ({ kind: 'run-end' } & RunEnd);

const PREFIX = { 'server-log': '[mv-server-log] ', 'test-log': '[mv-test-log] ' } as const;

export class DeviceSystem {
  readonly deviceId: Uint8Array;
  readonly registers: RegisterFile;
  readonly wallClock: WallClock;
  readonly fast: FastInterrupts;
  readonly serverLog = new LogBuffer(SPEC_LOG_RULES);
  readonly testLog = new LogBuffer(SPEC_LOG_RULES);
  readonly wifi: WifiStore;
  readonly power: PowerState;
  readonly testMode: boolean;
  readonly subscriptions: HandleTable<SystemSubscription>;
  private listeners: ((event: SystemEvent) => void)[] = [];
  private drainScheduled = false;

  constructor(
    private readonly options: SystemOptions,
    allocator: HandleAllocator,
    centres: { values(): Iterable<NotificationCentre> },
    /** Logs flow only while this holds (the link is up and the application has not released its network). */
    private readonly online: () => boolean,
  ) {
    this.deviceId = deviceIdBytes(options.deviceId ?? DEFAULT_DEVICE_ID);
    this.registers = new RegisterFile({ clocks: options.clocks, secureAlias: options.secureRegisterAlias });
    this.wallClock = new WallClock(options.wallTime ?? 'host');
    this.fast = new FastInterrupts((irq) => {
      for (const c of centres.values()) if (c.irq === irq) return true;
      return false;
    });
    this.wifi = new WifiStore(options.wifi);
    this.power = new PowerState(options.wakeReason);
    this.testMode = options.testMode ?? false;
    this.subscriptions = new HandleTable(allocator);
  }

  onEvent(listener: (event: SystemEvent) => void): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(event: SystemEvent): void {
    for (const l of this.listeners) l(event);
  }

  /** Sends queued log messages soon (after the call returns), if the device is online. */
  scheduleLogDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drainLogs();
    });
  }

  /** Delivers what the log buffers hold: test logs always (the provisioning console is local), server logs when online. */
  drainLogs(): void {
    for (const bytes of this.testLog.drain()) this.deliver('test-log', bytes, this.options.testLog);
    if (!this.online()) return;
    for (const bytes of this.serverLog.drain()) this.deliver('server-log', bytes, this.options.serverLog);
  }

  private deliver(kind: 'server-log' | 'test-log', bytes: Uint8Array, sink: LogSink = 'stdout'): void {
    const text = Buffer.from(bytes).toString('utf8');
    const line = `${PREFIX[kind]}${text}\n`;
    if (sink === 'stdout') process.stdout.write(line);
    else if (sink !== 'none') appendFileSync(sink.file, line);
    this.emit({ kind, text, bytes });
  }

  /** The run is over (it never comes back to the application): listeners and runners are told once. */
  end(end: RunEnd): void {
    if (this.power.ended) return;
    this.power.ended = end;
    this.drainLogs();
    this.emit({ kind: 'run-end', ...end });
  }
}
