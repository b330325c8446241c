/** The mock's scripting for the areas outside networking: logs, run end, staged updates, world switches. */
import {
  MV_NETWORKSTATUS_CONNECTED,
  MV_NETWORKSTATUS_CONNECTING,
  MV_NETWORKSTATUS_DISCONNECTEDWITHLINKUP,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_LOGGINGDISABLEDBYSERVER,
  MV_STATUS_OKAY,
  MV_STATUS_TIMENOTSET,
  MV_STATUS_UNAVAILABLE,
  MV_SYSTEMNOTIFICATIONSOURCE_UPDATE,
  out,
  type MvNetworkHandle,
  type MvNotificationHandle,
  type MvSystemEventHandle,
} from '@mvmqtt/sdk';
import { describe, expect, it } from 'vitest';
import { MockMicrovisor } from '../src/index.js';

describe('mock: wall time', () => {
  it("wallTime 'network': TIMENOTSET until the application's network is first connected, as on the device core", () => {
    const mock = new MockMicrovisor({ wallTime: 'network', irqDelivery: 'manual' });
    const t = out(0n);
    expect(mock.mvGetWallTime(t)).toBe(MV_STATUS_TIMENOTSET);
    const centre = out(0 as MvNotificationHandle);
    expect(mock.mvSetupNotifications({ irq: 30, buffer: new Uint8Array(64), buffer_size: 64 }, centre)).toBe(MV_STATUS_OKAY);
    mock.setNetworkStatus(MV_NETWORKSTATUS_CONNECTING);
    expect(mock.mvRequestNetwork({ version: 1, v1: { notification_handle: centre.value, notification_tag: 1 } }, out(0 as MvNetworkHandle))).toBe(MV_STATUS_OKAY);
    expect(mock.mvGetWallTime(t)).toBe(MV_STATUS_TIMENOTSET);
    mock.setNetworkStatus(MV_NETWORKSTATUS_CONNECTED);
    expect(mock.mvGetWallTime(t)).toBe(MV_STATUS_OKAY);
    mock.setNetworkStatus(MV_NETWORKSTATUS_DISCONNECTEDWITHLINKUP);
    expect(mock.mvGetWallTime(t)).toBe(MV_STATUS_OKAY);
  });
});

describe('mock: logging, testing, power', () => {
  it('server logs are captured on flush while online, and the server can disable them', () => {
    const mock = new MockMicrovisor({ irqDelivery: 'manual' });
    expect(mock.mvServerLoggingInit(new Uint8Array(1024), 1024)).toBe(MV_STATUS_OKAY);
    expect(mock.mvServerLog('one', 3)).toBe(MV_STATUS_OKAY);
    expect(mock.serverLogs).toEqual([]);
    mock.flush();
    expect(mock.serverLogs).toEqual(['one']);
    mock.world.setServerLoggingDisabled(true);
    expect(mock.mvServerLog('two', 3)).toBe(MV_STATUS_LOGGINGDISABLEDBYSERVER);
  });

  it('a configured server-log rate follows the mock clock: refused over it, accepted once the window has passed', () => {
    const mock = new MockMicrovisor({ irqDelivery: 'manual', serverLogRate: { messages: 2, perMs: 1000 } });
    expect(mock.mvServerLoggingInit(new Uint8Array(1024), 1024)).toBe(MV_STATUS_OKAY);
    expect(mock.mvServerLog('one', 3)).toBe(MV_STATUS_OKAY);
    mock.clock.advance(500);
    expect(mock.mvServerLog('two', 3)).toBe(MV_STATUS_OKAY);
    expect(mock.mvServerLog('three', 5)).toBe(MV_STATUS_INVALIDBUFFERSIZE);
    mock.clock.advance(500); // 'one' leaves the window
    expect(mock.mvServerLog('four', 4)).toBe(MV_STATUS_OKAY);
    expect(mock.mvServerLog('five', 4)).toBe(MV_STATUS_INVALIDBUFFERSIZE);
    mock.flush();
    expect(mock.serverLogs).toEqual(['one', 'two', 'four']);
  });

  it('mvTestingComplete works only in test mode and records how the run ended', () => {
    expect(new MockMicrovisor().mvTestingComplete(0)).toBe(MV_STATUS_UNAVAILABLE);
    const mock = new MockMicrovisor({ testMode: true });
    expect(mock.mvTestingComplete(0)).toBe(MV_STATUS_OKAY);
    expect(mock.runEnd).toEqual({ reason: 'testing-complete', status: 0, exitCode: 0 });
  });

  it('a staged update interrupts the UPDATE subscriber once', () => {
    const mock = new MockMicrovisor({ irqDelivery: 'manual' });
    const centre = out(0 as MvNotificationHandle);
    expect(mock.mvSetupNotifications({ irq: 30, buffer: new Uint8Array(64), buffer_size: 64 }, centre)).toBe(MV_STATUS_OKAY);
    let irqs = 0;
    mock.nvic.setHandler(30, () => irqs++);
    mock.nvic.enable(30);
    expect(mock.mvOpenSystemNotification({ notification_handle: centre.value, notification_tag: 2, notification_source: MV_SYSTEMNOTIFICATIONSOURCE_UPDATE }, out(0 as MvSystemEventHandle))).toBe(MV_STATUS_OKAY);
    mock.world.stageUpdate();
    mock.flush();
    expect(irqs).toBe(1);
  });
});
