/**
 * The mock's state outside networking, on the same rules as the device core (`@mvmqtt/sdk/runtime`):
 * register file, wall clock, fast interrupts, server and test log buffers, Wi-Fi store,
 * power/system state and system-notification subscriptions. Logs are captured for the test
 * instead of printed.
 */
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

export interface MockSystemOptions {
  /** The 34-character device SID (default `DEFAULT_DEVICE_ID`). */
  deviceId?: string;
  /** Clock tree in Hz (default 160 MHz everywhere). */
  clocks?: Partial<ClockSettings>;
  /** `host` (default) or `unset` (TIMENOTSET until `setWallTime`). */
  wallTime?: WallTimeMode;
  /** Application-test mode (default false). */
  testMode?: boolean;
  /** What mvGetWakeReason reports (default COLDBOOT). */
  wakeReason?: MvWakeReason;
  /** Wi-Fi settings stored at start. */
  wifi?: { ssid: string; password?: string };
}

export class MockSystem {
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
  /** Messages that left the log buffers, as text, oldest first. */
  readonly serverLogs: string[] = [];
  readonly testLogs: string[] = [];
  /** The system LED changes and low-power entries, in order. */
  readonly powerEvents: ({ kind: 'system-led'; enabled: boolean } | { kind: 'power-save'; mode: number })[] = [];

  constructor(options: MockSystemOptions, allocator: HandleAllocator, centres: () => Iterable<NotificationCentre>) {
    this.deviceId = deviceIdBytes(options.deviceId ?? DEFAULT_DEVICE_ID);
    this.registers = new RegisterFile({ clocks: options.clocks });
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

  /** Moves what the buffers hold to the captured lists: test logs always, server logs when online. */
  drainLogs(online: boolean): void {
    const text = (b: Uint8Array): string => new TextDecoder().decode(b);
    for (const b of this.testLog.drain()) this.testLogs.push(text(b));
    if (online) for (const b of this.serverLog.drain()) this.serverLogs.push(text(b));
  }

  end(end: RunEnd): void {
    this.power.ended ??= end;
  }
}
