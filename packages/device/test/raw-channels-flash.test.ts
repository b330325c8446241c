// Raw (opaque-bytes) channel I/O and the external flash on the device core.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LIMITS,
  MV_CHANNELTYPE_OPAQUEBYTES,
  MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER,
  MV_EVENTTYPE_CHANNELDATAREADABLE,
  MV_EVENTTYPE_CHANNELDATAWRITESPACE,
  MV_EVENTTYPE_CHANNELNOTCONNECTED,
  MV_STATUS_CHANNELCLOSED,
  MV_STATUS_INVALIDBUFFERALIGNMENT,
  MV_STATUS_INVALIDBUFFERSIZE,
  MV_STATUS_INVALIDHANDLE,
  out,
  type MvChannelHandle,
  type MvClosureReason,
  type MvExternalFlashHandle,
  type MvExternalFlashInfo,
} from '@mvmqtt/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import type { OpaquePeer } from '../src/opaque.js';
import type { DeviceOptions } from '../src/index.js';
import { deviceFixture, expectOk, expectStatus, openParams } from './helpers.js';

const { setup } = deviceFixture();
const TAG = 5;

function openRaw(options: DeviceOptions, rx = 512, tx = 512) {
  const ctx = setup(options);
  const rxBuf = new Uint8Array(rx);
  const params = openParams(ctx.center, ctx.network, TAG, { rx: rxBuf, tx: new Uint8Array(tx) });
  const h = out(0 as MvChannelHandle);
  expectOk(ctx.device.mvOpenChannel({ ...params, v1: { ...params.v1, channel_type: MV_CHANNELTYPE_OPAQUEBYTES } } as never, h));
  return { ...ctx, ch: h.value, rxBuf };
}

/** An endpoint the test holds: what the app sent, and a handle to send it bytes or close. */
function endpoint() {
  const state: { peer?: OpaquePeer; received: Uint8Array[] } = { received: [] };
  const option: DeviceOptions = {
    opaqueEndpoint: (peer) => {
      state.peer = peer;
      return (bytes) => state.received.push(bytes);
    },
  };
  return { state, option };
}

describe('raw channels', () => {
  it('hands back a pointer into the receive buffer and frees what the app consumed', async () => {
    const { state, option } = endpoint();
    const { device, center, ch, rxBuf } = openRaw(option);
    state.peer!.deliver(new TextEncoder().encode('hello world'));
    await device.waitFor(() => center.count(MV_EVENTTYPE_CHANNELDATAREADABLE, TAG) === 1);
    const ptr = out<Uint8Array | null>(null);
    const len = out(0);
    expectOk(device.mvReadChannel(ch, ptr, len));
    expect(len.value).toBe(11);
    // Zero-copy: the view lies in the application's receive buffer, at its simulated address.
    expect(ptr.value!.buffer).toBe(rxBuf.buffer);
    expect(device.addressOf(ptr.value!)).toBe(device.addressOf(rxBuf));
    expect(new TextDecoder().decode(ptr.value!)).toBe('hello world');
    expectOk(device.mvReadChannelComplete(ch, 6));
    expectOk(device.mvReadChannel(ch, ptr, len));
    expect(new TextDecoder().decode(ptr.value!)).toBe('world');
    expect(device.addressOf(ptr.value!)).toBe(device.addressOf(rxBuf) + 6);
    // Consuming more than is readable frees only what is there.
    expectOk(device.mvReadChannelComplete(ch, 1000));
    expectOk(device.mvReadChannel(ch, ptr, len));
    expect(len.value).toBe(0);
  });

  it('wraps at the end of the receive buffer and holds back what does not fit', async () => {
    const { state, option } = endpoint();
    const { device, ch } = openRaw(option, 512);
    const data = Uint8Array.from({ length: 700 }, (_, i) => i % 251);
    state.peer!.deliver(data);
    const got: number[] = [];
    const ptr = out<Uint8Array | null>(null);
    const len = out(0);
    for (let guard = 0; got.length < 700 && guard < 10; guard++) {
      expectOk(device.mvReadChannel(ch, ptr, len));
      expect(len.value).toBeLessThanOrEqual(512);
      got.push(...ptr.value!.subarray(0, Math.min(len.value, 300)));
      expectOk(device.mvReadChannelComplete(ch, Math.min(len.value, 300)));
    }
    expect(got).toEqual([...data]);
  });

  it('mvWriteChannel is all or nothing; mvWriteChannelStream takes what fits; the buffer drains to the endpoint', async () => {
    const { state, option } = endpoint();
    const { device, center, ch } = openRaw(option, 512, 512);
    const avail = out(0);
    expectOk(device.mvWriteChannel(ch, new Uint8Array(0), 0, avail));
    expect(avail.value).toBe(512);
    expectOk(device.mvWriteChannel(ch, new Uint8Array(500).fill(1), 500, avail));
    expect(avail.value).toBe(12);
    expectStatus(device.mvWriteChannel(ch, new Uint8Array(13), 13, avail), MV_STATUS_INVALIDBUFFERSIZE);
    const written = out(0);
    expectOk(device.mvWriteChannelStream(ch, new Uint8Array(20).fill(2), 20, written));
    expect(written.value).toBe(12);
    await device.waitFor(() => center.count(MV_EVENTTYPE_CHANNELDATAWRITESPACE, TAG) === 1);
    expect(Buffer.concat(state.received)).toEqual(Buffer.concat([Buffer.alloc(500, 1), Buffer.alloc(12, 2)]));
    expectOk(device.mvWriteChannel(ch, 'text', 4, avail));
    expect(avail.value).toBe(508);
  });

  it('the far end closing the channel: CHANNELNOTCONNECTED, then CHANNELCLOSED', async () => {
    const { state, option } = endpoint();
    const { device, center, ch } = openRaw(option);
    state.peer!.close();
    await device.waitFor(() => center.count(MV_EVENTTYPE_CHANNELNOTCONNECTED, TAG) === 1);
    const reason = out(0 as MvClosureReason);
    expectOk(device.mvGetChannelClosureReason(ch, reason));
    expect(reason.value).toBe(MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER);
    expectStatus(device.mvWriteChannel(ch, new Uint8Array(1), 1, out(0)), MV_STATUS_CHANNELCLOSED);
    expectStatus(device.mvReadChannel(ch, out<Uint8Array | null>(null), out(0)), MV_STATUS_CHANNELCLOSED);
  });
});

