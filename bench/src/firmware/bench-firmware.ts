/**
 * Firmware: a host build of C firmware (mvmqtt_add_host_firmware) run against the device core
 * through the host bridge, as `mvdevice run` does.
 *  - syscall round trip: firmware → device core → firmware, timed in the firmware around each
 *    call (CLOCK_MONOTONIC), after a discarded warm-up;
 *  - IRQ delivery: from the device writing a notification record (the trace event, on
 *    process.hrtime, i.e. CLOCK_MONOTONIC) to the firmware's handler being entered. Records
 *    come from simulated network loss and recovery, one at a time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFirmware } from '@mvmqtt/device/host';
import { hasTool } from '../../../test/support/tools.js';
import { REPO_ROOT } from '../paths.js';
import { percentile, round } from '../stats.js';

export interface FirmwareBenchOptions {
  calls: number;
  warmup: number;
  irqs: number;
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
    const roundTrips: number[] = [];
    const written: bigint[] = [];
    const delivery: number[] = [];
    let partial = '';
    let toggle: (() => void) | undefined;
    let device: import('@mvmqtt/device').Device | undefined;
    const result = await runFirmware({
      firmware: exe,
      args: [String(o.calls + o.warmup), String(o.irqs)],
      stdout: 'pipe',
      log: () => undefined,
      timeoutSeconds: 300,
      deviceOptions: {
        trace: (e) => {
          if (e.kind === 'notification') written.push(process.hrtime.bigint());
        },
      },
      onStart: (r) => {
        device = r.device;
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
    void device;
    if (result.exitCode !== 0) throw new Error(`the benchmark firmware exited with ${result.exitCode}`);
    const calls = roundTrips.slice(o.warmup);
    const out = {
      calls: calls.length,
      irqs: delivery.length,
      syscall_roundtrip_p50_us: round(percentile(calls, 50), 1),
      syscall_roundtrip_p99_us: round(percentile(calls, 99), 1),
      irq_delivery_p50_us: round(percentile(delivery, 50), 1),
      irq_delivery_p99_us: round(percentile(delivery, 99), 1),
    };
    o.log(`  syscall round trip p50 ${out.syscall_roundtrip_p50_us} µs, p99 ${out.syscall_roundtrip_p99_us} µs (${out.calls} calls)`);
    o.log(`  IRQ delivery (record written → handler entered) p50 ${out.irq_delivery_p50_us} µs, p99 ${out.irq_delivery_p99_us} µs (${out.irqs} records)`);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
