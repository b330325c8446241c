/**
 * Runs a host firmware build against an emulated device (a fresh one, or one the caller made,
 * as a fleet does): the firmware's system calls and interrupts go through a HostBridge, and the
 * firmware never outlives the runner (same process group, and the host runtime asks the kernel
 * to kill it when its parent dies).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { RunEnd } from '@mvmqtt/sdk/runtime';
import { Device } from '../device.js';
import type { DeviceOptions } from '../options.js';
import { closeSync } from 'node:fs';
import { HostBridge, type SharedCallChannel } from './bridge.js';
import { SHM_AREA_BYTES, loadShmAddon, shmUnavailable } from './shm.js';
import { describeRunEnd, formatCall, formatEvent } from './format.js';

export interface RunOptions {
  firmware: string;
  args?: readonly string[];
  /** Print every call, notification and interrupt. */
  trace?: boolean;
  /** Stop the firmware after this many seconds (the run then counts as a success). */
  timeoutSeconds?: number;
  /** Where lines from the runner go (default: stderr). */
  log?: (line: string) => void;
  /** 'pipe' hands the firmware's stdout to `onStdout` (tests); default: inherited. */
  stdout?: 'inherit' | 'pipe';
  onStdout?: (chunk: Buffer) => void;
  /** Options for the fresh device (ignored when `device` is given). */
  deviceOptions?: DeviceOptions;
  /** Run against this device instead of a fresh one; its owner powers it off. */
  device?: Device;
  /** After every system call: its name, its arguments as the device left them, its status. */
  onCall?: (name: string, args: readonly unknown[], status: number) => void;
  env?: NodeJS.ProcessEnv;
  /**
   * How calls travel: 'shared-memory' (the default when the mvhost_shm addon is built) or
   * 'socket'. Asking for shared memory without the addon is an error.
   */
  transport?: 'shared-memory' | 'socket';
  /** Called once the firmware is running, with controls for network loss and stopping. */
  onStart?: (run: RunningFirmware) => void;
}

export interface RunningFirmware {
  readonly device: Device;
  readonly bridge: HostBridge;
  readonly pid: number;
  /**
   * Stops the firmware (SIGTERM, then SIGKILL). `signal`: the signal that asked for it (the
   * run then ends with 128 + its number, reported as a stop, not a crash).
   */
  stop(signal?: NodeJS.Signals): void;
}

export interface RunResult {
  /**
   * What the runner exits with: the run-end code when the firmware ended its run (mvRestart,
   * mvDeepSleep: 0; mvTestingComplete: 0 for status 0, else 1), otherwise the firmware's
   * status, 128 + signal for a crash or a stop (Ctrl-C: 130), 0 after a timeout.
   */
  exitCode: number;
  /** How the firmware ended its run, when a call that does not return did. */
  runEnd?: RunEnd;
  signal?: NodeJS.Signals;
  /** Stopped by a signal meant for the run (RunningFirmware.stop(signal), or SIGINT from Ctrl-C), not crashed. */
  interrupted?: boolean;
  timedOut: boolean;
  lastCalls: string[];
}

const LAST_CALLS = 10;

