/** The areas outside networking on the device core: register file and clocks, logs, run end, system notifications. */
import { LIMITS, MV_EVENTTYPE_UPDATEDOWNLOADED, MV_RESTARTMODE_AUTOAPPLYUPDATE, MV_STATUS_INVALIDBUFFERSIZE, MV_STATUS_OKAY, MV_STATUS_TIMENOTSET, MV_SYSTEMNOTIFICATIONSOURCE_UPDATE, MV_WAKEREASON_APPLICATIONUPDATE, out, type MvNetworkHandle, type MvNotificationHandle, type MvSystemEventHandle } from '@mvmqtt/sdk';
import { describe, expect, it } from 'vitest';
import { Device, type SystemEvent } from '../src/index.js';

const RCC_CFGR2 = 0x46020c20;
const RCC_CR = 0x46020c00;

describe('clocks and the RCC register file', () => {
  it('the getters follow the prescalers the application writes', async () => {
    const d = new Device({ clocks: { sysclk: 160_000_000, hclk: 80_000_000, pclk1: 40_000_000, pclk2: 80_000_000 } });
    const hz = out(0);
    expect(d.mvGetHClk(hz)).toBe(MV_STATUS_OKAY);
    expect(hz.value).toBe(80_000_000);
    d.mvGetPClk1(hz);
    expect(hz.value).toBe(40_000_000);
    // HPRE back to 1 (full-register write, as MV_MODIFY_REG does): HCLK and PCLK1 double.
    const cfgr2 = out(0);
    expect(d.mvPeriphPeek32(RCC_CFGR2, cfgr2)).toBe(MV_STATUS_OKAY);
    expect(d.mvPeriphPoke32(RCC_CFGR2, 0xf, 0)).toBe(MV_STATUS_OKAY);
    d.mvGetHClk(hz);
    expect(hz.value).toBe(160_000_000);
    await d.powerOff();
  });

  it('ready flags follow their enable bits, so HAL wait loops end', async () => {
    const d = new Device();
    // HSION (bit 8) set: HSIRDY (bit 10) reads 1.
    expect(d.mvPeriphPoke32(RCC_CR, 1 << 8, 1 << 8)).toBe(MV_STATUS_OKAY);
    const cr = out(0);
    d.mvPeriphPeek32(RCC_CR, cr);
    expect((cr.value >>> 10) & 1).toBe(1);
    expect(d.world.registerAccesses.map((a) => a.op)).toEqual(['poke', 'peek']);
    await d.powerOff();
  });

  it('an impossible clock option is refused with a clear message', () => {
    expect(() => new Device({ clocks: { hclk: 70_000_000 } })).toThrow(/hclk = sysclk/);
  });
});

describe('identity and wall time', () => {
  it('the device id is the option, 34 bytes, no terminator', async () => {
    const id = 'UV' + '0123456789abcdef'.repeat(2);
    const d = new Device({ deviceId: id });
    const buf = new Uint8Array(LIMITS.DEVICE_ID_LENGTH.min + 1);
    expect(d.mvGetDeviceId(buf, LIMITS.DEVICE_ID_LENGTH.min)).toBe(MV_STATUS_OKAY);
    expect(Buffer.from(buf.subarray(0, 34)).toString()).toBe(id);
    expect(buf[34]).toBe(0);
    await d.powerOff();
  });

  it('wall time can start unset and be set by the test', async () => {
    const d = new Device({ wallTime: 'unset' });
    const t = out(0n);
    expect(d.mvGetWallTime(t)).toBe(MV_STATUS_TIMENOTSET);
    d.world.setWallTime(1_000_000n);
    expect(d.mvGetWallTime(t)).toBe(MV_STATUS_OKAY);
    expect(t.value >= 1_000_000n).toBe(true);
    await d.powerOff();
  });

  it("wallTime 'network': TIMENOTSET until the application's network is first connected, then the host's time, kept after the link drops", async () => {
    const d = new Device({ wallTime: 'network' });
    const t = out(0n);
    expect(d.mvGetWallTime(t)).toBe(MV_STATUS_TIMENOTSET);
    const centre = out(0 as MvNotificationHandle);
    expect(d.mvSetupNotifications({ irq: 40, buffer: new Uint8Array(64), buffer_size: 64 }, centre)).toBe(MV_STATUS_OKAY);
    // A request made while the link is down connects nothing yet.
    d.simulateNetworkLoss();
    const network = out(0 as MvNetworkHandle);
    expect(d.mvRequestNetwork({ version: 1, v1: { notification_handle: centre.value, notification_tag: 1 } }, network)).toBe(MV_STATUS_OKAY);
    expect(d.mvGetWallTime(t)).toBe(MV_STATUS_TIMENOTSET);
    const before = BigInt(Date.now()) * 1000n;
    d.restoreNetwork();
    expect(d.mvGetWallTime(t)).toBe(MV_STATUS_OKAY);
    expect(t.value >= before && t.value <= BigInt(Date.now()) * 1000n).toBe(true);
    d.simulateNetworkLoss();
    expect(d.mvGetWallTime(t)).toBe(MV_STATUS_OKAY);
    await d.powerOff();
  });

  it("wallTime 'network': a network request granted while the link is up sets the clock at once", async () => {
    const d = new Device({ wallTime: 'network' });
    const t = out(0n);
    const centre = out(0 as MvNotificationHandle);
    expect(d.mvSetupNotifications({ irq: 40, buffer: new Uint8Array(64), buffer_size: 64 }, centre)).toBe(MV_STATUS_OKAY);
    expect(d.mvGetWallTime(t)).toBe(MV_STATUS_TIMENOTSET);
    expect(d.mvRequestNetwork({ version: 1, v1: { notification_handle: centre.value, notification_tag: 1 } }, out(0 as MvNetworkHandle))).toBe(MV_STATUS_OKAY);
    expect(d.mvGetWallTime(t)).toBe(MV_STATUS_OKAY);
    await d.powerOff();
  });
});

