/**
 * `mvdevice run [--config FILE] [--device-id ID] [--trace] [--timeout SECONDS] [--test-mode] [--control PATH] [--inspect[=PORT]] -- FIRMWARE [ARGS…]`
 *
 * Starts an emulated device and runs a host firmware build (made with mvmqtt_add_host_firmware)
 * against it. While it runs, the control socket (--control, see control.ts) takes commands for
 * network loss and recovery and broker outages; `kill -USR2 <runner pid>` also toggles the
 * network. (SIGUSR1 is Node's: it starts the inspector.) Exit status: the firmware's; 128 +
 * signal if it crashed (reported with its last system calls); 0 when --timeout stopped it.
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { LIMITS } from '@mvmqtt/sdk';
import { deviceIdBytes } from '@mvmqtt/sdk/runtime';
import { ConfigStore, ConfigStoreError } from '../config-store.js';
import { runFirmware, type RunningFirmware } from '../host/runner.js';
import { loadInspector } from '../inspector.js';
import { CONTROL_COMMANDS, controlCommand, listenForControl } from './control.js';
import { UsageError } from './usage.js';

const USAGE = `usage: mvdevice run [--config FILE] [--device-id ID] [--trace] [--timeout SECONDS] [--test-mode] [--control PATH] [--inspect[=PORT]] -- FIRMWARE [ARGS...]

  --config FILE      the config store mvSendConfigFetchRequest reads (JSON:
                     { "device"|"account": { "config"|"secret": { KEY: VALUE } } },
                     VALUE a string or { "file": PATH, "encoding": "raw"|"hex"|"base64" })
  --device-id ID     the device id mvGetDeviceId returns ("UV" + hex digits, ${LIMITS.DEVICE_ID_LENGTH.min} characters)
  --trace            print every system call, notification and interrupt
  --timeout SECONDS  stop the firmware after SECONDS and exit 0
  --test-mode        boot in application-test mode (test-mode-only calls such as mvTestingComplete work)
  --control PATH     take commands on a Unix socket at PATH while the firmware runs, one per line,
                     each answered "ok: ..." or "error: ..." (mvdevice control PATH COMMAND sends one):
${CONTROL_COMMANDS.replace(/^/gm, '                       ')}
  --inspect[=PORT]   serve the live inspector page on 127.0.0.1 (a free port by default)

While it runs: kill -USR2 <pid> also toggles the network (loss, then recovery, then loss…).`;

export async function runCommand(argv: string[]): Promise<number> {
  const split = argv.indexOf('--');
  // `--inspect` may come without a port: parseArgs wants a value, so give it the "any port" one.
  const own = (split < 0 ? argv : argv.slice(0, split)).map((a) => (a === '--inspect' ? '--inspect=0' : a));
  const rest = split < 0 ? [] : argv.slice(split + 1);
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: own,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        'device-id': { type: 'string' },
        trace: { type: 'boolean', default: false },
        timeout: { type: 'string' },
        'test-mode': { type: 'boolean', default: false },
        control: { type: 'string' },
        inspect: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [firmware, ...args] = [...positionals, ...rest];
  if (!firmware) throw new UsageError('no firmware given');
  let timeoutSeconds: number | undefined;
  if (values.timeout !== undefined) {
    timeoutSeconds = Number(values.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--timeout wants a positive number of seconds, not "${values.timeout}"`);
  }
  // Both are checked here, before anything starts, so that a bad value is a usage error (exit 2).
  if (values.config !== undefined) {
    try {
      ConfigStore.load(values.config);
    } catch (err) {
      if (err instanceof ConfigStoreError) throw new UsageError(`--config ${err.message}`);
      throw err;
    }
  }
  const deviceId = values['device-id'];
  if (deviceId !== undefined) {
    try {
      deviceIdBytes(deviceId);
    } catch {
      const length = LIMITS.DEVICE_ID_LENGTH.min;
      throw new UsageError(`--device-id ${JSON.stringify(deviceId)}: a device id is "UV" followed by ${length - 2} hex digits (${length} characters)`);
    }
  }
  if (values.inspect !== undefined && (!/^\d{1,5}$/.test(values.inspect) || Number(values.inspect) > 65535)) throw new UsageError(`--inspect=${values.inspect}: a port number (0-65535) is needed`);
  if (values.control === '') throw new UsageError('--control wants a socket path');
  // Started before the firmware, so that the device is attached before its first system call.
  const inspector = values.inspect !== undefined ? await (await loadInspector()).InspectorServer.start(Number(values.inspect)) : undefined;
  let running: RunningFirmware | undefined;
  const toggleNetwork = () => {
    if (!running) return;
    const up = running.device.networkUp;
    if (up) running.device.simulateNetworkLoss();
    else running.device.restoreNetwork();
    process.stderr.write(`mvdevice run: network ${up ? 'lost (simulated)' : 'restored'}\n`);
  };
  const stop = (signal: NodeJS.Signals) => running?.stop(signal);
  const control =
    values.control === undefined
      ? undefined
      : await listenForControl(
          values.control,
          (line) => (running ? controlCommand(running.device, line) : 'error: the firmware is not running yet'),
          (line, answer) => process.stderr.write(`mvdevice run: control "${line}": ${answer}\n`),
        );
  process.on('SIGUSR2', toggleNetwork);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const result = await runFirmware({
      firmware,
      args,
      trace: values.trace,
      timeoutSeconds,
      deviceOptions: { config: values.config, deviceId, testMode: values['test-mode'] },
      onStart: (r) => {
        running = r;
        if (inspector) {
          inspector.attach(r.device, { name: basename(firmware) });
          process.stderr.write(`inspector: ${inspector.url}\n`);
        }
      },
    });
    return result.exitCode;
  } finally {
    // Closing the server removes its socket file.
    if (control) await new Promise<void>((resolve) => control.close(() => resolve()));
    await inspector?.close();
    process.off('SIGUSR2', toggleNetwork);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
