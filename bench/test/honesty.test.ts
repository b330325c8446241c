// Benchmark honesty machinery: the README tables are the committed results, the load monitor
// charges the benchmark's own processes to the benchmark, and bad arguments are usage errors.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readCpuTicks } from '../src/load.js';
import { staleReadmes } from '../src/readme.js';
import { pairedRatios, spread } from '../src/stats.js';
import { REPO_ROOT } from '../src/paths.js';

describe('README benchmark tables', () => {
  it('are the ones bench/results.json gives (regenerate: node --import tsx bench/src/readme.ts)', () => {
    expect(staleReadmes()).toEqual([]);
  });
});

describe('ratios with their spread', () => {
  it('pairs repetitions and reports median, min and max of the per-repetition ratios', () => {
    const r = pairedRatios([90, 80, 100], [100, 100, 100]);
    expect(r).toEqual([0.9, 0.8, 1]);
    expect(spread(r)).toEqual({ median: 0.9, min: 0.8, max: 1 });
  });
  it('refuses runs that cannot be paired', () => {
    expect(() => pairedRatios([1, 2], [1])).toThrow(/cannot pair/);
  });
});

describe.runIf(process.platform === 'linux')('load monitor', () => {
  it("counts a child's CPU time as the benchmark's own, not as other processes' load", async () => {
    const before = readCpuTicks(process.pid)!;
    // The child burns 400 ms of its own CPU time (not wall time: the machine may be busy), then exits.
    const child = spawn(process.execPath, ['-e', 'const t = process.cpuUsage(); while (process.cpuUsage(t).user < 400_000);'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    const after = readCpuTicks(process.pid)!;
    // Reaped, the child's ticks live on in this process's cutime: at least 30 of its 40 ticks (USER_HZ 100).
    expect(after.tree - before.tree).toBeGreaterThanOrEqual(30);
    expect(after.machine - before.machine).toBeGreaterThanOrEqual(after.tree - before.tree - 5);
  });
});

describe('npm run bench arguments', () => {
  for (const args of [['--bogus'], ['--repeat', '0'], ['--only', 'nothing']])
    it(`${args.join(' ')}: usage error, exit 2, no stack trace, nothing run`, () => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/src/main.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^bench: .+\nusage: npm run bench/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    });
});
