// The command-line entry points of the inspector: `npm start -- --inspect[=PORT]` and
// `mvdevice run --inspect[=PORT]` refuse a bad port with one line, and never hang on exit.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../../..');
const MVDEVICE = join(REPO, 'packages/device/bin/mvdevice.js');
const START = join(REPO, 'scripts/start.mjs');
const run = (args: string[]) => spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });

describe('--inspect on the command lines', () => {
  it('npm start refuses a port that is not one, with the usage', () => {
    const r = run([START, '--inspect=99999']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--inspect=99999: a port number (0-65535) is needed');
    expect(r.stderr).toContain('[--inspect[=PORT]]');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('mvdevice run refuses a port that is not one', () => {
    const r = run([MVDEVICE, 'run', '--inspect=web', '--', 'firmware']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--inspect=web: a port number (0-65535) is needed');
  });

  it('mvdevice run --inspect exits (its server closed) when the firmware cannot start', () => {
    const r = run([MVDEVICE, 'run', '--inspect', '--', join(REPO, 'no-such-firmware')]);
    expect(r.signal).toBeNull(); // not killed by the timeout: nothing kept the process alive
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot start firmware');
  });
});
