/**
 * `mvdevice fleet --firmware <host build>`: a C firmware built with mvmqtt_add_host_firmware,
 * one process per device, each against the device its shard made (the same bridge as
 * `mvdevice run`).
 *
 * The firmware learns where to connect the Microvisor way, from the config store: every device's
 * store holds, in device/config,
 *   broker-host, broker-port, client (the fleet's client id), topic (the device's uplink topic,
 *   which the fleet's subscriber counts), command-topic (its downlink topic), mqtt-version
 *   ("3.1.1" or "5"), broker-username / broker-password when the broker wants them,
 * and every member of the fleet config file's `settings` object, as text.
 * A C firmware publishes on its own schedule (the fleet's `--interval` does not reach it); the
 * driver counts what it does from its system calls: a connect response that says connected
 * finishes its boot, publish responses count as published or refused, received messages as
 * received. A firmware that ends with a non-zero status, or before it connected, is an error.
 * Its output and server logs are not shown (a fleet's output is its summary and report).
 */
import { accessSync, constants, existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, MV_STATUS_OKAY } from '@mvmqtt/sdk';
import type { DeviceOptions } from '../../options.js';
import { runFirmware, type RunningFirmware, type RunResult } from '../../host/runner.js';
import { UsageError } from '../usage.js';
import type { FirmwareLoader, FleetDeviceInfo, FleetFirmware } from './firmware.js';

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
/** Reason codes from 0x80 up are refusals (MQTT 5; 3.1.1 answers 0). */
const FIRST_REFUSAL = 0x80;
/** How much of a firmware's output is kept for an error report. */
const OUTPUT_TAIL = 2000;

function isElf(path: string): boolean {
  const head = Buffer.alloc(4);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return readSync(fd, head, 0, 4, 0) === 4 && head.equals(ELF_MAGIC);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The config store one device's firmware fetches its settings from. */
export function hostFirmwareStore(d: FleetDeviceInfo): DeviceOptions['config'] {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(d.settings)) config[key] = typeof value === 'string' ? value : JSON.stringify(value);
  Object.assign(config, {
    'broker-host': d.broker.host,
    'broker-port': String(d.broker.port),
    client: d.clientId,
    topic: d.topics.up,
    'command-topic': d.topics.down,
    'mqtt-version': d.protocolVersion === 4 ? '3.1.1' : '5',
  });
  if (d.broker.username !== undefined) config['broker-username'] = d.broker.username;
  if (d.broker.password !== undefined) config['broker-password'] = d.broker.password;
  return { device: { config } };
}

interface Response {
  request_state?: unknown;
  reason_code?: unknown;
}

function hostFirmware(path: string): FleetFirmware {
  return {
    name: `${basename(path)} (host build)`,
    // Logs stay out of the fleet's output (its report may be JSON on stdout).
    deviceOptions: (d) => ({ config: hostFirmwareStore(d), serverLog: 'none', testLog: 'none' }),
    async boot(device) {
      let output = '';
      let connected = false;
      let stopping = false;
      let running: RunningFirmware | undefined;
      let onConnected!: () => void;
      const connection = new Promise<void>((resolve) => (onConnected = resolve));
      const completed = (r: Response) => r.request_state === MV_MQTTREQUESTSTATE_REQUESTCOMPLETED && typeof r.reason_code === 'number' && r.reason_code < FIRST_REFUSAL;
      const result: Promise<RunResult> = runFirmware({
        firmware: path,
        device: device.syscalls,
        stdout: 'pipe',
        onStdout: (chunk) => (output = (output + chunk.toString()).slice(-OUTPUT_TAIL)),
        log: (line) => (output = `${output}${line}\n`.slice(-OUTPUT_TAIL)),
        onStart: (r) => (running = r),
        onCall(name, args, status) {
          if (status !== MV_STATUS_OKAY) return;
          const response = (args[1] ?? {}) as Response;
          if (name === 'mvMqttReadConnectResponse' && completed(response) && !connected) {
            connected = true;
            onConnected();
          } else if (name === 'mvMqttReadPublishResponse') {
            if (completed(response)) device.report.published();
            else device.report.refused(`request state ${String(response.request_state)}, reason code ${String(response.reason_code)}`);
          } else if (name === 'mvMqttReceiveMessage') device.report.received();
        },
      });
      const ended = result.then((r) => {
        const why = r.interrupted ? `was interrupted (${r.signal})` : r.signal ? `crashed (${r.signal})` : `ended with status ${r.exitCode}`;
        if (!connected) throw new Error(`${basename(path)} ${why} before it connected${output ? `; its last output:\n${output.trimEnd()}` : ''}`);
        // Ctrl-C reaches every firmware process of the group at once, before the fleet stops them: not their error.
        if (r.exitCode !== 0 && !stopping && !r.interrupted) device.report.error(new Error(`${basename(path)} ${why}`));
        return r;
      });
      // Boot is over when it connects; if it ends first, that is the boot's failure.
      await Promise.race([connection, ended]);
      ended.catch((err: Error) => device.report.error(err));
      return {
        async stop() {
          stopping = true;
          running?.stop();
          await ended.catch(() => undefined);
        },
      };
    },
  };
}

export const hostFirmwareLoader: FirmwareLoader = {
  kind: 'host',
  // Scripts have their own loader; anything else is taken for a host build and checked.
  accepts: (spec) => !['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'].includes(extname(spec)),
  check(spec) {
    if (!existsSync(spec)) throw new UsageError(`--firmware ${spec}: no such file`);
    if (!statSync(spec).isFile() || !isElf(spec)) throw new UsageError(`--firmware ${spec}: neither a script module nor a host build (an ELF executable made with mvmqtt_add_host_firmware)`);
    try {
      accessSync(spec, constants.X_OK);
    } catch {
      throw new UsageError(`--firmware ${spec}: not executable`);
    }
  },
  shardExecArgv: () => [],
  load: async (spec) => hostFirmware(spec),
};