export async function runFirmware(o: RunOptions): Promise<RunResult> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const t0 = performance.now();
  const stamp = () => `[${((performance.now() - t0) / 1000).toFixed(3).padStart(9)} s]`;
  // The last calls as they were made, in a ring of reused entries (one is noted per system
  // call); rendered only when needed (a crash), not on every call.
  const lastCalls = Array.from({ length: LAST_CALLS }, () => ({ name: '', args: [] as readonly unknown[], status: 0 }));
  let callsNoted = 0;
  const ownDevice = !o.device;
  const device =
    o.device ??
    new Device({
      ...o.deviceOptions,
      trace: (e) => {
        o.deviceOptions?.trace?.(e);
        if (!o.trace) return;
        const line = formatEvent(e);
        if (line) log(`${stamp()}   ${line}`);
      },
    });
  const powerOff = async () => {
    if (ownDevice) await device.powerOff();
  };
  const addon = o.transport === 'socket' ? undefined : loadShmAddon();
  if (o.transport === 'shared-memory' && !addon) {
    await powerOff();
    throw new Error(`cannot use the shared-memory transport: ${shmUnavailable}`);
  }
  let channel: (SharedCallChannel & { fd: number }) | undefined;
  if (addon) {
    const { fd, buffer } = addon.create(SHM_AREA_BYTES);
    channel = { addon, buffer, capacity: SHM_AREA_BYTES, fd };
  }
  const child = spawn(o.firmware, [...(o.args ?? [])], {
    stdio: ['inherit', o.stdout ?? 'inherit', 'inherit', 'pipe', 'pipe', ...(channel ? [channel.fd] : [])],
    env: { ...process.env, ...o.env, MVHOST_CALL_FD: '3', MVHOST_EVENT_FD: '4', MVHOST_SHM_FD: channel ? '5' : '' },
  });
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (err) => resolve(err));
  });
  // The child has its own copy of the channel's fd; the mapping here stays.
  if (channel) closeSync(channel.fd);
  if (spawned) {
    await powerOff();
    throw new Error(`cannot start firmware ${o.firmware}: ${spawned.message}`);
  }
  if (o.stdout === 'pipe') (child.stdout as Readable).on('data', (c: Buffer) => o.onStdout?.(c));
  const callSocket = child.stdio[3] as Socket;
  const eventSocket = child.stdio[4] as Socket;
  // The firmware may die with writes in flight: its end closing is not the runner's error.
  for (const s of [callSocket, eventSocket]) s.on('error', () => undefined);
  const bridge = new HostBridge(device, callSocket, eventSocket, {
    onCall(name, args, status) {
      const entry = lastCalls[callsNoted++ % LAST_CALLS];
      entry.name = name;
      entry.args = args;
      entry.status = status;
      if (o.trace) log(`${stamp()} ${formatCall(name, args, status)}`);
      o.onCall?.(name, args, status);
    },
    onIrq(irq) {
      if (o.trace) log(`${stamp()}   irq ${irq} -> firmware`);
    },
    onBridgeError(err) {
      log(`mvdevice: ${err.message}; stopping the firmware`);
      bridgeFailed = true;
      child.kill('SIGKILL');
    },
  }, channel);

  let timedOut = false;
  let bridgeFailed = false;
  let runEnd: RunEnd | undefined;
  /** The signal that asked the runner to stop (Ctrl-C, a kill), when one did. */
  let stoppedBy: NodeJS.Signals | undefined;
  const stop = () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 2000).unref();
  };
  // mvRestart, mvDeepSleep and mvTestingComplete never return on a device: the run is over, so the
  // runner stops the firmware (which may still be spinning after the call) and exits with the run's code.
  void device.whenRunEnds().then((end) => {
    runEnd = end;
    log(`mvdevice: run ended by the firmware: ${describeRunEnd(end)}; exit code ${end.exitCode}`);
    stop();
  });
  const timer =
    o.timeoutSeconds !== undefined
      ? setTimeout(() => {
          timedOut = true;
          stop();
        }, o.timeoutSeconds * 1000)
      : undefined;
  o.onStart?.({
    device,
    bridge,
    pid: child.pid!,
    stop: (signal) => {
      stoppedBy ??= signal;
      stop();
    },
  });

  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  if (timer) clearTimeout(timer);
  bridge.close();
  callSocket.destroy();
  eventSocket.destroy();
  await powerOff();

  const calls: string[] = [];
  for (let i = Math.max(0, callsNoted - LAST_CALLS); i < callsNoted; i++) {
    const c = lastCalls[i % LAST_CALLS];
    calls.push(formatCall(c.name, c.args, c.status));
  }
  if (runEnd) return { exitCode: runEnd.exitCode, runEnd, timedOut, lastCalls: calls };
  if (timedOut) return { exitCode: 0, timedOut, lastCalls: calls };
  // EX_SOFTWARE: the run ended because the host bridge could not serve a call, not by the firmware.
  if (bridgeFailed) return { exitCode: 70, timedOut, lastCalls: calls };
  // Asked to stop, or interrupted: Ctrl-C signals the whole process group, so SIGINT may reach the
  // firmware before (or instead of) the runner's own stop. Neither is a crash.
  const interruptedBy = stoppedBy ?? (signal === 'SIGINT' ? signal : undefined);
  if (interruptedBy) {
    log(`mvdevice: firmware stopped (${interruptedBy})`);
    return { exitCode: 128 + (constants.signals[interruptedBy] ?? 0), signal: signal ?? undefined, interrupted: true, timedOut, lastCalls: calls };
  }
  if (signal) {
    const number = constants.signals[signal] ?? 0;
    log(`firmware ${o.firmware} crashed: ${signal}`);
    if (calls.length) log(`last system calls:\n${calls.map((l) => `  ${l}`).join('\n')}`);
    return { exitCode: 128 + number, signal, timedOut, lastCalls: calls };
  }
  return { exitCode: code ?? 0, timedOut, lastCalls: calls };
}