describe('logs, the end of the run and system notifications', () => {
  it('server logs reach listeners; testing complete ends the run with an exit code', async () => {
    const d = new Device({ testMode: true, serverLog: 'none', testLog: 'none' });
    const events: SystemEvent[] = [];
    d.onSystemEvent((e) => events.push(e));
    expect(d.mvServerLoggingInit(new Uint8Array(1024), 1024)).toBe(MV_STATUS_OKAY);
    expect(d.mvServerLog('hello', 5)).toBe(MV_STATUS_OKAY);
    await d.waitFor(() => events.some((e) => e.kind === 'server-log'), 5000, 'the log line');
    const ended = d.whenRunEnds();
    expect(d.mvTestingComplete(3)).toBe(MV_STATUS_OKAY);
    expect(await ended).toMatchObject({ reason: 'testing-complete', status: 3, exitCode: 1 });
    expect(events.find((e) => e.kind === 'server-log')).toMatchObject({ text: 'hello' });
    await d.powerOff();
  });

  it('a configured server-log rate refuses messages over it like a full buffer, and frees up as the window passes', async () => {
    const d = new Device({ serverLog: 'none', serverLogRate: { messages: 3, perMs: 200 } });
    expect(d.mvServerLoggingInit(new Uint8Array(4096), 4096)).toBe(MV_STATUS_OKAY);
    for (const text of ['a', 'b', 'c']) expect(d.mvServerLog(text, 1)).toBe(MV_STATUS_OKAY);
    expect(d.mvServerLog('d', 1)).toBe(MV_STATUS_INVALIDBUFFERSIZE);
    await new Promise((r) => setTimeout(r, 300));
    expect(d.mvServerLog('e', 1)).toBe(MV_STATUS_OKAY);
    await d.powerOff();
  });

  it('without a configured rate, only the buffer limits server logs', async () => {
    const d = new Device({ serverLog: 'none' });
    expect(d.mvServerLoggingInit(new Uint8Array(4096), 4096)).toBe(MV_STATUS_OKAY);
    for (let i = 0; i < 100; i++) expect(d.mvServerLog('x', 1)).toBe(MV_STATUS_OKAY);
    await d.powerOff();
  });

  it('a malformed server-log rate is refused when the device is made', () => {
    expect(() => new Device({ serverLogRate: { messages: 0, perMs: 1000 } })).toThrow(/serverLogRate\.messages must be a positive integer/);
    expect(() => new Device({ serverLogRate: { messages: 2, perMs: -1 } })).toThrow(/serverLogRate\.perMs/);
  });

  it('a staged update is announced to UPDATE subscribers and applied by mvRestart', async () => {
    const d = new Device();
    const ring = new Uint8Array(64);
    const centre = out(0 as MvNotificationHandle);
    expect(d.mvSetupNotifications({ irq: 40, buffer: ring, buffer_size: 64 }, centre)).toBe(MV_STATUS_OKAY);
    let irqs = 0;
    d.nvic.setHandler(40, () => irqs++);
    d.nvic.enable(40);
    expect(d.mvOpenSystemNotification({ notification_handle: centre.value, notification_tag: 9, notification_source: MV_SYSTEMNOTIFICATIONSOURCE_UPDATE }, out(0 as MvSystemEventHandle))).toBe(MV_STATUS_OKAY);
    d.world.stageUpdate();
    await d.waitFor(() => irqs === 1, 5000, 'the UPDATEDOWNLOADED interrupt');
    expect(new DataView(ring.buffer).getUint32(8, true)).toBe(MV_EVENTTYPE_UPDATEDOWNLOADED);
    expect(d.mvRestart(MV_RESTARTMODE_AUTOAPPLYUPDATE)).toBe(MV_STATUS_OKAY);
    expect(d.runEnd).toMatchObject({ reason: 'restart', nextWakeReason: MV_WAKEREASON_APPLICATIONUPDATE });
    await d.powerOff();
  });
});
