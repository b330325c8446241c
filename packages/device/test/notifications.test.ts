// Notification centres: setup rules and statuses, the record format, one IRQ per record, overruns.
import {
  LAYOUTS,
  LIMITS,
  MV_EVENTTYPE_NETWORKSTATUSCHANGED,
  MV_STATUS_BUFFERALREADYINUSE,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_INVALIDHANDLE,
  MV_STATUS_INVALIDINTERRUPT,
  MV_STATUS_PARAMETERFAULT,
  MV_STATUS_TOOMANYNOTIFICATIONBUFFERS,
  decodeMvNotification,
  out,
} from '@mvmqtt/sdk';
import type { MvNotificationHandle } from '@mvmqtt/sdk';
import { describe, expect, it } from 'vitest';
import { Center, expectOk, expectStatus, newDevice, requestNetwork } from './helpers.js';

const RECORD = LAYOUTS.MvNotification.arm32.size;
const MIN = LIMITS.NOTIFICATION_BUFFER_SIZE_MIN.value;
const MULTIPLE = LIMITS.NOTIFICATION_BUFFER_SIZE_MULTIPLE.value;

function setup(device: ReturnType<typeof newDevice>, irq: number, buffer: Uint8Array | null, size = buffer?.byteLength ?? 0) {
  const h = out(0 as MvNotificationHandle);
  return { status: device.mvSetupNotifications({ irq, buffer, buffer_size: size }, h), handle: h.value };
}

describe('mvSetupNotifications', () => {
  it('takes a ring of whole 16-byte records, at least the minimum', () => {
    const d = newDevice();
    expectStatus(setup(d, 1, new Uint8Array(MIN - MULTIPLE)).status, MV_STATUS_INVALIDBUFFERSIZE, 'one record');
    expectStatus(setup(d, 1, new Uint8Array(MIN + 8)).status, MV_STATUS_INVALIDBUFFERSIZE, 'not a multiple');
    expectStatus(setup(d, 1, new Uint8Array(64), 0).status, MV_STATUS_INVALIDBUFFERSIZE, 'zero');
    const ok = setup(d, 1, new Uint8Array(MIN));
    expectOk(ok.status);
    expect(ok.handle).not.toBe(0);
  });

  it('faults on bad pointers: NULL, a size past the buffer, misalignment, a missing out pointer', () => {
    const d = newDevice();
    expectStatus(setup(d, 1, null, 32).status, MV_STATUS_PARAMETERFAULT, 'NULL buffer');
    expectStatus(setup(d, 1, new Uint8Array(32), 48).status, MV_STATUS_PARAMETERFAULT, 'size past the end');
    const big = new Uint8Array(128);
    expectStatus(setup(d, 1, big.subarray(4), 64).status, LIMITS.NOTIFICATION_BUFFER_ALIGNMENT.status, 'not 8-aligned');
    expectStatus(d.mvSetupNotifications(null, out(0 as MvNotificationHandle)), MV_STATUS_PARAMETERFAULT, 'NULL setup');
    expectStatus(d.mvSetupNotifications({ irq: 1, buffer: new Uint8Array(32), buffer_size: 32 }, null), MV_STATUS_PARAMETERFAULT, 'NULL handle_out');
    expectStatus(d.mvSetupNotifications({ irq: 1, buffer: 'nope', buffer_size: 32 } as never, out(0 as MvNotificationHandle)), MV_STATUS_PARAMETERFAULT, 'not a buffer');
    expectOk(setup(d, 1, big.subarray(8), 64).status, '8-aligned view');
  });

  it('the alignment rule is configurable', () => {
    const d = newDevice({ limits: { NOTIFICATION_BUFFER_ALIGNMENT: 1 } });
    expectOk(setup(d, 1, new Uint8Array(100).subarray(4), 32).status);
  });

  it('refuses an IRQ that is not usable or already taken, and a buffer already in use', () => {
    const d = newDevice();
    const buf = new Uint8Array(256);
    expectOk(setup(d, 10, buf.subarray(0, 64)).status);
    expectStatus(setup(d, 10, new Uint8Array(64)).status, MV_STATUS_INVALIDINTERRUPT, 'IRQ taken');
    expectStatus(setup(d, -1, new Uint8Array(64)).status, MV_STATUS_INVALIDINTERRUPT, 'negative IRQ');
    expectStatus(setup(d, 100_000, new Uint8Array(64)).status, MV_STATUS_INVALIDINTERRUPT, 'no such IRQ');
    expectStatus(setup(d, 11, buf.subarray(0, 64)).status, MV_STATUS_BUFFERALREADYINUSE, 'same buffer');
    expectStatus(setup(d, 11, buf.subarray(32, 96)).status, MV_STATUS_BUFFERALREADYINUSE, 'overlapping buffer');
    expectOk(setup(d, 11, buf.subarray(64, 128)).status, 'adjacent buffer');
  });

  it(`allows ${LIMITS.NOTIFICATION_BUFFERS_MAX.value} centres at once`, () => {
    const d = newDevice();
    const handles: MvNotificationHandle[] = [];
    for (let i = 0; i < LIMITS.NOTIFICATION_BUFFERS_MAX.value; i++) {
      const r = setup(d, i, new Uint8Array(32));
      expectOk(r.status, `centre ${i}`);
      handles.push(r.handle);
    }
    expectStatus(setup(d, 60, new Uint8Array(32)).status, MV_STATUS_TOOMANYNOTIFICATIONBUFFERS);
    expectOk(d.mvCloseNotifications(out(handles[0])));
    expectOk(setup(d, 60, new Uint8Array(32)).status, 'after closing one');
  });
});

