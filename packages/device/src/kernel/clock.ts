/** The Microvisor microsecond clock: free-running from zero when the device starts, not wall time. */
export class DeviceClock {
  private readonly start = process.hrtime.bigint();

  microseconds(): bigint {
    return (process.hrtime.bigint() - this.start) / 1000n;
  }
}
