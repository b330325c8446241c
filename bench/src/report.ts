/** The Markdown tables printed at the end of a run, and the target check. */

type Results = Record<string, any>;

const fmt = (x: unknown): string => {
  if (x === undefined || x === null) return '—';
  if (typeof x === 'number') return x.toLocaleString('en-US', { maximumFractionDigits: Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2 });
  return String(x);
};

/** A ratio with the range it took over the repetitions, when the run recorded one: "0.88 (0.85–0.90)". */
export const withSpread = (x: unknown, min: unknown, max: unknown): string =>
  typeof min === 'number' && typeof max === 'number' ? `${fmt(x)} (${fmt(min)}–${fmt(max)})` : fmt(x);

/** One sentence on how busy the machine was (runs before the load monitor only had start/end load averages). */
export function describeLoad(r: Results): string {
  const l = r.load;
  if (!l) return `1-minute load average ${r.machine.load_average_1m} at start, ${r.load_average_1m_end ?? '—'} at end (recorded before the noise check and the min–max ranges existed)`;
  const others = l.others_1m_max === null ? 'other processes: not measurable here' : `other processes' 1-minute load ${l.others_1m_start} at start, at most ${l.others_1m_max}`;
  return `1-minute load average ${l.loadavg_1m_before} before, at most ${l.loadavg_1m_max} during (the benchmark's own processes included), ${l.loadavg_1m_after} after; ${others}: ${l.noisy ? `**noisy** (${l.reason})` : `quiet (limit ${l.max_load})`}`;
}

