/**
 * Firmware: a host build of C firmware (mvmqtt_add_host_firmware) run against the device core
 * through the host bridge, as `mvdevice run` does.
 *  - syscall round trip: firmware → device core → firmware, timed in the firmware around each
 *    call (CLOCK_MONOTONIC), after a discarded warm-up;
 *  - IRQ delivery: from the device writing a notification record (the trace event, on
 *    process.hrtime, i.e. CLOCK_MONOTONIC) to the firmware's handler being entered. Records
 *    come from simulated network loss and recovery, one at a time;
 *  - QoS 1 publishing: the firmware publishes N messages keeping the spec's in-flight maximum
 *    outstanding, and a TypeScript application on the emulated device (the fleet's SyscallApp)
 *    does the same against the same mosquitto, side by side, after a discarded warm-up round of
 *    both (as the README says of every ratio: the first firmware run in a process compiles the
 *    device core's whole call path, and the TypeScript run after it found the shared parts
 *    compiled already); the ratio is firmware / TypeScript.
 *    Also the CPU time per message of this process (the device core, or the TypeScript app's
 *    emulated device) and of the firmware process: on a loaded machine msg/s swings with the
 *    scheduling, CPU per message much less.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIMITS } from '@mvmqtt/sdk';
import { SyscallApp } from '@mvmqtt/device/fleet';
import { runFirmware } from '@mvmqtt/device/host';
import { startMosquitto } from '../../../test/support/brokers.js';
import { hasTool } from '../../../test/support/tools.js';
import { REPO_ROOT } from '../paths.js';
import { percentile, round } from '../stats.js';

export interface FirmwareBenchOptions {
  calls: number;
  warmup: number;
  irqs: number;
  /** QoS 1 messages per publishing run (0: skip), and repetitions of the side-by-side pair. */
  publishes: number;
  publishReps: number;
  log: (line: string) => void;
}

