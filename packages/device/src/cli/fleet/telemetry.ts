/**
 * The fleet's built-in firmware: connect, subscribe to the device's command topic, and on
 * every tick of the fleet's schedule publish one stamped telemetry message of the requested
 * size to the device's uplink topic. It is also the template for your own firmware module
 * (`mvdevice fleet --firmware my-firmware.ts`): the same shape, your logic.
 */
import { LIMITS } from '@mvmqtt/sdk';
import { SyscallApp } from './app.js';
import type { FirmwareRun, FleetDevice, FleetFirmware } from './firmware.js';

/** Keepalive of the devices' MQTT sessions (seconds). */
const KEEPALIVE_S = 60;
/**
 * Channel buffers, as a firmware sizes them for what it does: commands on the down topic are
 * small (a larger one is reported lost), and MQTT requests do not pass through the send buffer,
 * so it gets the smallest size allowed. SyscallApp's defaults would be 7 + 4 KiB per device,
 * which adds up over a fleet; the config file's `settings` can change both.
 */
const RECEIVE_BUFFER_BYTES = 1024;
const SEND_BUFFER_BYTES = LIMITS.CHANNEL_BUFFER_SIZE_MIN.value;

function bytesSetting(settings: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const v = settings[key] ?? fallback;
  if (!Number.isInteger(v) || (v as number) <= 0) throw new Error(`settings.${key} must be a whole number of bytes, not ${JSON.stringify(v)}`);
  return v as number;
}

export const firmware: FleetFirmware = {
  name: 'telemetry (built in)',
  async boot(device: FleetDevice): Promise<FirmwareRun> {
    const app = new SyscallApp({
      host: device.broker.host,
      port: device.broker.port,
      username: device.broker.username,
      password: device.broker.password,
      clientId: device.clientId,
      protocolVersion: device.protocolVersion,
      keepaliveS: KEEPALIVE_S,
      receiveBufferBytes: bytesSetting(device.settings, 'receiveBufferBytes', RECEIVE_BUFFER_BYTES),
      sendBufferBytes: bytesSetting(device.settings, 'sendBufferBytes', SEND_BUFFER_BYTES),
    }, device.syscalls);
    // A firmware reads its memory from static buffers: build them once, not per message.
    const up = Buffer.from(device.topics.up);
    const payload = Buffer.alloc(device.payloadBytes, 0x61);
    const published = () => device.report.published();
    app.onMessage = () => device.report.received();
    app.onError = (err) => device.report.error(err);
    await app.connect();
    await app.subscribe(device.topics.down, device.qos);
    return {
      tick(seq) {
        device.stamp(payload, seq);
        try {
          app.publish(up, payload, device.qos, published);
        } catch (err) {
          device.report.refused((err as Error).message);
        }
      },
      stop: () => app.powerOff(),
    };
  },
};
