/** What the numbers were measured on; the load average says how busy the shared machine was. */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, freemem, loadavg, totalmem, platform, arch, release } from 'node:os';
import { REPO_ROOT } from './paths.js';
import { round } from './stats.js';

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function mosquittoVersion(): string | undefined {
  // `mosquitto -h` prints "mosquitto version X.Y.Z" (and exits non-zero on some versions).
  const r = spawnSync('mosquitto', ['-h'], { encoding: 'utf8' });
  return /mosquitto version (\S+)/.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[1];
}

export function machineInfo() {
  const c = cpus();
  return {
    cores: c.length,
    cpu_model: c[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${platform()} ${release()} ${arch()}`,
    memory_gb: round(totalmem() / 2 ** 30, 1),
    free_memory_gb: round(freemem() / 2 ** 30, 1),
    load_average_1m: round(loadavg()[0], 2),
    mosquitto: mosquittoVersion() ?? null,
    commit: git(['rev-parse', '--short', 'HEAD']) ?? null,
    /** Uncommitted changes outside bench/ when the run started (the numbers may not belong to `commit`). */
    commit_dirty: (git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench']) ?? '') !== '',
  };
}
