/**
 * The mock's state outside networking, on the same rules as the device core (`@mvmqtt/sdk/runtime`):
 * register file, wall clock, fast interrupts, server and test log buffers, Wi-Fi store,
 * power/system state and system-notification subscriptions. Logs are captured for the test
 * instead of printed.
 */
import { SystemState, type HandleAllocator, type NotificationCentre, type SystemStateOptions, type RunEnd } from '@mvmqtt/sdk/runtime';

export type MockSystemOptions = SystemStateOptions;

export class MockSystem extends SystemState {
  /** Messages that left the log buffers, as text, oldest first. */
  readonly serverLogs: string[] = [];
  readonly testLogs: string[] = [];
  /** The system LED changes and low-power entries, in order. */
  readonly powerEvents: ({ kind: 'system-led'; enabled: boolean } | { kind: 'power-save'; mode: number })[] = [];

  constructor(options: MockSystemOptions, allocator: HandleAllocator, centres: () => Iterable<NotificationCentre>, nowMs?: () => number) {
    super(options, allocator, centres, nowMs);
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