describe('mvCloseNotifications', () => {
  it('zeroes the handle; a second close, zero, or a handle of another kind is INVALIDHANDLE', () => {
    const d = newDevice();
    const c = new Center(d, 3);
    const net = requestNetwork(d, c);
    const h = out(c.handle);
    expectOk(d.mvCloseNotifications(h));
    expect(h.value).toBe(0);
    expectStatus(d.mvCloseNotifications(out(c.handle)), MV_STATUS_INVALIDHANDLE, 'closed twice');
    expectStatus(d.mvCloseNotifications(out(0 as MvNotificationHandle)), MV_STATUS_INVALIDHANDLE, 'zero');
    expectStatus(d.mvCloseNotifications(out(net as unknown as MvNotificationHandle)), MV_STATUS_INVALIDHANDLE, 'a network handle');
    expectStatus(d.mvCloseNotifications(null), MV_STATUS_PARAMETERFAULT, 'NULL');
  });

  it('frees the IRQ and the buffer, and nothing more is written for sources still pointing at it', async () => {
    const d = newDevice();
    const c = new Center(d, 3, 4);
    requestNetwork(d, c, 7);
    d.simulateNetworkLoss();
    await d.idle();
    expect(c.count(MV_EVENTTYPE_NETWORKSTATUSCHANGED, 7)).toBe(1);
    expectOk(d.mvCloseNotifications(out(c.handle)));
    c.buffer.fill(0xee);
    d.restoreNetwork();
    await d.idle();
    expect(c.records).toHaveLength(1);
    expect(c.buffer.every((b) => b === 0xee)).toBe(true);
    expectOk(setup(d, 3, c.buffer).status, 'IRQ and buffer reusable');
  });
});

