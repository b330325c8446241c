/**
 * The mock's clock: it stands still until the test moves it. It feeds the `microseconds` of
 * notification records and the windows of rate limits, so a test decides when "one second
 * later" is. Nothing in the mock starts a timer.
 */
export class MockClock {
  private elapsedMicroseconds = 0n;

  /** Microseconds since the mock started, as Microvisor's free-running clock reports them. */
  microseconds(): bigint {
    return this.elapsedMicroseconds;
  }

  /** The same instant as a plain number (what notification records are stamped with). */
  now(): number {
    return Number(this.elapsedMicroseconds);
  }

  /** The same instant in (fractional) milliseconds, for rate-limit windows given in ms. */
  milliseconds(): number {
    return Number(this.elapsedMicroseconds) / 1000;
  }

  /** Moves the clock forward by `ms` milliseconds (fractions allowed). */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`MockClock.advance: ${ms} is not a non-negative number of milliseconds`);
    this.elapsedMicroseconds += BigInt(Math.round(ms * 1000));
  }
}
