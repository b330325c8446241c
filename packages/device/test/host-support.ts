/** What the host-firmware suites share: building a fixture with the CMake package, and `mvdevice run` as a user types it. */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
export const C_HEADERS = join(PACKAGES, 'c-headers');
export const MVDEVICE = join(PACKAGES, 'device/bin/mvdevice.js');

/** Configures and builds a CMake project that uses find_package(mvmqtt) into `build`. */
export function cmakeBuild(source: string, build: string): void {
  const configure = spawnSync('cmake', ['-S', source, '-B', build, `-DCMAKE_PREFIX_PATH=${C_HEADERS}`], { encoding: 'utf8' });
  if (configure.status !== 0) throw new Error(`cmake configure failed:\n${configure.stdout}${configure.stderr}`);
  const compile = spawnSync('cmake', ['--build', build, '-j2'], { encoding: 'utf8' });
  if (compile.status !== 0) throw new Error(`build failed:\n${compile.stdout}${compile.stderr}`);
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `mvdevice run ARGS`; `onLine` may answer firmware output (e.g. with a signal to the runner). */
export function mvdeviceRun(args: string[], options: { onLine?: (line: string, pid: number) => void; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MVDEVICE, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
      if (!options.onLine) return;
      partial += c;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const l of lines) options.onLine(l, child.pid!);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
