/**
 * What a test or a runner does to the world around the application, outside networking, the
 * same on both runtimes (`device.world`, `mock.world`): the server sets the clock, an update
 * arrives, Microvisor is busy or withdraws fast interrupts, the cloud stops taking logs; and what
 * it can read back (registers the application touched, the system LED).
 */
import { MV_SYSTEMNOTIFICATIONSOURCE_UPDATE } from '../generated/index.js';
import type { RegisterAccess } from './registers.js';
import { postSystemEvent, type SystemState } from './system.js';

export class SimulatedWorld {
  constructor(private readonly system: SystemState) {}

  /** The server synchronises the wall clock (default: to the host's time). */
  setWallTime(epochMicroseconds?: bigint): void {
    this.system.wallClock.set(epochMicroseconds);
  }

  /** mvGetWallTime reads TIMENOTSET again, as after a restart. */
  unsetWallTime(): void {
    this.system.wallClock.unset();
  }

  /** An update has been downloaded: UPDATEDOWNLOADED goes to every UPDATE subscription; mvRestart then applies it. */
  stageUpdate(): void {
    this.system.power.updateStaged = true;
    postSystemEvent(this.system.subscriptions.values(), MV_SYSTEMNOTIFICATIONSOURCE_UPDATE);
  }

  /** Microvisor is busy with its own work: mvRestart, mvPowerSave and mvDeepSleep return MICROVISORBUSY while set. */
  setMicrovisorBusy(busy: boolean): void {
    this.system.power.microvisorBusy = busy;
  }

  /** Microvisor withdraws fast interrupts (a hung IRQ or a flood): the per-IRQ calls return UNAVAILABLE while set. */
  withdrawFastInterrupts(withdrawn = true): void {
    this.system.fast.withdrawn = withdrawn;
  }

  /** The cloud stops (or resumes) accepting server logs: mvServerLog returns LOGGINGDISABLEDBYSERVER while disabled. */
  setServerLoggingDisabled(disabled: boolean): void {
    this.system.serverLog.disabledByServer = disabled;
  }

  /** The system LED as the application last set it (on at start). */
  get systemLedEnabled(): boolean {
    return this.system.power.ledEnabled;
  }

  /** Every mvPeriphPeek32/mvPeriphPoke32 so far. */
  get registerAccesses(): readonly RegisterAccess[] {
    return this.system.registers.log;
  }

  /** The current value of a register by name (`RCC_CFGR2`). */
  readRegister(name: string): number | undefined {
    return this.system.registers.read(name);
  }
}
