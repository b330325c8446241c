/**
 * How busy the machine was while the benchmark ran.
 *
 * The kernel's 1-minute load average counts the benchmark's own processes too (the worker,
 * mosquitto, the fleet shards keep both cores busy), so on a 2-core machine it climbs past
 * 1.0 during every run, quiet machine or not. It is recorded as it is (before, every 5 s
 * during, after), but whether a run was disturbed is judged on the load of *other*
 * processes: the CPU time the whole machine used (/proc/stat) minus the CPU time of this
 * process tree (/proc/<pid>/stat of every descendant, reaped children included through
 * cutime/cstime), in cores, smoothed with the kernel's own 1-minute exponential average so
 * it reads like a load average. Before the first section, a 2-second idle window measures
 * what the rest of the machine is doing at the start.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { round, sleep } from './stats.js';

/** Clock ticks per second of /proc times (USER_HZ; 100 on every Linux architecture Node supports). */
const USER_HZ = 100;
const SAMPLE_MS = 5000;
/** The kernel's 1-minute load average decay per 5-second sample. */
const DECAY = Math.exp(-SAMPLE_MS / 1000 / 60);

export interface LoadSample {
  /** Seconds since the monitor started. */
  t_s: number;
  /** The kernel's 1-minute load average (everything, the benchmark included). */
  loadavg_1m: number;
  /** Other processes' 1-minute load (cores), null where /proc is not available. */
  others_1m: number | null;
}

export interface LoadReport {
  /** The threshold on `others_1m_max` above which the run is noisy. */
  max_load: number;
  loadavg_1m_before: number;
  loadavg_1m_max: number;
  loadavg_1m_after: number;
  others_1m_start: number | null;
  others_1m_max: number | null;
  samples: LoadSample[];
  noisy: boolean;
  /** Why the run is noisy (or why noise could not be judged). */
  reason?: string;
}

interface CpuTicks {
  /**
   * Every CPU's ticks in user, nice and system mode, summed. Interrupt and softirq time is left
   * out: it belongs to no process (the benchmark's own loopback traffic lands there), so it
   * could not be told apart from other processes' work.
   */
  machine: number;
  /** Ticks of this process and its live descendants, with the reaped ones they waited for. */
  tree: number;
}

export function readCpuTicks(root: number): CpuTicks | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system] = cpu;
    const procs = new Map<number, { ppid: number; ticks: number }>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      } catch {
        continue; // exited while we looked
      }
      // "pid (comm) state ppid … utime stime cutime cstime …": comm may hold spaces and parentheses.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
    }
    const inTree = (pid: number): boolean => {
      for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
        if (p === root) return true;
        const next = procs.get(p)?.ppid;
        if (next === undefined) return false;
        p = next;
      }
      return false;
    };
    let tree = 0;
    for (const [pid, p] of procs) if (inTree(pid)) tree += p.ticks;
    return { machine: user + nice + system, tree };
  } catch {
    return undefined; // not Linux
  }
}

/** Cores used by processes outside this tree between two readings. */
function othersCores(a: CpuTicks, b: CpuTicks, seconds: number): number {
  return Math.max(0, (b.machine - a.machine - (b.tree - a.tree)) / USER_HZ / seconds);
}

export class LoadMonitor {
  private readonly samples: LoadSample[] = [];
  private timer?: NodeJS.Timeout;
  private t0 = 0;
  private last?: { ticks: CpuTicks; at: number };
  private others: number | null = null;
  private othersStart: number | null = null;
  private loadBefore = 0;

  constructor(readonly maxLoad = 1.0) {}

  /** Measures the rest of the machine over an idle window, then samples every 5 s until `stop()`. */
  async start(): Promise<void> {
    this.loadBefore = loadavg()[0];
    this.t0 = performance.now();
    const first = readCpuTicks(process.pid);
    if (first) {
      await sleep(2000);
      const second = readCpuTicks(process.pid)!;
      this.others = this.othersStart = othersCores(first, second, (performance.now() - this.t0) / 1000);
      this.last = { ticks: second, at: performance.now() };
    }
    this.record();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  private sample(): void {
    const now = performance.now();
    const ticks = this.last ? readCpuTicks(process.pid) : undefined;
    if (this.last && ticks && this.others !== null) {
      const cores = othersCores(this.last.ticks, ticks, (now - this.last.at) / 1000);
      // The kernel's update, for an interval that may have stretched beyond 5 s on a busy machine.
      const decay = DECAY ** ((now - this.last.at) / SAMPLE_MS);
      this.others = this.others * decay + cores * (1 - decay);
      this.last = { ticks, at: now };
    }
    this.record();
  }

  private record(): void {
    this.samples.push({ t_s: round((performance.now() - this.t0) / 1000, 1), loadavg_1m: round(loadavg()[0], 2), others_1m: this.others === null ? null : round(this.others, 2) });
  }

  /** The latest smoothed load of other processes (null without /proc). */
  get othersNow(): number | null {
    return this.others === null ? null : round(this.others, 2);
  }

  stop(): LoadReport {
    clearInterval(this.timer);
    this.sample();
    const others = this.samples.map((s) => s.others_1m).filter((x): x is number => x !== null);
    const othersMax = others.length ? Math.max(...others) : null;
    const report: LoadReport = {
      max_load: this.maxLoad,
      loadavg_1m_before: round(this.loadBefore, 2),
      loadavg_1m_max: Math.max(...this.samples.map((s) => s.loadavg_1m)),
      loadavg_1m_after: this.samples[this.samples.length - 1].loadavg_1m,
      others_1m_start: this.othersStart === null ? null : round(this.othersStart, 2),
      others_1m_max: othersMax,
      samples: this.samples,
      noisy: false,
    };
    if (othersMax === null) {
      // Without /proc the benchmark's own share cannot be told apart: fall back to the plain load average before the start.
      report.noisy = this.loadBefore > this.maxLoad;
      if (report.noisy) report.reason = `the 1-minute load average was ${round(this.loadBefore, 2)} before the run (over ${this.maxLoad})`;
    } else if (othersMax > this.maxLoad) {
      report.noisy = true;
      const at = this.samples.find((s) => s.others_1m === othersMax)!;
      report.reason = `other processes' 1-minute load reached ${othersMax} at ${at.t_s} s (over ${this.maxLoad})`;
    }
    return report;
  }
}
