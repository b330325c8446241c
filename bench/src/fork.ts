/** Runs a TypeScript worker module in a fresh Node process and returns the one message it sends back. */
import { fork } from 'node:child_process';

const TSX_LOADER = import.meta.resolve('tsx');

export interface ForkOptions {
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Forwarded worker output (progress lines); stderr is always forwarded. */
  onStdout?: (chunk: string) => void;
}

export function runWorker<T>(modulePath: string, message: unknown, opts: ForkOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = fork(modulePath, [], {
      execArgv: ['--import', TSX_LOADER, ...(opts.execArgv ?? [])],
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    let reply: { error?: string } | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${modulePath} did not finish within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs ?? 300_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => opts.onStdout?.(d));
    child.on('message', (m) => (reply = m as { error?: string }));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (reply?.error) reject(new Error(`worker failed:\n${reply.error}`));
      else if (reply && code === 0) resolve(reply as T);
      else reject(new Error(`${modulePath} exited with ${signal ?? code} without a result`));
    });
    child.send(message as object);
  });
}