describe('external flash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mvmqtt-flash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function openFlash(options: DeviceOptions = {}) {
    const { device } = setup(options);
    const h = out(0 as MvExternalFlashHandle);
    expectOk(device.mvExternalFlashOpen(h));
    return { device, h: h.value };
  }

  it('reports its geometry and the handles open', () => {
    const { device, h } = openFlash({ externalFlash: { size: 64 * 1024, chipId: 0xc84017 } });
    expectOk(device.mvExternalFlashOpen(out(0 as MvExternalFlashHandle)));
    const info: MvExternalFlashInfo = { version: 1, v1: { chip_id: 0, size: 0, num_handles: 0 } };
    expectOk(device.mvExternalFlashGetInfo(h, info));
    expect(info.v1).toEqual({ chip_id: 0xc84017, size: 64 * 1024, num_handles: 2 });
  });

  it('starts erased, writes, reads back, erases sectors to 0xFF', () => {
    const { device, h } = openFlash();
    const sector = LIMITS.FLASH_ERASE_ADDRESS_ALIGNMENT.value;
    const buf = new Uint8Array(8);
    expectOk(device.mvExternalFlashReadBlocking(h, sector, 8, buf));
    expect([...buf]).toEqual(Array(8).fill(0xff));
    expectOk(device.mvExternalFlashWriteBlocking(h, sector + 4, 4, new Uint8Array([1, 2, 3, 4])));
    expectOk(device.mvExternalFlashReadBlocking(h, sector, 8, buf));
    expect([...buf]).toEqual([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]);
    expectStatus(device.mvExternalFlashEraseBlocking(h, sector + 4, sector), MV_STATUS_INVALIDBUFFERALIGNMENT);
    expectStatus(device.mvExternalFlashEraseBlocking(h, sector, 100), MV_STATUS_INVALIDBUFFERALIGNMENT);
    expectOk(device.mvExternalFlashEraseBlocking(h, sector, sector));
    expectOk(device.mvExternalFlashReadBlocking(h, sector, 8, buf));
    expect([...buf]).toEqual(Array(8).fill(0xff));
  });

  it('reads and writes across sector boundaries; erasing one sector leaves its neighbours', () => {
    const { device, h } = openFlash({ externalFlash: { size: 64 * 1024 } });
    const sector = LIMITS.FLASH_ERASE_ADDRESS_ALIGNMENT.value;
    // 3 bytes at the end of sector 1, a whole sector 2, 3 bytes at the start of sector 3.
    const data = Uint8Array.from({ length: sector + 6 }, (_, i) => i % 251);
    expectOk(device.mvExternalFlashWriteBlocking(h, 2 * sector - 3, data.byteLength, data));
    const back = new Uint8Array(data.byteLength + 2);
    expectOk(device.mvExternalFlashReadBlocking(h, 2 * sector - 4, back.byteLength, back));
    expect(back[0]).toBe(0xff);
    expect([...back.subarray(1, 1 + data.byteLength)]).toEqual([...data]);
    expect(back[back.byteLength - 1]).toBe(0xff);
    expectOk(device.mvExternalFlashEraseBlocking(h, 2 * sector, sector));
    expectOk(device.mvExternalFlashReadBlocking(h, 2 * sector - 4, back.byteLength, back));
    const expected = new Uint8Array(back.byteLength).fill(0xff);
    expected.set(data.subarray(0, 3), 1);
    expected.set(data.subarray(sector + 3), 1 + sector + 3);
    expect([...back]).toEqual([...expected]);
  });

  it('a file-backed flash grows a short file, erased, and reloads what was written anywhere in it', () => {
    const file = join(dir, 'short.bin');
    const sector = LIMITS.FLASH_ERASE_ADDRESS_ALIGNMENT.value;
    // A file shorter than the flash, ending inside sector 1.
    writeFileSync(file, Buffer.concat([Buffer.alloc(sector, 0xff), Buffer.from('xyz')]));
    const first = openFlash({ externalFlash: { file, size: 4 * sector } });
    const bytes = readFileSync(file);
    expect(bytes.byteLength).toBe(4 * sector);
    expect(bytes.subarray(sector, sector + 3).toString()).toBe('xyz');
    expect(bytes.subarray(sector + 3).every((b) => b === 0xff)).toBe(true);
    expectOk(first.device.mvExternalFlashWriteBlocking(first.h, 3 * sector + 10, 2, 'ok'));
    const second = openFlash({ externalFlash: { file, size: 4 * sector } });
    const buf = new Uint8Array(3);
    expectOk(second.device.mvExternalFlashReadBlocking(second.h, sector, 3, buf));
    expect(Buffer.from(buf).toString()).toBe('xyz');
    expectOk(second.device.mvExternalFlashReadBlocking(second.h, 3 * sector + 9, 3, buf));
    expect([...buf]).toEqual([0xff, 0x6f, 0x6b]);
  });

  it('with NOR semantics a write only clears bits', () => {
    const { device, h } = openFlash({ externalFlash: { nor: true } });
    expectOk(device.mvExternalFlashWriteBlocking(h, 0, 1, new Uint8Array([0b1100_1100])));
    expectOk(device.mvExternalFlashWriteBlocking(h, 0, 1, new Uint8Array([0b1010_1010])));
    const buf = new Uint8Array(1);
    expectOk(device.mvExternalFlashReadBlocking(h, 0, 1, buf));
    expect(buf[0]).toBe(0b1000_1000);
  });

  it('a file-backed flash keeps its contents across devices', () => {
    const file = join(dir, 'flash.bin');
    const first = openFlash({ externalFlash: { file, size: 8192 } });
    expectOk(first.device.mvExternalFlashWriteBlocking(first.h, 4096, 3, 'abc'));
    expect(readFileSync(file).byteLength).toBe(8192);
    const second = openFlash({ externalFlash: { file, size: 8192 } });
    const buf = new Uint8Array(3);
    expectOk(second.device.mvExternalFlashReadBlocking(second.h, 4096, 3, buf));
    expect(Buffer.from(buf).toString()).toBe('abc');
  });

  it('closing zeroes the handle; the old value is then invalid', () => {
    const { device, h } = openFlash();
    const box = out(h);
    expectOk(device.mvExternalFlashClose(box));
    expect(box.value).toBe(0);
    expectStatus(device.mvExternalFlashReadBlocking(h, 0, 1, new Uint8Array(1)), MV_STATUS_INVALIDHANDLE);
  });
});
