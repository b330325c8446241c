/**
 * Names for the MQTT reason codes a response carries, so an error says "Not authorized" rather
 * than 0x87. The names are mqtt.js's table (MQTT 5 §2.4, plus the 3.1.1 CONNACK return codes
 * 1–5, which the device passes through raw); only what that table cannot know is decided here:
 * which packet the code came from.
 */
import { ReasonCodes } from 'mqtt';

/** The request whose response carried the code. */
export type ReasonCodeSource = 'connect' | 'subscribe' | 'unsubscribe' | 'publish' | 'disconnect';

const NAMES = ReasonCodes as Readonly<Record<number, string>>;

/** What `code` means in a response to `source`, under MQTT `protocolVersion` (4: 3.1.1, 5). */
export function reasonCodeName(source: ReasonCodeSource, code: number, protocolVersion: 4 | 5): string {
  // SUBACK: 0–2 is the QoS the broker granted, in both versions.
  if (source === 'subscribe' && code <= 2) return `granted QoS ${code}`;
  if (code === 0) return source === 'disconnect' ? 'normal disconnection' : 'success';
  // Below 0x80 the table holds 3.1.1 CONNACK return codes, which mean nothing elsewhere.
  if (code < 0x10 && !(source === 'connect' && protocolVersion === 4)) return 'unknown reason code';
  return NAMES[code] || 'unknown reason code';
}

/** `0x87 (Not authorized)`: the code in hex with its name. */
export function describeReasonCode(source: ReasonCodeSource, code: number, protocolVersion: 4 | 5): string {
  return `0x${code.toString(16).padStart(2, '0')} (${reasonCodeName(source, code, protocolVersion)})`;
}

/** Whether the code says the broker refused: 0x80 and above, and for a connect anything but 0 (3.1.1 uses 1–5). */
export function isRefusal(source: ReasonCodeSource, code: number): boolean {
  return source === 'connect' ? code !== 0 : code >= 0x80;
}