function table(head: string[], rows: unknown[][]): string {
  const line = (cells: unknown[]) => `| ${cells.map((c) => (typeof c === 'string' ? c : fmt(c))).join(' | ')} |`;
  return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

export interface TargetCheck {
  name: string;
  value: number | null;
  /** The value with its range over the repetitions, where there is one. */
  shown?: string;
  target: string;
  met: boolean | null;
}

/** The performance targets against this run's numbers (null when the section did not run). Ratios are judged on their median. */
export function checkTargets(r: Results): TargetCheck[] {
  const out: TargetCheck[] = [];
  const add = (name: string, value: number | undefined, target: string, ok: (v: number) => boolean, shown?: string) =>
    out.push({ name, value: value ?? null, shown, target, met: value === undefined || Number.isNaN(value) ? null : ok(value) });
  const g = r.generator;
  if (g) {
    add('generator: full generation, cold process (ms)', g.full_ms, '≤ 1000', (v) => v <= 1000, withSpread(g.full_ms, g.full?.wall_ms_min, g.full?.wall_ms_max));
    add('generator: no-change regeneration, cold process (ms)', g.noop_ms, '≤ 250', (v) => v <= 250, withSpread(g.noop_ms, g.noop_ms_min, g.noop_ms_max));
    if (g.ratio_100x !== undefined)
      add('generator: 100x spec / 1x time', g.ratio_100x, '≤ 15', (v) => v <= 15, g.ratio_100x_min === undefined ? undefined : withSpread(g.ratio_100x, g.ratio_100x_min, g.ratio_100x_max));
    add('generator: files written by a no-change run', g.noop_files_written, '= 0', (v) => v === 0);
  }
  for (const [broker, b] of Object.entries<any>(r.runtime ?? {})) {
    if (broker === 'settings') continue;
    add(`runtime ${broker}: QoS 0 throughput emulated/raw`, b.qos0?.ratio, '≥ 0.9', (v) => v >= 0.9, withSpread(b.qos0?.ratio, b.qos0?.ratio_min, b.qos0?.ratio_max));
    add(`runtime ${broker}: QoS 1 throughput emulated/raw`, b.qos1?.ratio, '≥ 0.9', (v) => v >= 0.9, withSpread(b.qos1?.ratio, b.qos1?.ratio_min, b.qos1?.ratio_max));
    add(`runtime ${broker}: latency p50 emulated/raw`, b.latency_p50_ratio, '≤ 1.15', (v) => v <= 1.15, withSpread(b.latency_p50_ratio, b.latency_p50_ratio_min, b.latency_p50_ratio_max));
    add(`runtime ${broker}: latency p99 emulated/raw`, b.latency_p99_ratio, '≤ 1.5', (v) => v <= 1.5, withSpread(b.latency_p99_ratio, b.latency_p99_ratio_min, b.latency_p99_ratio_max));
  }
  for (const [n, f] of Object.entries<any>(r.fleet ?? {})) {
    if (!/^\d+$/.test(n)) continue;
    if (Number(n) >= 1000) add(`fleet ${n}: seconds until all connected`, f.connect_s, '≤ 10', (v) => v <= 10);
    add(`fleet ${n}: messages lost`, f.lost, '= 0', (v) => v === 0);
    if (Number(n) >= 10_000) add(`fleet ${n}: RSS per device (MB)`, f.rss_mb_per_device, '≤ 0.1', (v) => v <= 0.1);
  }
  for (const q of ['qos0', 'qos1']) {
    const i = r.inspector?.[q];
    if (!i) continue;
    const Q = q === 'qos0' ? 'QoS 0' : 'QoS 1';
    add(`inspector ${Q}: detached / never inspected`, i.detached_ratio, '≥ 0.95', (v) => v >= 0.95, withSpread(i.detached_ratio, i.detached_ratio_min, i.detached_ratio_max));
    add(`inspector ${Q}: page open / never inspected`, i.page_open_ratio, '≥ 0.8', (v) => v >= 0.8, withSpread(i.page_open_ratio, i.page_open_ratio_min, i.page_open_ratio_max));
  }
  const fw = r.firmware;
  if (fw && !fw.skipped) {
    add('firmware: syscall round trip p50 (µs)', fw.syscall_roundtrip_p50_us, '≤ 30', (v) => v <= 30);
    add('firmware: syscall round trip p99 (µs)', fw.syscall_roundtrip_p99_us, '≤ 200', (v) => v <= 200);
    add('firmware: IRQ delivery p50 (µs)', fw.irq_delivery_p50_us, '≤ 1000', (v) => v <= 1000);
    if (fw.qos1_throughput_ratio !== undefined) add('firmware: QoS 1 throughput firmware/TypeScript', fw.qos1_throughput_ratio, '≥ 0.5', (v) => v >= 0.5);
  }
  return out;
}

export function renderReport(r: Results, opts: { title?: boolean } = {}): string {
  const parts: string[] = [];
  const m = r.machine;
  if (opts.title ?? true)
    parts.push(`## mvmqtt benchmarks${r.quick ? ' (--quick: smaller counts, not for comparison)' : ''}`);
  parts.push(
    `${r.date}, commit ${m.commit}${m.commit_dirty ? ' (with uncommitted changes)' : ''}; ${m.cores} cores, ${m.cpu_model}, Node ${m.node}, ${m.platform}, mosquitto ${m.mosquitto ?? 'absent'}.\n` +
      `Load: ${describeLoad(r)}.`,
  );

  const g = r.generator;
  if (g) {
    // Runs recorded before CPU times were measured keep the table they were published with.
    const withCpu = g.full?.cpu_ms !== undefined;
    const cpu = (x: any) => (withCpu ? [x?.cpu_ms === undefined ? '' : withSpread(x.cpu_ms, x.cpu_ms_min, x.cpu_ms_max)] : []);
    const scaled = Object.entries<any>(g.scaled);
    const scaledRows = scaled.map(([k, s]) => [
      `${k} spec (${s.items.functions} functions, ${s.items.structs} structs, ${s.items.enums} enums, ${s.items.limits} limits)`,
      withSpread(s.wall_ms, s.wall_ms_min, s.wall_ms_max),
      ...cpu(s),
      s.internal_ms,
      s.files,
      withSpread(s.wall_ms / g.full_ms, g[`ratio_${k}_min`], g[`ratio_${k}_max`]),
      ...(withCpu ? [g[`ratio_${k}_cpu`] ?? ''] : []),
    ]);
    // The scaled series may have fewer repetitions than the 1x one (the 100x spec takes seconds a run).
    const otherReps = scaled.filter(([, s]) => s.reps !== undefined && s.reps !== g.reps).map(([k, s]) => `${k}: ${s.reps}`);
    parts.push(
      `### Generator (mvgen generate, cold process, median of ${g.reps}${otherReps.length ? ` (${otherReps.join(', ')})` : ''}${g.warmup_runs ? ' after a discarded warm-up' : ''}; targets: ${g.targets.join(', ')})\n` +
        table(
          ['run', 'wall ms (min–max)', ...(withCpu ? ['CPU ms, all threads (min–max)'] : []), 'ms inside mvgen', 'files', withCpu ? '× the 1x wall time (min–max)' : '× the 1x time', ...(withCpu ? ['× the 1x CPU time'] : [])],
          [
            ['real spec (1x)', withSpread(g.full_ms, g.full.wall_ms_min, g.full.wall_ms_max), ...cpu(g.full), g.full.internal_ms, g.full.files, 1, ...(withCpu ? [1] : [])],
            ...scaledRows,
            ['no-change regeneration (1x)', withSpread(g.noop_ms, g.noop_ms_min, g.noop_ms_max), ...(withCpu ? [g.noop_cpu_ms ?? ''] : []), '', `${g.noop_files_written} written`, '', ...(withCpu ? [''] : [])],
          ],
        ),
    );
  }

  const rt = r.runtime;
  if (rt) {
    const s = rt.settings;
    const rows: unknown[][] = [];
    for (const [broker, b] of Object.entries<any>(rt)) {
      if (broker === 'settings') continue;
      const cpu = (x: any) => [x.cpu_us_per_msg_raw, x.cpu_us_per_msg_emulated, withSpread(x.cpu_ratio, x.cpu_ratio_min, x.cpu_ratio_max)];
      const q = (x: any) => withSpread(x.ratio, x.ratio_min, x.ratio_max);
      rows.push([broker, 'QoS 0 throughput (msg/s)', b.qos0.raw_msg_s, b.qos0.emulated_msg_s, q(b.qos0), ...cpu(b.qos0)]);
      rows.push([broker, 'QoS 1 throughput (msg/s)', b.qos1.raw_msg_s, b.qos1.emulated_msg_s, q(b.qos1), ...cpu(b.qos1)]);
      rows.push([broker, 'latency p50 (µs)', b.latency.raw.p50_us, b.latency.emulated.p50_us, withSpread(b.latency_p50_ratio, b.latency_p50_ratio_min, b.latency_p50_ratio_max), ...cpu(b.latency)]);
      rows.push([broker, 'latency p99 (µs)', b.latency.raw.p99_us, b.latency.emulated.p99_us, withSpread(b.latency_p99_ratio, b.latency_p99_ratio_min, b.latency_p99_ratio_max), '', '', '']);
    }
    parts.push(
      `### Runtime: emulated device vs raw mqtt.js (${s.messages} × ${s.payload_bytes}-byte messages, window ${s.window}, ${s.latency_samples} latency samples, median of ${s.reps}${rt.aedes?.qos0?.ratio_min !== undefined || rt.mosquitto?.qos0?.ratio_min !== undefined ? "; each ratio is the median of the repetitions' emulated/raw ratios, with their range" : ''})\n` +
        table(['broker', 'measure', 'raw mqtt.js', 'emulated device', 'emulated/raw (min–max)', 'CPU µs/msg raw', 'CPU µs/msg emulated', 'CPU emulated/raw (min–max)'], rows),
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
    const sized = Object.entries<any>(fl).filter(([n, f]) => /^\d+$/.test(n) && !f.skipped);
    // Runs before the fleet became `mvdevice fleet` recorded a different set of fields.
    const command = sized.some(([, f]) => f.observed !== undefined);
    const rows = sized.map(([n, f]) =>
      command
        ? [n, f.startup_s, f.connect_s, `${f.expected} / ${f.observed}`, f.lost, f.rss_mb_per_device, f.heap_mb_per_device, f.cpu_pct, f.latency_ms?.p50, f.latency_ms?.p99, f.publish_s]
        : [n, '', f.connect_s, `${f.expected} / ${f.received}`, f.lost, f.rss_mb_per_device, f.heap_mb_per_device, f.cpu_pct, '', '', f.duration_s],
    );
    const how = command
      ? `\`mvdevice fleet\` (${sized[0]?.[1].shards ?? '?'} shard processes) on mosquitto; QoS 1, one ${fl.payload_bytes}-byte publish per device per second; counted by a separate subscriber`
      : 'N emulated devices in one process on mosquitto (QoS 1, one publish per device per second)';
    parts.push(
      `### Fleet: ${how}\n` +
        table(['N', 'shards started (s)', 'all connected (s)', 'scheduled / counted', 'lost', 'RSS MB/device', 'heap MB/device', 'CPU % of a core', 'latency p50 (ms)', 'latency p99 (ms)', 'seconds'], rows),
    );
    for (const [n, f] of Object.entries<any>(fl)) if (f?.skipped) parts.push(`Fleet ${n}: skipped (${f.skipped}).`);
  }

  const fw = r.firmware;
  if (fw?.skipped) parts.push(`Firmware: skipped (${fw.skipped}).`);
  else if (fw)
    parts.push(
      '### Firmware (host build of C firmware, through the host bridge; µs)\n' +
        table(
          ['measurement', 'p50', 'p99', 'samples'],
          [
            [`system call round trip, firmware → device core → firmware${fw.shared_memory_transport ? ' (shared memory)' : ''}`, fw.syscall_roundtrip_p50_us, fw.syscall_roundtrip_p99_us, fw.calls],
            ...(fw.shared_memory_transport && fw.socket_syscall_roundtrip_p50_us !== undefined
              ? [['the same over the socket transport (the fallback without the addon)', fw.socket_syscall_roundtrip_p50_us, fw.socket_syscall_roundtrip_p99_us, fw.calls]]
              : []),
            ['IRQ delivery, record written → handler entered', fw.irq_delivery_p50_us, fw.irq_delivery_p99_us, fw.irqs],
          ],
        ) +
        (fw.qos1_throughput_ratio !== undefined
          ? `\n\nQoS 1 publishing, ${fw.qos1_publishes} messages of 100 bytes, side by side on one mosquitto: firmware ${fmt(fw.qos1_firmware_msgs_per_s)} msg/s, TypeScript on the emulated device ${fmt(fw.qos1_typescript_msgs_per_s)} msg/s, ratio ${fmt(fw.qos1_throughput_ratio)}${fw.shared_memory_transport && fw.qos1_socket_throughput_ratio !== undefined ? ` (over the socket transport: ${fmt(fw.qos1_socket_firmware_msgs_per_s)} msg/s, ratio ${fmt(fw.qos1_socket_throughput_ratio)})` : ''}.`
          : ''),
    );

  const ins = r.inspector;
  if (ins) {
    const s = ins.settings;
    const rows: unknown[][] = [];
    for (const q of ['qos0', 'qos1']) {
      const i = ins[q];
      if (!i) continue;
      const cell = (k: string) => withSpread(i[`${k}_ratio`], i[`${k}_ratio_min`], i[`${k}_ratio_max`]);
      const cpu = (k: string) => withSpread(i[`${k}_cpu_ratio`], i[`${k}_cpu_ratio_min`], i[`${k}_cpu_ratio_max`]);
      rows.push([q === 'qos0' ? 'QoS 0' : 'QoS 1', i.none_msg_s, cell('detached'), cell('attached'), cell('page_open'), `${cpu('detached')} / ${cpu('attached')} / ${cpu('page_open')}`]);
    }
    parts.push(
      `### Inspector: an emulated device publishing (${s.messages} × ${s.payload_bytes}-byte messages, window ${s.window}) with the inspector detached, attached, and attached with a page open (${s.page_reader}), each against never inspected in the same repetition; median of ${s.reps} (min–max)
` +
        table(['QoS', 'never inspected (msg/s)', 'detached', 'attached', 'page open', 'CPU per message: detached / attached / page open (never = 1)'], rows),
    );
  }

  const targets = checkTargets(r);
  if (targets.length)
    parts.push(
      '### Targets\n' + table(['target', 'measured', 'goal', 'met'], targets.map((t) => [t.name, t.shown ?? t.value ?? '—', t.target, t.met === null ? 'not run' : t.met ? 'yes' : '**no**'])),
    );
  return parts.join('\n\n') + '\n';
}