describe('the ring', () => {
  it('holds 16-byte records in the device layout, written in order from slot 0 and wrapping', async () => {
    const d = newDevice();
    const c = new Center(d, 5, 2); // two slots
    requestNetwork(d, c, 0xabcdef01);
    for (let i = 0; i < 3; i++) {
      d.simulateNetworkLoss();
      d.restoreNetwork();
      await d.idle();
    }
    // Six records through a two-slot ring, each seen by the handler in turn.
    expect(c.records.map((r) => [r.event_type, r.tag])).toEqual(Array(6).fill([MV_EVENTTYPE_NETWORKSTATUSCHANGED, 0xabcdef01]));
    const times = c.records.map((r) => r.microseconds);
    expect([...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(times);
    expect(times[0]).toBeGreaterThan(0n);
    expect(times[5]).toBeLessThanOrEqual(d.microseconds());
    // Raw bytes: little-endian u64 microseconds, u32 event type, u32 tag.
    const raw = new DataView(c.buffer.buffer);
    const last = decodeMvNotification(c.buffer, RECORD); // the 6th record landed in slot 1
    expect(raw.getBigUint64(RECORD, true)).toBe(last.microseconds);
    expect(raw.getUint32(RECORD + 8, true)).toBe(MV_EVENTTYPE_NETWORKSTATUSCHANGED);
    expect(raw.getUint32(RECORD + 12, true)).toBe(0xabcdef01);
  });

  it('raises one interrupt per record, never merged, even when records arrive in a burst', async () => {
    const d = newDevice();
    const c = new Center(d, 5, 8);
    const tags = [11, 12, 13];
    for (const t of tags) requestNetwork(d, c, t);
    d.simulateNetworkLoss(); // three records written inside one call
    d.restoreNetwork(); // three more
    await d.idle();
    expect(c.records.map((r) => r.tag)).toEqual([11, 12, 13, 11, 12, 13]);
  });

  it('delivers records written while the IRQ was disabled once it is enabled', async () => {
    const d = newDevice();
    const c = new Center(d, 5, 4);
    d.nvic.disable(5);
    requestNetwork(d, c, 1);
    d.simulateNetworkLoss();
    d.restoreNetwork();
    await d.idle();
    expect(c.records).toHaveLength(0);
    expect(d.nvic.pendingCount(5)).toBe(2);
    d.nvic.enable(5);
    await d.idle();
    expect(c.records).toHaveLength(2);
  });

  it('overwrite policy (default): a full ring is overwritten and the overrun counted', async () => {
    const d = newDevice();
    const c = new Center(d, 5, 2);
    d.nvic.disable(5);
    requestNetwork(d, c, 1);
    requestNetwork(d, c, 2);
    requestNetwork(d, c, 3);
    d.simulateNetworkLoss(); // three records into two slots with no interrupt taken
    expect(d.diagnostics.notificationOverruns).toBe(1);
    expect(decodeMvNotification(c.buffer, 0).tag).toBe(3); // slot 0 now holds the third record
    d.nvic.enable(5);
    await d.idle();
    expect(c.records).toHaveLength(3); // still one interrupt per record written
  });

  it("'drop-when-unconsumed' policy: a slot whose event_type is not cleared blocks new records", async () => {
    const d = newDevice({ overrunPolicy: 'drop-when-unconsumed' });
    const buffer = new Uint8Array(2 * RECORD); // zeroed: every slot free
    const h = out(0 as MvNotificationHandle);
    expectOk(d.mvSetupNotifications({ irq: 6, buffer, buffer_size: buffer.byteLength }, h));
    let index = 0;
    const seen: number[] = [];
    let clear = false;
    d.nvic.setHandler(6, () => {
      const off = index * RECORD;
      seen.push(decodeMvNotification(buffer, off).tag);
      if (clear) new DataView(buffer.buffer).setUint32(off + LAYOUTS.MvNotification.arm32.fields.event_type.offset, 0, true);
      index = (index + 1) % 2;
    });
    d.nvic.enable(6);
    const net = out(0 as never);
    expectOk(d.mvRequestNetwork({ version: 1, v1: { notification_handle: h.value, notification_tag: 9 } }, net));
    d.simulateNetworkLoss();
    d.restoreNetwork();
    d.simulateNetworkLoss(); // third record: both slots still hold unread (uncleared) records
    await d.idle();
    expect(seen).toEqual([9, 9]);
    expect(d.diagnostics.notificationsDropped).toBe(1);
    clear = true;
    d.restoreNetwork();
    await d.idle();
    expect(seen).toHaveLength(2); // slot 0 was never cleared: still dropped
    expect(d.diagnostics.notificationsDropped).toBe(2);
    new DataView(buffer.buffer).setUint32(8, 0, true);
    d.simulateNetworkLoss();
    await d.idle();
    expect(seen).toHaveLength(3);
  });
});

describe('a ring whose memory the application takes away', () => {
  // Device memory cannot vanish; a TypeScript app's buffer can be transferred (detached) or, if
  // resizable, shrunk. The device core must drop and count the records, not throw.
  it.each([
    ['transferred (detached)', (b: ArrayBuffer) => void structuredClone(b, { transfer: [b] })],
    ['resizable, shrunk below the ring', (b: ArrayBuffer) => (b as unknown as { resize(n: number): void }).resize(8)],
  ])('%s: records are dropped and counted, no IRQ, no exception; the device goes on', async (_, takeAway) => {
    const d = newDevice();
    // ES2024's resizable ArrayBuffer (Node 20 has it; the ES2023 typings do not).
    const Resizable = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer;
    const memory = new Resizable(8 * RECORD, { maxByteLength: 64 * RECORD });
    const c = new Center(d, 5, 8, new Uint8Array(memory, 0, 8 * RECORD));
    const network = requestNetwork(d, c, 0x51);
    takeAway(memory);
    d.simulateNetworkLoss();
    d.restoreNetwork();
    await d.idle();
    expect(c.records).toEqual([]);
    expect(d.inspectState().centres[0]).toMatchObject({ dropped: 2, irqsPending: 0 });
    expectOk(d.mvReleaseNetwork(out(network)));
    expectOk(d.mvCloseNotifications(out(c.handle)));
  });
});

describe('observers (the inspector) come and go', () => {
  it('a centre set up before an observer attached reports its records to it, and stops when it detaches', async () => {
    const d = newDevice();
    const c = new Center(d, 5, 8);
    requestNetwork(d, c, 0x51);
    const seen: string[] = [];
    const stop = d.observe((e) => {
      if (e.kind === 'notification') seen.push(`${e.irq}:${e.slot}:${e.tag}:${e.outcome}`);
      if (e.kind === 'syscall') seen.push(e.name);
    });
    d.simulateNetworkLoss();
    await d.idle();
    expect(seen).toContain('5:0:81:written');
    const state = d.inspectState();
    expect(state.centres).toMatchObject([{ irq: 5, slots: 8, writePosition: 1, irqsPending: 0, overruns: 0, dropped: 0 }]);

    stop();
    seen.length = 0;
    d.restoreNetwork();
    await d.idle();
    expect(c.records).toHaveLength(2);
    expect(seen).toEqual([]); // neither records nor calls once the last observer left
    expect(d.inspectState().centres[0].writePosition).toBe(2);
  });
});
