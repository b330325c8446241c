/**
 * The fleet's stamp at the start of a payload, so the fleet's subscriber can tell which device
 * sent a message, which one it was, and when:
 *   bytes 0–3   "MVFL"
 *   bytes 4–7   device index (u32, big-endian)
 *   bytes 8–11  sequence number (u32, big-endian)
 *   bytes 12–19 send time: milliseconds since the Unix epoch (f64, big-endian, sub-millisecond)
 * Send and receive times come from the same clock only on one machine; across machines the
 * latency includes their clock offset.
 */
import { performance } from 'node:perf_hooks';

export const STAMP_BYTES = 20;
const MAGIC = 0x4d56464c; // "MVFL"

/** Milliseconds since the epoch with performance.now()'s resolution (the same clock in every process of a machine). */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export function writeStamp(payload: Uint8Array, device: number, seq: number): void {
  if (payload.byteLength < STAMP_BYTES) throw new RangeError(`a stamped payload needs at least ${STAMP_BYTES} bytes`);
  const v = new DataView(payload.buffer, payload.byteOffset, STAMP_BYTES);
  v.setUint32(0, MAGIC);
  v.setUint32(4, device >>> 0);
  v.setUint32(8, seq >>> 0);
  v.setFloat64(12, nowMs());
}

export interface Stamp {
  device: number;
  seq: number;
  sentMs: number;
}

export function readStamp(payload: Uint8Array): Stamp | undefined {
  if (payload.byteLength < STAMP_BYTES) return undefined;
  const v = new DataView(payload.buffer, payload.byteOffset, STAMP_BYTES);
  if (v.getUint32(0) !== MAGIC) return undefined;
  return { device: v.getUint32(4), seq: v.getUint32(8), sentMs: v.getFloat64(12) };
}
