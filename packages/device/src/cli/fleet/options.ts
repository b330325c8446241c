/**
 * `mvdevice fleet` options: flags, an optional JSON config file with the same names (flags
 * win), and checks that turn every mistake into a UsageError naming the flag or key.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../usage.js';
import { STAMP_BYTES } from './stamp.js';

export const FLEET_USAGE = `usage: mvdevice fleet --count N --broker mqtt://HOST:PORT [options]

Runs N emulated devices against the broker; every device boots the firmware, connects, and
publishes on the fleet's schedule. A separate subscriber counts what arrives.

  --count N              devices (required)
  --broker URL           mqtt://[user:password@]host:port (required)
  --config FILE          JSON file with any of these options (flags win), plus "settings"
                         (an object handed to the firmware as device.settings)
  --firmware MODULE      firmware module (.js/.mjs/.ts…) exporting { boot(device) }, or a
                         host build of C firmware (mvmqtt_add_host_firmware): one process per
                         device, its broker, client id and topics in its config store
                         (default: the built-in telemetry firmware)
  --duration S           seconds of publishing; 0 = until Ctrl-C (default 30)
  --interval MS          each device publishes every MS milliseconds (default 1000)
  --qos 0|1              publish and subscribe QoS (default 1)
  --payload BYTES        payload size, at least ${STAMP_BYTES} (default 100)
  --protocol 4|5         MQTT 3.1.1 or 5 (default 4)
  --shards N             device processes (default: one per core)
  --prefix TOPIC         topic prefix; device i uses PREFIX/i/up and PREFIX/i/down
                         (default mvfleet/<random>)
  --connect-concurrency N  connects in progress at once per shard (default 100)
  --inspect[=PORT]       serve the live inspector on 127.0.0.1 (a free port by default):
                         pick any device of the fleet from its list
  --json                 print the final report as JSON on stdout
  --quiet                no live summary
  -h, --help             this text`;

export interface FleetOptions {
  count: number;
  broker: { url: string; host: string; port: number; username?: string; password?: string };
  firmware?: string;
  durationS: number;
  intervalMs: number;
  qos: 0 | 1;
  payloadBytes: number;
  protocolVersion: 4 | 5;
  shards: number;
  prefix?: string;
  connectConcurrency: number;
  settings: Record<string, unknown>;
  json: boolean;
  quiet: boolean;
  /** --inspect: the inspector's port (0: a free one); undefined without the flag. */
  inspect?: number;
}

/** Flag name → its type; the config file takes the same names. */
const FLAGS = {
  count: 'string',
  broker: 'string',
  config: 'string',
  firmware: 'string',
  duration: 'string',
  interval: 'string',
  qos: 'string',
  payload: 'string',
  protocol: 'string',
  shards: 'string',
  prefix: 'string',
  'connect-concurrency': 'string',
  inspect: 'string',
  json: 'boolean',
  quiet: 'boolean',
  help: 'boolean',
} as const;
type Flag = keyof typeof FLAGS;
const CONFIG_ONLY = new Set(['settings']);
const FLAG_ONLY = new Set<Flag>(['config', 'help', 'json', 'quiet', 'inspect']);

