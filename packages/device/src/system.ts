/**
 * The device's state outside networking: register file, wall clock, fast interrupts, server and
 * test log buffers, Wi-Fi store, power/system state and system-notification subscriptions. The
 * rules live in `@mvmqtt/sdk/runtime` (shared with the mock); this file adds what only the
 * device has: where logs go (stdout, a file, listeners) and how the end of the run is reported.
 */
import { appendFileSync } from 'node:fs';
import { SystemState, type HandleAllocator, type NotificationCentre, type RunEnd, type SystemStateOptions } from '@mvmqtt/sdk/runtime';

/** Where log messages go besides the device's listeners. */
export type LogSink = 'stdout' | 'none' | { file: string };

export interface SystemOptions extends SystemStateOptions {
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

export class DeviceSystem extends SystemState {
  private listeners: ((event: SystemEvent) => void)[] = [];
  private drainScheduled = false;

  constructor(
    private readonly options: SystemOptions,
    allocator: HandleAllocator,
    centres: () => Iterable<NotificationCentre>,
    /** Logs flow only while this holds (the link is up and the application has not released its network). */
    private readonly online: () => boolean,
  ) {
    super(options, allocator, centres, () => performance.now());
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
