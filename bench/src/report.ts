/** The Markdown tables printed at the end of a run, and the target check. */

type Results = Record<string, any>;

const fmt = (x: unknown): string => {
  if (x === undefined || x === null) return '—';
  if (typeof x === 'number') return x.toLocaleString('en-US', { maximumFractionDigits: Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2 });
  return String(x);
};

function table(head: string[], rows: unknown[][]): string {
  const line = (cells: unknown[]) => `| ${cells.map((c) => (typeof c === 'string' ? c : fmt(c))).join(' | ')} |`;
  return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

export interface TargetCheck {
  name: string;
  value: number | null;
  target: string;
  met: boolean | null;
}

/** The targets against this run's numbers (null when the section did not run). */
export function checkTargets(r: Results): TargetCheck[] {
  const out: TargetCheck[] = [];
  const add = (name: string, value: number | undefined, target: string, ok: (v: number) => boolean) =>
    out.push({ name, value: value ?? null, target, met: value === undefined || Number.isNaN(value) ? null : ok(value) });
  const g = r.generator;
  if (g) {
    add('generator: full generation (ms)', g.full_ms, '≤ 1500', (v) => v <= 1500);
    if (g.ratio_100x !== undefined) add('generator: 100x spec / 1x time', g.ratio_100x, '≤ 15', (v) => v <= 15);
    add('generator: files written by a no-change run', g.noop_files_written, '= 0', (v) => v === 0);
  }
  for (const [broker, b] of Object.entries<any>(r.runtime ?? {})) {
    if (broker === 'settings') continue;
    add(`runtime ${broker}: QoS 0 throughput emulated/raw`, b.qos0?.ratio, '≥ 0.9', (v) => v >= 0.9);
    add(`runtime ${broker}: QoS 1 throughput emulated/raw`, b.qos1?.ratio, '≥ 0.9', (v) => v >= 0.9);
    add(`runtime ${broker}: latency p50 emulated/raw`, b.latency_p50_ratio, '≤ 1.15', (v) => v <= 1.15);
  }
  for (const [n, f] of Object.entries<any>(r.fleet ?? {})) {
    if (!/^\d+$/.test(n)) continue;
    if (Number(n) >= 1000) add(`fleet ${n}: seconds until all connected`, f.connect_s, '≤ 10', (v) => v <= 10);
    add(`fleet ${n}: messages lost`, f.lost, '= 0', (v) => v === 0);
    if (Number(n) >= 1000) add(`fleet ${n}: RSS per device (MB)`, f.rss_mb_per_device, '≤ 0.3', (v) => v <= 0.3);
  }
  return out;
}

export function renderReport(r: Results): string {
  const parts: string[] = [];
  const m = r.machine;
  parts.push(`## mvmqtt benchmarks${r.quick ? ' (--quick: smaller counts, not for comparison)' : ''}`);
  parts.push(`${m.cores} cores, ${m.cpu_model}, Node ${m.node}, ${m.platform}, mosquitto ${m.mosquitto ?? 'absent'}; load average ${m.load_average_1m} at start, ${r.load_average_1m_end ?? '—'} at end; commit ${m.commit}; ${r.date}`);

  const g = r.generator;
  if (g) {
    const scaledRows = Object.entries<any>(g.scaled).map(([k, s]) => [
      `${k} spec (${s.items.functions} functions, ${s.items.structs} structs, ${s.items.enums} enums, ${s.items.limits} limits)`,
      s.wall_ms,
      s.internal_ms,
      s.files,
      s.wall_ms / g.full_ms,
    ]);
    parts.push(
      `### Generator (mvgen generate, cold process, median of ${g.reps}; targets: ${g.targets.join(', ')})\n` +
        table(
          ['run', 'wall ms', 'ms inside mvgen', 'files', '× the 1x time'],
          [['real spec (1x)', g.full_ms, g.full.internal_ms, g.full.files, 1], ...scaledRows, ['no-change regeneration (1x)', g.noop_ms, '', `${g.noop_files_written} written`, '']],
        ),
    );
  }

  const rt = r.runtime;
  if (rt) {
    const s = rt.settings;
    const rows: unknown[][] = [];
    for (const [broker, b] of Object.entries<any>(rt)) {
      if (broker === 'settings') continue;
      const cpu = (x: any) => [x.cpu_us_per_msg_raw, x.cpu_us_per_msg_emulated, x.cpu_ratio];
      rows.push([broker, 'QoS 0 throughput (msg/s)', b.qos0.raw_msg_s, b.qos0.emulated_msg_s, b.qos0.ratio, ...cpu(b.qos0)]);
      rows.push([broker, 'QoS 1 throughput (msg/s)', b.qos1.raw_msg_s, b.qos1.emulated_msg_s, b.qos1.ratio, ...cpu(b.qos1)]);
      rows.push([broker, 'latency p50 (µs)', b.latency.raw.p50_us, b.latency.emulated.p50_us, b.latency_p50_ratio, ...cpu(b.latency)]);
      rows.push([broker, 'latency p99 (µs)', b.latency.raw.p99_us, b.latency.emulated.p99_us, b.latency_p99_ratio, '', '', '']);
    }
    parts.push(
      `### Runtime: emulated device vs raw mqtt.js (${s.messages} × ${s.payload_bytes}-byte messages, window ${s.window}, ${s.latency_samples} latency samples, median of ${s.reps})\n` +
        table(['broker', 'measure', 'raw mqtt.js', 'emulated device', 'emulated/raw', 'CPU µs/msg raw', 'CPU µs/msg emulated', 'CPU emulated/raw'], rows),
    );
    const diag: unknown[][] = [];
    for (const [broker, b] of Object.entries<any>(rt)) {
      if (broker === 'settings' || b.qos0.emulated_pub_only_ratio === undefined) continue;
      for (const q of ['qos0', 'qos1'])
        diag.push([broker, q === 'qos0' ? 'QoS 0' : 'QoS 1', b[q].emulated_pub_only_ratio, b[q].emulated_sub_only_ratio, b[q].raw_unbounded_msg_s ?? '']);
    }
    if (diag.length)
      parts.push(
        `Diagnostics (one side emulated, the other raw; throughput / raw):\n` +
          table(['broker', 'QoS', 'emulated publisher only', 'emulated subscriber only', 'raw without completions (msg/s)'], diag),
      );
  }

  const fl = r.fleet;
  if (fl) {
    const rows = Object.entries<any>(fl)
      .filter(([n]) => /^\d+$/.test(n))
      .map(([n, f]) => [n, f.connect_s, f.subscribed_s, `${f.expected} / ${f.received}`, f.lost, f.rss_mb_per_device, f.heap_mb_per_device, f.cpu_pct, f.duration_s]);
    parts.push(
      `### Fleet: N emulated devices in one process on mosquitto (QoS 1, one publish per device per second)\n` +
        table(['N', 'all connected (s)', 'all subscribed (s)', 'published / counted', 'lost', 'RSS MB/device', 'heap MB/device', 'CPU % of a core', 'seconds'], rows),
    );
  }

  const targets = checkTargets(r);
  if (targets.length)
    parts.push(
      '### Targets\n' + table(['target', 'measured', 'goal', 'met'], targets.map((t) => [t.name, t.value ?? '—', t.target, t.met === null ? 'not run' : t.met ? 'yes' : '**no**'])),
    );
  return parts.join('\n\n') + '\n';
}
