/** One-line renderings of device events: `mvdevice run --trace`, crash reports and `npm start` (scripts/start.mjs) all print with these. */
import { ENUM_NAMES, statusName } from '@mvmqtt/sdk';
import type { RunEnd } from '@mvmqtt/sdk/runtime';
import type { TraceEvent } from '../trace.js';

const enumName = (en: string, v: number): string => (ENUM_NAMES as Record<string, Record<number, string>>)[en]?.[v] ?? String(v);

/** An argument as the kernel saw it after the call (out-boxes hold what it wrote). */
export function showValue(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'bigint') return `${v}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v !== 'object') return String(v);
  if (ArrayBuffer.isView(v)) return `<${v.byteLength} bytes>`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'value') return `&${showValue(o.value, depth)}`;
  if (keys.length === 2 && 'data' in o && 'length' in o) {
    // A sized string: show its text when it is printable.
    if (o.length === 0) return '""';
    if (o.data instanceof Uint8Array) {
      const text = Buffer.from(o.data).toString('utf8');
      return /^[\x20-\x7e]*$/.test(text) ? showValue(text) : `<${o.length} bytes>`;
    }
    return showValue(o.data);
  }
  if (depth > 3) return '{…}';
  if (Array.isArray(v)) return `[${v.map((x) => showValue(x, depth + 1)).join(', ')}]`;
  return `{${keys.map((k) => `${k}: ${showValue(o[k], depth + 1)}`).join(', ')}}`;
}

const clip = (s: string, n = 400): string => (s.length > n ? `${s.slice(0, n)}…` : s);

export function formatCall(name: string, args: readonly unknown[], status: number): string {
  return `${name}(${clip(args.map((a) => showValue(a)).join(', '))}) -> ${statusName(status)}`;
}

/** Device events other than calls (those come from the bridge, with the firmware's view). */
export function formatEvent(e: TraceEvent): string | undefined {
  switch (e.kind) {
    case 'syscall':
      return undefined;
    case 'notification':
      return `notification irq ${e.irq} slot ${e.slot}: ${enumName('MvEventType', e.eventType)} tag ${e.tag} at ${e.microseconds} us${e.outcome === 'written' ? '' : ` (${e.outcome})`}`;
    case 'readable': {
      const { type, ...fields } = e.item as unknown as { type: number } & Record<string, unknown>;
      if (fields.payload instanceof Uint8Array) fields.payload = Buffer.from(fields.payload).toString('utf8');
      return `readable on channel ${e.channel}: ${enumName('MvMqttReadableDataType', type)} ${clip(JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)), 200)}`;
    }
    case 'network':
      return `network: ${enumName('MvNetworkStatus', e.status)}`;
  }
}

/** `testing-complete (status 3)`, `restart (next wake reason …)`, `deep-sleep (mode 1)`. */
export function describeRunEnd(end: RunEnd): string {
  if (end.reason === 'testing-complete') return `testing-complete (status ${end.status})`;
  if (end.reason === 'restart') return `restart (next wake reason ${enumName('MvWakeReason', end.nextWakeReason)})`;
  return `deep-sleep (mode ${enumName('MvDeepSleepMode', end.mode)})`;
}
