/**
 * The control socket of `mvdevice run --control PATH`: a Unix socket taking one command per
 * line and answering each with one line, `ok: …` or `error: …`. `mvdevice control PATH COMMAND`
 * is its client (any line-oriented client works too: `socat - UNIX-CONNECT:PATH`, `nc -U PATH`).
 *
 *   network down | network up    simulated loss of the device's network, and recovery
 *   broker down | broker up      broker outage: MQTT connections drop and connects are refused
 *   status                       network and broker state
 *   help                         the commands
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Device } from '../device.js';
import { UsageError } from './usage.js';

export const CONTROL_COMMANDS = `network down | network up    simulated network loss, and recovery
broker down | broker up      broker outage (MQTT connections drop, connects are refused), and its end
status                       network and broker state
help                         these commands`;

/** Runs one command line against the device; the answer line (without newline). */
export function controlCommand(device: Device, line: string): string {
  const words = line.trim().split(/\s+/).filter(Boolean).map((w) => w.toLowerCase());
  const [what, state] = words;
  const state_ = () => `network ${device.networkUp ? 'up' : 'down'}, broker ${device.brokerUp ? 'up' : 'down'}`;
  if (words.length === 1 && what === 'status') return `ok: ${state_()}`;
  if (words.length === 1 && what === 'help') return `ok: commands: ${CONTROL_COMMANDS.split('\n').map((l) => l.split(/\s{2,}/)[0]).join('; ')}`;
  if (words.length === 2 && (state === 'down' || state === 'up')) {
    if (what === 'network') {
      if (state === 'down') device.simulateNetworkLoss();
      else device.restoreNetwork();
      return `ok: ${state_()}`;
    }
    if (what === 'broker') {
      if (state === 'down') device.simulateBrokerOutage();
      else device.restoreBroker();
      return `ok: ${state_()}`;
    }
  }
  return `error: unknown command ${JSON.stringify(line.trim())} (try "help")`;
}

/** Listens on `path` (a stale socket left by a killed runner is replaced; anything else is refused). */
export async function listenForControl(path: string, handle: (line: string) => string, onCommand?: (line: string, answer: string) => void): Promise<Server> {
  await clearStaleSocket(path);
  const server = createServer((socket: Socket) => {
    socket.setEncoding('utf8');
    let partial = '';
    socket.on('data', (chunk: string) => {
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (!line.trim()) continue;
        const answer = handle(line);
        onCommand?.(line.trim(), answer);
        socket.write(`${answer}\n`);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function clearStaleSocket(path: string): Promise<void> {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return; // nothing there
  }
  if (!stat.isSocket()) throw new UsageError(`--control ${path}: exists and is not a socket`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new UsageError(`--control ${path}: another process is listening there`);
  unlinkSync(path);
}

const CONTROL_USAGE = `usage: mvdevice control PATH COMMAND...

Sends COMMAND to the control socket of \`mvdevice run --control PATH\` and prints the answer
(exit 0 for "ok", 1 for "error"). Commands:
${CONTROL_COMMANDS.replace(/^/gm, '  ')}`;

/** `mvdevice control PATH COMMAND...`: the client. */
export async function controlClientCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${CONTROL_USAGE}\n`);
    return 0;
  }
  const [path, ...words] = argv;
  if (!path || words.length === 0) throw new UsageError('a control socket path and a command are needed');
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(path);
    let received = '';
    socket.setEncoding('utf8');
    socket.once('error', (err) => reject(new Error(`cannot reach ${path}: ${err.message} (is \`mvdevice run --control ${path}\` running?)`)));
    socket.once('connect', () => socket.write(`${words.join(' ')}\n`));
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\n');
      if (end >= 0) {
        socket.end();
        resolve(received.slice(0, end));
      }
    });
  });
  process.stdout.write(`${answer}\n`);
  return answer.startsWith('ok') ? 0 : 1;
}
