/**
 * Real MQTT brokers for tests and benchmarks, on 127.0.0.1 and ports chosen at run time.
 *
 * - `startAedes()`: aedes 1.2 in this process (MQTT 3.1.1 only).
 * - `startMosquitto()`: a mosquitto child process with a config written to a temp dir;
 *   optional TLS listeners (client certificates, an expired server certificate), a
 *   password file, persistence, `restart()` on the same ports, and `stop()` that always
 *   ends the process (SIGTERM, then SIGKILL). Wrap mosquitto suites in
 *   `describeWithTools(['mosquitto'], ...)`.
 *
 * Whoever starts a broker stops it (`afterAll(() => broker.close())`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import type { TestCerts } from './certs.js';

export const LOOPBACK = '127.0.0.1';

/** A port nobody listens on right now (the OS picks it; another process could still take it later). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, LOOPBACK, () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s: Socket = connect(port, LOOPBACK);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${LOOPBACK}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// ---------------------------------------------------------------- aedes

export interface AedesHarness {
  url: string;
  host: string;
  port: number;
  /** The live broker instance (replaced by `restart()`). */
  readonly broker: Aedes;
  /** The broker closes one client's connection (by client id), as when a broker drops a session. */
  dropClient(clientId: string): void;
  /** Closes every client connection and the broker, then listens again on the same port with a fresh broker (state is lost). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startAedes(options: Partial<AedesOptions> = {}): Promise<AedesHarness> {
  const port = await freePort();
  let broker!: Aedes;
  let server!: Server;
  const sockets = new Set<Socket>();
  // Connected clients by id, from the broker's documented events (its own table is internal).
  const clients = new Map<string, Client>();

  const listen = async (): Promise<void> => {
    broker = await Aedes.createBroker(options);
    clients.clear();
    broker.on('client', (client) => clients.set(client.id, client));
    broker.on('clientDisconnect', (client) => {
      if (clients.get(client.id) === client) clients.delete(client.id);
    });
    server = createServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      broker.handle(socket);
    });
    server.on('connection', (socket) => socket.setNoDelay(true));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, LOOPBACK, () => resolve());
    });
  };
  const shutdown = async (): Promise<void> => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  await listen();
  let closed = false;
  return {
    url: `mqtt://${LOOPBACK}:${port}`,
    host: LOOPBACK,
    port,
    get broker() {
      return broker;
    },
    dropClient: (clientId) => {
      const client = clients.get(clientId);
      if (!client) throw new Error(`aedes harness: no connected client ${clientId}`);
      client.close();
    },
    restart: async () => {
      await shutdown();
      await listen();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await shutdown();
    },
  };
}

// ---------------------------------------------------------------- mosquitto

export interface MosquittoTlsListener {
  certs: TestCerts;
  /** Which server certificate the listener presents (default 'valid'). */
  serverCert?: 'valid' | 'expired';
  /** Ask for and verify a client certificate signed by the test CA (default false). */
  requireCertificate?: boolean;
}

export interface MosquittoOptions {
  /** TLS listeners, each on its own free port (`tlsPorts[i]`). */
  tls?: MosquittoTlsListener[];
  /** Username → password; when given, anonymous clients are refused on every listener. */
  users?: Record<string, string>;
  /** Keep sessions and retained messages across `restart()` (in the temp dir). */
  persistence?: boolean;
  /** Extra lines appended to the generated config. */
  extraConfig?: string[];
}

export interface MosquittoHarness {
  url: string;
  host: string;
  port: number;
  /** One port per entry of `options.tls`. */
  tlsPorts: number[];
  dir: string;
  /** Everything mosquitto printed so far (for failure messages). */
  log(): string;
  /** Stops the process and starts it again with the same config and ports. */
  restart(): Promise<void>;
  /** Stops the process (SIGTERM, SIGKILL after 3 s) without removing the temp dir. */
  stop(): Promise<void>;
  /** Stops the process and removes the temp dir. */
  close(): Promise<void>;
}

/** A mosquitto 2.0 password-file line (`$6$`: SHA-512 over password then salt). */
function passwordLine(user: string, password: string): string {
  const salt = randomBytes(12);
  const hash = createHash('sha512').update(password, 'utf8').update(salt).digest();
  return `${user}:$6$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
/** If a test run ends without `stop()` (a crash, an interrupted run), don't leave brokers behind: only the processes started here are killed. */
function killOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = (): void => {
    for (const child of running) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal); // then die of the signal as we would have
    });
  }
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'mvmqtt-mosquitto-'));
  const port = await freePort();
  const tlsPorts: number[] = [];
  for (let i = 0; i < (options.tls?.length ?? 0); i++) tlsPorts.push(await freePort());

  // Run as whoever runs the tests: as root, mosquitto would otherwise switch to user
  // `mosquitto`, which cannot read the private temp dir.
  const lines = [`user ${userInfo().username}`, 'per_listener_settings false', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'set_tcp_nodelay true'];
  if (options.users) {
    writeFileSync(join(dir, 'passwords'), Object.entries(options.users).map(([u, p]) => passwordLine(u, p)).join('\n') + '\n', { mode: 0o600 });
    lines.push('allow_anonymous false', `password_file ${join(dir, 'passwords')}`);
  } else {
    lines.push('allow_anonymous true');
  }
  if (options.persistence) lines.push('persistence true', `persistence_location ${dir}/`, 'autosave_interval 1');
  lines.push(`listener ${port} ${LOOPBACK}`);
  options.tls?.forEach((l, i) => {
    const cert = l.serverCert === 'expired' ? l.certs.expiredServer : l.certs.server;
    lines.push(
      `listener ${tlsPorts[i]} ${LOOPBACK}`,
      `cafile ${l.certs.ca.pemPath}`,
      `certfile ${cert.pemPath}`,
      `keyfile ${l.certs.serverKey.pemPath}`,
      `require_certificate ${l.requireCertificate ? 'true' : 'false'}`,
    );
  });
  lines.push(...(options.extraConfig ?? []));
  const configPath = join(dir, 'mosquitto.conf');
  writeFileSync(configPath, lines.join('\n') + '\n');

  let output = '';
  let child: ChildProcess | undefined;
  killOnExit();

  const start = async (): Promise<void> => {
    const proc = spawn('mosquitto', ['-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    running.add(proc);
    proc.stdout!.on('data', (d) => (output += d));
    proc.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`mosquitto exited (${code}) while starting:\n${output}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([Promise.all([waitForPort(port), ...tlsPorts.map((p) => waitForPort(p))]), exited]);
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc) return;
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(timer);
    }
    running.delete(proc);
  };

  try {
    await start();
  } catch (err) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    url: `mqtt://${LOOPBACK}:${port}`,
    host: LOOPBACK,
    port,
    tlsPorts,
    dir,
    log: () => output,
    restart: async () => {
      await stop();
      await start();
    },
    stop,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
