// Imported, not the global: Node's global `performance` is a lazy getter, a call per notification record.
import { performance } from 'node:perf_hooks';

/** The Microvisor microsecond clock: free-running from zero when the device starts, not wall time. */
export class DeviceClock {
  private readonly startMs = performance.now();

  /** Whole microseconds since start, as a plain number (exact up to 2^53 µs, about 285 years). */
  now(): number {
    return Math.floor((performance.now() - this.startMs) * 1000);
  }

  microseconds(): bigint {
    return BigInt(this.now());
  }
}
