/**
 * `mvdevice fleet`: the options, a live summary on stderr while the fleet runs, and the final
 * report (text, or JSON on stdout with --json). Exit code 0 when every device connected and,
 * at QoS 1, nothing was lost; 1 otherwise.
 */
import { spawnSync } from 'node:child_process';
import { startFleet, type FleetProgress, type FleetReport } from './fleet.js';
import { FLEET_USAGE, fleetOptions, type FleetOptions } from './options.js';

const n = (x: number) => x.toLocaleString('en-US');
const ms = (x: number) => (Number.isNaN(x) ? '—' : x < 10 ? x.toFixed(2) : x.toFixed(0));

function progressLine(p: FleetProgress): string {
  return (
    `[${p.elapsedS.toFixed(0).padStart(4)} s] ${p.phase.padEnd(10)} connected ${n(p.connected)}/${n(p.devices)}` +
    (p.failed ? ` (${n(p.failed)} failed)` : '') +
    `  published ${n(p.published)}${p.refused ? ` (${n(p.refused)} refused)` : ''}  received by the fleet's subscriber ${n(p.observed)}` +
    `  not yet seen ${n(p.pending)}  received by devices ${n(p.deviceReceived)}  latency p50 ${ms(p.p50Ms)} ms p99 ${ms(p.p99Ms)} ms`
  );
}

export function renderFleetReport(r: FleetReport): string {
  const lines = [
    `mvdevice fleet: ${n(r.devices)} devices in ${r.shards} shard process${r.shards === 1 ? '' : 'es'}, firmware ${r.firmware}, broker ${r.broker}`,
    `  schedule     QoS ${r.qos}, ${r.payload_bytes}-byte payloads, one per device every ${r.interval_ms} ms${r.interrupted ? ' (interrupted)' : ''}`,
    `  connected    ${n(r.connected)} of ${n(r.devices)} in ${r.connect_s} s${r.failed ? `, ${n(r.failed)} failed` : ''} (${r.connect_cpu_s} CPU s in the shards; shards started in ${r.startup_s} s)`,
    `  published    ${n(r.published)} in ${r.publish_s} s${r.refused ? `, ${n(r.refused)} refused` : ''}${r.device_errors ? `, ${n(r.device_errors)} device errors` : ''}`,
    `  received     ${n(r.observed)} by the fleet's subscriber${r.duplicates ? `, ${n(r.duplicates)} duplicates` : ''}${r.unstamped ? `, ${n(r.unstamped)} without the fleet's stamp` : ''}; ${n(r.device_received)} by devices`,
    `  lost         ${n(r.lost)}`,
    `  latency      p50 ${ms(r.latency_ms.p50)} ms, p90 ${ms(r.latency_ms.p90)} ms, p99 ${ms(r.latency_ms.p99)} ms, max ${ms(r.latency_ms.max)} ms (publish call → fleet's subscriber)`,
    `  memory       ${r.rss_mb_per_device} MB RSS per device (${r.heap_mb_per_device} MB heap), ${n(r.rss_mb)} MB RSS in all`,
    `  CPU          ${r.cpu_pct}% of one core while publishing (shards only)`,
  ];
  if (r.problems.length) lines.push('  problems', ...r.problems.map((p) => `    ${p}`));
  if (r.lost > 0)
    lines.push(
      "  note         a broker drops what it cannot queue for a slow subscriber (mosquitto: max_queued_messages, 1000 by default); the fleet's subscriber is one client receiving every device's messages",
    );
  return lines.join('\n');
}

/** File descriptors: one socket per device in a shard. Warn early rather than fail with EMFILE half-way. */
function warnAboutFileLimit(o: FleetOptions, warn: (line: string) => void): void {
  if (process.platform === 'win32') return;
  const r = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const limit = Number(r.stdout?.trim());
  const perShard = Math.ceil(o.count / Math.min(o.shards, o.count)) + 64;
  if (Number.isFinite(limit) && limit < perShard)
    warn(`warning: each shard needs about ${n(perShard)} file descriptors, the limit is ${n(limit)}: raise it first (ulimit -n $(ulimit -Hn)), and the broker's too`);
}

export async function fleetCommand(argv: string[]): Promise<number> {
  const o = fleetOptions(argv);
  if (!o) {
    console.log(FLEET_USAGE);
    return 0;
  }
  const err = (line: string) => process.stderr.write(`${line}\n`);
  warnAboutFileLimit(o, err);
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  const fleet = startFleet(
    o,
    (p) => {
      if (o.quiet) return;
      if (tty) process.stderr.write(`\r\x1b[K${progressLine(p)}`);
      else if (p.elapsedS - lastLine >= 5) {
        lastLine = p.elapsedS;
        err(progressLine(p));
      }
    },
    (url) => err(`inspector: ${url}`),
  );
  // First Ctrl-C: stop publishing, drain, report. Second: leave now.
  const onSigint = () => {
    process.off('SIGINT', onSigint);
    process.once('SIGINT', () => process.exit(130));
    err('\nstopping: finishing the last publishes (Ctrl-C again to quit at once)');
    fleet.interrupt();
  };
  process.on('SIGINT', onSigint);
  try {
    const r = await fleet.report;
    if (tty && !o.quiet) process.stderr.write('\n');
    if (o.json) console.log(JSON.stringify(r, null, 2));
    else console.log(renderFleetReport(r));
    return r.failed > 0 || (r.qos === 1 && r.lost > 0) ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
