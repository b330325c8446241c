/**
 * Fleet: what a user gets from `mvdevice fleet`, run as they would run it (the package's bin,
 * a child process, `--json`), against a mosquitto started for the run. The command shards
 * the devices over one process per core, and its own subscriber — a separate mqtt.js
 * client, not a device — counts what arrives, so `lost` does not rely on the devices' word.
 *
 * The broker must not be what limits the fleet: unlimited connections, and unlimited queues
 * so that mosquitto does not drop messages for a subscriber that falls behind for a moment.
 * Each side needs a file descriptor per device: `npm run bench` raises the limit to the hard
 * limit before it starts, and mosquitto inherits it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startMosquitto } from '../../../test/support/brokers.js';
import { hasTool } from '../../../test/support/tools.js';
import { REPO_ROOT } from '../paths.js';

const MVDEVICE = join(REPO_ROOT, 'packages', 'device', 'bin', 'mvdevice.js');

export interface FleetOptions {
  sizes: number[];
  durationS: number;
  log: (line: string) => void;
}

function fileLimit(): number {
  const r = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

/** Runs `mvdevice fleet … --json`; resolves with its report (whatever its exit code), forwarding its live summary. */
function runFleetCommand(args: string[], log: (line: string) => void, timeoutMs: number): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MVDEVICE, 'fleet', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      for (const line of d.split('\n')) if (line.trim()) log(line.trim());
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') return reject(new Error(`mvdevice fleet did not finish within ${timeoutMs / 1000} s:\n${err}`));
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`mvdevice fleet exited ${code} without a report:\n${err}`));
      }
    });
  });
}

export async function benchFleet(opts: FleetOptions) {
  if (!hasTool('mosquitto')) {
    opts.log('  fleet: skipped, mosquitto is not installed (sudo apt-get install -y mosquitto)');
    return { skipped: 'mosquitto is not installed' };
  }
  const limit = fileLimit();
  const out: Record<string, unknown> = { duration_s: opts.durationS, qos: 1, payload_bytes: 100, interval_ms: 1000, file_limit: limit };
  for (const n of opts.sizes) {
    if (n + 64 > limit) {
      opts.log(`  fleet ${n}: skipped, the open-file limit is ${limit} (npm run bench raises it to the hard limit: ulimit -Hn)`);
      out[String(n)] = { skipped: `open-file limit ${limit}` };
      continue;
    }
    const broker = await startMosquitto({ extraConfig: ['max_connections -1', 'max_queued_messages 0', 'max_inflight_messages 0'] });
    try {
      const r = await runFleetCommand(['--count', String(n), '--broker', broker.url, '--duration', String(opts.durationS), '--interval', '1000', '--qos', '1', '--payload', '100'], (l) =>
        opts.log(`  fleet ${n}: ${l}`),
        // Generous: connecting, the schedule, and draining on a machine that may be busy.
        (opts.durationS + 300) * 1000,
      );
      const expected = n * opts.durationS;
      // Lost: every scheduled message the separate subscriber did not count, whether or not its publish completed.
      // CPU per device depends much less on what else the machine runs than the connect time does.
      const connectCpuPer1000 = Math.round((r.connect_cpu_s / n) * 1000 * 1000) / 1000;
      const summary = { ...r, expected, lost_after_completion: r.lost, lost: expected - r.observed, connect_cpu_s_per_1000: connectCpuPer1000 };
      opts.log(
        `  fleet ${n}: connected in ${r.connect_s} s (${connectCpuPer1000} CPU s per 1,000 devices), ${r.published} published, ${r.observed} of ${expected} counted by the separate subscriber, ${summary.lost} lost, ` +
          `${r.rss_mb_per_device} MB RSS/device, ${r.cpu_pct}% CPU`,
      );
      out[String(n)] = summary;
    } finally {
      await broker.close();
    }
  }
  return out;
}