function build(dir: string): string {
  const source = fileURLToPath(new URL('./fixture', import.meta.url));
  const prefix = join(REPO_ROOT, 'packages', 'c-headers');
  for (const args of [['-S', source, '-B', dir, `-DCMAKE_PREFIX_PATH=${prefix}`, '-DCMAKE_BUILD_TYPE=Release'], ['--build', dir]]) {
    const r = spawnSync('cmake', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cmake ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  }
  return join(dir, 'bench_firmware');
}

export async function benchFirmware(o: FirmwareBenchOptions) {
  const missing = ['cmake', 'gcc'].filter((t) => !hasTool(t as 'cmake' | 'gcc'));
  if (missing.length) {
    o.log(`  firmware: skipped, ${missing.join(' and ')} not installed`);
    return { skipped: `${missing.join(', ')} not installed` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'mvmqtt-bench-firmware-'));
  try {
    const exe = build(dir);
    // The default transport (shared memory when the addon is built), then the socket alone, in the same run.
    const main = await measureCalls(exe, o);
    const socket = main.transport === 'socket' ? main : await measureCalls(exe, o, 'socket');
    const out: Record<string, number> = {
      calls: main.calls.length,
      irqs: main.delivery.length,
      shared_memory_transport: main.transport === 'shared-memory' ? 1 : 0,
      syscall_roundtrip_p50_us: round(percentile(main.calls, 50), 1),
      syscall_roundtrip_p99_us: round(percentile(main.calls, 99), 1),
      irq_delivery_p50_us: round(percentile(main.delivery, 50), 1),
      irq_delivery_p99_us: round(percentile(main.delivery, 99), 1),
      socket_syscall_roundtrip_p50_us: round(percentile(socket.calls, 50), 1),
      socket_syscall_roundtrip_p99_us: round(percentile(socket.calls, 99), 1),
      socket_irq_delivery_p50_us: round(percentile(socket.delivery, 50), 1),
    };
    const publishing = o.publishes > 0 && hasTool('mosquitto') ? await publishSideBySide(exe, o) : undefined;
    Object.assign(out, publishing ?? {});
    o.log(`  syscall round trip (${main.transport}) p50 ${out.syscall_roundtrip_p50_us} µs, p99 ${out.syscall_roundtrip_p99_us} µs (${out.calls} calls); socket transport p50 ${out.socket_syscall_roundtrip_p50_us} µs, p99 ${out.socket_syscall_roundtrip_p99_us} µs`);
    o.log(`  IRQ delivery (record written → handler entered) p50 ${out.irq_delivery_p50_us} µs, p99 ${out.irq_delivery_p99_us} µs (${out.irqs} records)`);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Round trips (µs) and IRQ deliveries (µs) of one run of the benchmark firmware. */
async function measureCalls(exe: string, o: FirmwareBenchOptions, transport?: 'socket') {
  const roundTrips: number[] = [];
  const written: bigint[] = [];
  const delivery: number[] = [];
  let partial = '';
  let toggle: (() => void) | undefined;
  let used = 'socket' as 'shared-memory' | 'socket';
  const result = await runFirmware({
    firmware: exe,
    args: [String(o.calls + o.warmup), String(o.irqs)],
    stdout: 'pipe',
    log: () => undefined,
    timeoutSeconds: 300,
    transport,
    deviceOptions: {
      trace: (e) => {
        if (e.kind === 'notification') written.push(process.hrtime.bigint());
      },
    },
    onStart: (r) => {
      used = r.bridge.transport;
      toggle = () => (r.device.networkUp ? r.device.simulateNetworkLoss() : r.device.restoreNetwork());
    },
    onStdout: (chunk) => {
      partial += chunk.toString();
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const [kind, a, b] = line.split(' ');
        if (kind === 'rt') roundTrips.push(Number(a) / 1000);
        else if (kind === 'ready') toggle?.();
        else if (kind === 'irq') {
          const n = Number(a);
          delivery.push(Number(BigInt(b) - written[n]) / 1000);
          // One record at a time: the next one once this handler has run.
          if (n + 1 < o.irqs) setImmediate(() => toggle?.());
        }
      }
    },
  });
  if (result.exitCode !== 0) throw new Error(`the benchmark firmware exited with ${result.exitCode}`);
  return { transport: used, calls: roundTrips.slice(o.warmup), delivery };
}

const PAYLOAD_BYTES = 100;

/** CPU time (ns) the threads of a live process have run so far (per-thread schedstat: nanoseconds, unlike /proc/PID/stat's ticks). */
function processCpuNs(pid: number): number {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return NaN; // not Linux, or gone
  }
  return ns;
}

const cpuUs = (u: NodeJS.CpuUsage) => u.user + u.system;

/** Messages per second of a C firmware and of a TypeScript app publishing QoS 1, alternately. */
async function publishSideBySide(exe: string, o: FirmwareBenchOptions) {
  const broker = await startMosquitto();
  const window = LIMITS.MQTT_PUBLISHES_IN_FLIGHT_MAX.value;
  const firmwareRates: number[] = [];
  const socketRates: number[] = [];
  const tsRates: number[] = [];
  const deviceCoreCpu: number[] = [];
  const firmwareCpu: number[] = [];
  const tsCpu: number[] = [];
  const publishFromFirmware = async (transport?: 'socket') => {
    let line = '';
    let pid = 0;
    let firmwareNs = NaN;
    const cpu0 = process.cpuUsage();
    const r = await runFirmware({
      firmware: exe,
      args: ['publish', broker.host, String(broker.port), String(o.publishes), String(PAYLOAD_BYTES)],
      stdout: 'pipe',
      onStdout: (c) => {
        line += c.toString();
        // Printed once the last response is in, while the process still runs.
        if (Number.isNaN(firmwareNs) && line.includes('published ')) firmwareNs = processCpuNs(pid);
      },
      onStart: (run) => (pid = run.pid),
      log: () => undefined,
      timeoutSeconds: 300,
      transport,
    });
    const deviceCoreUs = cpuUs(process.cpuUsage(cpu0));
    const m = /^published (\d+) (\d+)$/m.exec(line);
    if (r.exitCode !== 0 || !m) throw new Error(`the publishing firmware failed (exit ${r.exitCode}): ${line}`);
    const n = Number(m[1]);
    return { rate: n / (Number(m[2]) / 1e9), deviceCoreUs: deviceCoreUs / n, firmwareUs: firmwareNs / 1000 / n };
  };
  try {
    // Discarded: both publishers once, so that neither side's reps include V8's first compilation.
    await publishFromFirmware();
    await publishFromTypeScript(broker.host, broker.port, o.publishes, window);
    for (let rep = 0; rep < o.publishReps; rep++) {
      const shared = await publishFromFirmware();
      firmwareRates.push(shared.rate);
      deviceCoreCpu.push(shared.deviceCoreUs);
      firmwareCpu.push(shared.firmwareUs);
      socketRates.push((await publishFromFirmware('socket')).rate);
      const ts = await publishFromTypeScript(broker.host, broker.port, o.publishes, window);
      tsRates.push(ts.rate);
      tsCpu.push(ts.cpuUs);
    }
  } finally {
    await broker.close();
  }
  const ratios = firmwareRates.map((f, i) => f / tsRates[i]);
  const socketRatios = socketRates.map((f, i) => f / tsRates[i]);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const result = {
    qos1_publishes: o.publishes,
    qos1_firmware_msgs_per_s: round(median(firmwareRates), 0),
    qos1_typescript_msgs_per_s: round(median(tsRates), 0),
    qos1_throughput_ratio: round(median(ratios), 2),
    qos1_socket_firmware_msgs_per_s: round(median(socketRates), 0),
    qos1_socket_throughput_ratio: round(median(socketRatios), 2),
    // The device core's process includes connecting and starting the firmware (a few ms in all).
    qos1_firmware_device_core_cpu_us_per_msg: round(median(deviceCoreCpu), 1),
    qos1_firmware_process_cpu_us_per_msg: round(median(firmwareCpu), 1),
    qos1_typescript_cpu_us_per_msg: round(median(tsCpu), 1),
  };
  o.log(`  QoS 1 publishing: firmware ${result.qos1_firmware_msgs_per_s} msg/s, TypeScript ${result.qos1_typescript_msgs_per_s} msg/s, ratio ${result.qos1_throughput_ratio} (socket transport: ${result.qos1_socket_firmware_msgs_per_s} msg/s, ratio ${result.qos1_socket_throughput_ratio})`);
  o.log(`  CPU per message: device core ${result.qos1_firmware_device_core_cpu_us_per_msg} µs + firmware ${result.qos1_firmware_process_cpu_us_per_msg} µs; TypeScript ${result.qos1_typescript_cpu_us_per_msg} µs`);
  return result;
}

async function publishFromTypeScript(host: string, port: number, count: number, window: number): Promise<{ rate: number; cpuUs: number }> {
  const app = new SyscallApp({ host, port, clientId: 'bench-typescript', protocolVersion: 5, keepaliveS: 60 });
  await app.connect();
  const topic = Buffer.from('bench/typescript');
  const payload = Buffer.alloc(PAYLOAD_BYTES, 'x');
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      let sent = 0;
      let done = 0;
      const pump = () => {
        while (sent < count && sent - done < window) {
          sent++;
          app.publish(topic, payload, 1, () => {
            done++;
            if (done === count) resolve();
            else pump();
          });
        }
      };
      pump();
    });
    const seconds = (performance.now() - t0) / 1000;
    return { rate: count / seconds, cpuUs: cpuUs(process.cpuUsage(cpu0)) / count };
  } finally {
    await app.powerOff();
  }
}
