/**
 * A host firmware that ends its run (mvRestart, mvDeepSleep, mvTestingComplete) ends `mvdevice run`
 * and `runFirmware` with the run-end code, although the firmware itself never exits: on a device
 * those calls do not return. The expected codes are the ones packages/device/README.md documents.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTools } from '../../../test/support/tools.js';
import { runFirmware } from '../src/host/runner.js';
import { cmakeBuild, mvdeviceRun } from './host-support.js';



describeWithTools(['cmake', 'gcc'], 'host firmware: the end of the run', () => {
  let dir: string;
  let firmware: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mvmqtt-run-end-'));
    const source = fileURLToPath(new URL('./fixtures/host-run-end', import.meta.url));
    cmakeBuild(source, dir);
    firmware = join(dir, 'host_run_end');
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('mvdevice run: mvRestart ends the run with exit 0 and says how (the firmware, which would spin on, is stopped)', { timeout: 60_000 }, async () => {
    const run = await mvdeviceRun(['--timeout', '30', '--', firmware, 'restart']);
    expect(run.stderr).toMatch(/mvdevice: run ended by the firmware: restart \(next wake reason MV_WAKEREASON_REMOTEAPPLICATIONRESTART\); exit code 0/);
    expect(run.stderr).not.toMatch(/crashed/);
    expect(run.code).toBe(0);
  });

  it('mvdevice run --test-mode: mvTestingComplete works and ends the run with 0 for status 0, 1 for any other; without the flag it is refused', { timeout: 90_000 }, async () => {
    const passed = await mvdeviceRun(['--test-mode', '--timeout', '30', '--', firmware, 'testing', '0']);
    expect(passed.stderr).toMatch(/run ended by the firmware: .*exit code 0/);
    expect(passed.code).toBe(0);
    const failed = await mvdeviceRun(['--test-mode', '--timeout', '30', '--', firmware, 'testing', '3']);
    expect(failed.stderr).toMatch(/run ended by the firmware: .*exit code 1/);
    expect(failed.code).toBe(1);
    const refused = await mvdeviceRun(['--timeout', '2', '--', firmware, 'testing', '0']);
    expect(refused.stderr).not.toMatch(/run ended by the firmware/);
    expect(refused.stdout).toMatch(/^returned [1-9]\d*$/m);
    expect(refused.code).toBe(0); // the timeout stopped it
  });

  it('runFirmware: mvTestingComplete in test mode exits 0 for status 0 and 1 for any other; without test mode the call is refused and the firmware runs on', { timeout: 90_000 }, async () => {
    const quiet = { log: () => undefined, stdout: 'pipe' as const };
    const passed = await runFirmware({ ...quiet, firmware, args: ['testing', '0'], deviceOptions: { testMode: true }, timeoutSeconds: 30 });
    expect(passed).toMatchObject({ exitCode: 0, timedOut: false, runEnd: { reason: 'testing-complete', status: 0, exitCode: 0 } });
    const failed = await runFirmware({ ...quiet, firmware, args: ['testing', '3'], deviceOptions: { testMode: true }, timeoutSeconds: 30 });
    expect(failed).toMatchObject({ exitCode: 1, timedOut: false, runEnd: { reason: 'testing-complete', status: 3, exitCode: 1 } });
    // Outside test mode mvTestingComplete is refused (the spec's testModeOnly status), so nothing ends the run but the timeout.
    let printed = '';
    const refused = await runFirmware({ ...quiet, onStdout: (c) => (printed += c), firmware, args: ['testing', '3'], timeoutSeconds: 2 });
    expect(refused.runEnd).toBeUndefined();
    expect(refused.timedOut).toBe(true);
    expect(printed).toMatch(/^returned [1-9]\d*$/m);
  });

  it('runFirmware: mvDeepSleep ends the run with 0; a firmware that just exits keeps its own code', { timeout: 60_000 }, async () => {
    const quiet = { log: () => undefined, stdout: 'pipe' as const };
    const slept = await runFirmware({ ...quiet, firmware, args: ['deep-sleep'], timeoutSeconds: 30 });
    expect(slept).toMatchObject({ exitCode: 0, timedOut: false, runEnd: { reason: 'deep-sleep', exitCode: 0 } });
    const exited = await runFirmware({ ...quiet, firmware, args: ['exit', '5'], timeoutSeconds: 30 });
    expect(exited).toMatchObject({ exitCode: 5, timedOut: false });
    expect(exited.runEnd).toBeUndefined();
  });
});