function parseFlags(argv: string[]): Partial<Record<Flag, string | boolean>> {
  try {
    const { values } = parseArgs({
      // `--inspect` may come without a port: parseArgs wants a value, so give it the "any port" one.
      args: argv.map((a) => (a === '--inspect' ? '--inspect=0' : a)),
      options: { ...Object.fromEntries(Object.entries(FLAGS).map(([k, type]) => [k, { type }])), help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    return values as Partial<Record<Flag, string | boolean>>;
  } catch (err) {
    // node:util's messages name the flag ("Unknown option '--bogus'…"); keep them, drop the stack.
    throw new UsageError((err as Error).message.split('. To specify')[0]);
  }
}

function readConfig(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`--config ${path}: cannot read the file`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--config ${path}: not valid JSON (${(err as Error).message})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`--config ${path}: expected a JSON object`);
  for (const key of Object.keys(data)) {
    if (CONFIG_ONLY.has(key)) continue;
    if (!(key in FLAGS) || FLAG_ONLY.has(key as Flag))
      throw new UsageError(`--config ${path}: unknown key "${key}" (keys: ${[...Object.keys(FLAGS).filter((k) => !FLAG_ONLY.has(k as Flag)), ...CONFIG_ONLY].join(', ')})`);
  }
  return data as Record<string, unknown>;
}

function integer(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} takes a whole number ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}, not ${JSON.stringify(value)}`);
  return n;
}

function oneOf<T extends number>(value: unknown, name: string, allowed: T[]): T {
  const n = Number(value);
  if (!allowed.includes(n as T)) throw new UsageError(`--${name} takes ${allowed.join(' or ')}, not ${JSON.stringify(value)}`);
  return n as T;
}

function brokerUrl(text: unknown): FleetOptions['broker'] {
  if (typeof text !== 'string') throw new UsageError('--broker takes a URL such as mqtt://127.0.0.1:1883');
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`--broker ${text}: not a URL (expected mqtt://host:port)`);
  }
  if (u.protocol === 'mqtts:') throw new UsageError(`--broker ${text}: TLS brokers are not supported by the fleet yet (use mqtt://)`);
  if (u.protocol !== 'mqtt:') throw new UsageError(`--broker ${text}: expected an mqtt:// URL`);
  if (!u.hostname) throw new UsageError(`--broker ${text}: no host`);
  return {
    url: `mqtt://${u.host}`,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 1883,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
  };
}

/** The options, or null when help was asked for. */
export function fleetOptions(argv: string[]): FleetOptions | null {
  const flags = parseFlags(argv);
  if (flags.help) return null;
  const config = typeof flags.config === 'string' ? readConfig(flags.config) : {};
  const configDir = typeof flags.config === 'string' ? dirname(resolve(flags.config)) : process.cwd();
  const pick = (name: Flag) => flags[name] ?? config[name];

  if (pick('count') === undefined) throw new UsageError('--count is required');
  if (pick('broker') === undefined) throw new UsageError('--broker is required');
  const settings = config.settings ?? {};
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new UsageError('"settings" in the config file must be an object');
  const firmware = pick('firmware');
  if (firmware !== undefined && typeof firmware !== 'string') throw new UsageError('--firmware takes a module path');
  const prefix = pick('prefix');
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix === '' || /[#+]/.test(prefix))) throw new UsageError('--prefix takes a topic without wildcards');

  return {
    count: integer(pick('count'), 'count', 1),
    broker: brokerUrl(pick('broker')),
    // A firmware named in the config file is relative to the file; on the command line, to the working directory.
    firmware: firmware === undefined ? undefined : resolve(flags.firmware !== undefined ? process.cwd() : configDir, firmware),
    durationS: integer(pick('duration') ?? 30, 'duration', 0),
    intervalMs: integer(pick('interval') ?? 1000, 'interval', 1),
    qos: oneOf(pick('qos') ?? 1, 'qos', [0, 1]),
    payloadBytes: integer(pick('payload') ?? 100, 'payload', STAMP_BYTES),
    protocolVersion: oneOf(pick('protocol') ?? 4, 'protocol', [4, 5]),
    shards: integer(pick('shards') ?? cpus().length, 'shards', 1, 256),
    prefix: prefix as string | undefined,
    connectConcurrency: integer(pick('connect-concurrency') ?? 100, 'connect-concurrency', 1),
    settings: settings as Record<string, unknown>,
    json: flags.json === true,
    quiet: flags.quiet === true,
    ...(flags.inspect !== undefined ? { inspect: integer(flags.inspect, 'inspect', 0, 65535) } : {}),
  };
}
