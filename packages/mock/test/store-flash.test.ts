// The mock's config store (the device core's format and parser) and its external flash (the device core's, file-backed too).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MV_CHANNELTYPE_CONFIGFETCH,
  MV_CONFIGKEYFETCHRESULT_KEYNOTFOUND,
  MV_CONFIGKEYFETCHRESULT_OK,
  MV_CONFIGKEYFETCHRESULT_SERVERERROR,
  MV_CONFIGKEYFETCHSCOPE_ACCOUNT,
  MV_CONFIGKEYFETCHSCOPE_DEVICE,
  MV_CONFIGKEYFETCHSTORE_CONFIG,
  MV_CONFIGKEYFETCHSTORE_SECRET,
  newMvConfigResponseData,
  out,
  type MvChannelHandle,
  type MvConfigKeyFetchResult,
  type MvExternalFlashHandle,
} from '@mvmqtt/sdk';
import { ConfigStoreError } from '@mvmqtt/sdk/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { MockMicrovisor, type MockOptions } from '../src/index.js';
import { Firmware, ok, str } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'mvmqtt-mock-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Key = [scope: number, store: number, key: string];

/** Fetches `keys` through the system calls and reads every item into `size`-byte buffers. */
function fetch(options: MockOptions, keys: Key[], size = 64): { result: MvConfigKeyFetchResult; value: string }[] {
  const mv = new MockMicrovisor(options);
  const fw = new Firmware(mv);
  const h = out(0 as MvChannelHandle);
  const params = fw.params(3, 2048);
  ok(mv.mvOpenChannel({ ...params, v1: { ...params.v1, channel_type: MV_CHANNELTYPE_CONFIGFETCH } }, h));
  ok(mv.mvSendConfigFetchRequest(h.value, { num_items: keys.length, keys_to_fetch: keys.map(([scope, store, key]) => ({ scope, store, key: str(key) })) } as never));
  mv.flush();
  const data = newMvConfigResponseData();
  ok(mv.mvReadConfigFetchResponseData(h.value, data));
  return Array.from({ length: data.num_items }, (_, i) => {
    const buf = new Uint8Array(size);
    const p = { item_index: i, result: out(0 as MvConfigKeyFetchResult), buf: { data: buf, size, length: out(0) } };
    ok(mv.mvReadConfigResponseItem(h.value, p));
    return { result: p.result.value, value: Buffer.from(buf.subarray(0, p.buf.length.value)).toString('latin1') };
  });
}

describe('mock config store', () => {
  it('reads a store file in the device format: strings, file values (hex), both scopes and stores', () => {
    writeFileSync(join(dir, 'key.bin'), Buffer.from([0xde, 0xad, 0x01]));
    const file = join(dir, 'store.json');
    writeFileSync(file, JSON.stringify({ device: { config: { host: 'h.example' } }, account: { secret: { key: { file: 'key.bin', encoding: 'hex' } } } }));
    const items = fetch({ config: file }, [
      [MV_CONFIGKEYFETCHSCOPE_DEVICE, MV_CONFIGKEYFETCHSTORE_CONFIG, 'host'],
      [MV_CONFIGKEYFETCHSCOPE_ACCOUNT, MV_CONFIGKEYFETCHSTORE_SECRET, 'key'],
      [MV_CONFIGKEYFETCHSCOPE_ACCOUNT, MV_CONFIGKEYFETCHSTORE_CONFIG, 'host'],
    ]);
    expect(items).toEqual([
      { result: MV_CONFIGKEYFETCHRESULT_OK, value: 'h.example' },
      { result: MV_CONFIGKEYFETCHRESULT_OK, value: 'dead01' },
      { result: MV_CONFIGKEYFETCHRESULT_KEYNOTFOUND, value: '' },
    ]);
  });

  it('refuses unknown scopes and stores, and bad values, with the device core\'s error', () => {
    const problem = (config: unknown): string => {
      try {
        new MockMicrovisor({ config: config as MockOptions['config'] });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigStoreError);
        return (err as Error).message;
      }
      throw new Error('the store was accepted');
    };
    expect(problem({ devices: { config: {} } })).toBe('<config option>: /devices: unknown scope "devices" (expected "device" or "account")');
    expect(problem({ device: { secrets: {} } })).toBe('<config option>: /device/secrets: unknown store "secrets" (expected "config" or "secret")');
    expect(problem({ account: { config: { k: 7 } } })).toMatch(/^<config option>: \/account\/config\/k: a value must be a string/);
    expect(problem(JSON.parse('{"__proto__": {"config": {}}}'))).toBe('<config option>: /__proto__: unknown scope "__proto__" (expected "device" or "account")');
  });

  it('a value longer than the buffer: SERVERERROR by default, truncated with configValueTooLarge "truncate"', () => {
    const config = { device: { config: { long: 'abcdefgh' } } };
    const key: Key = [MV_CONFIGKEYFETCHSCOPE_DEVICE, MV_CONFIGKEYFETCHSTORE_CONFIG, 'long'];
    expect(fetch({ config }, [key], 4)).toEqual([{ result: MV_CONFIGKEYFETCHRESULT_SERVERERROR, value: '' }]);
    expect(fetch({ config, configValueTooLarge: 'truncate' }, [key], 4)).toEqual([{ result: MV_CONFIGKEYFETCHRESULT_OK, value: 'abcd' }]);
  });
});

describe('mock external flash', () => {
  it('is backed by a file when asked: writes and erases reach the file, a new mock reads them back', () => {
    const file = join(dir, 'flash.bin');
    const size = 8192;
    const write = (mv: MockMicrovisor) => {
      const h = out(0 as MvExternalFlashHandle);
      ok(mv.mvExternalFlashOpen(h));
      return h.value;
    };
    const first = new MockMicrovisor({ externalFlash: { file, size } });
    const h = write(first);
    expect(readFileSync(file)).toEqual(Buffer.alloc(size, 0xff));
    ok(first.mvExternalFlashWriteBlocking(h, 4096, 3, new Uint8Array([1, 2, 3])));
    expect([...readFileSync(file).subarray(4096, 4100)]).toEqual([1, 2, 3, 0xff]);

    const second = new MockMicrovisor({ externalFlash: { file, size } });
    const h2 = write(second);
    const back = new Uint8Array(4);
    ok(second.mvExternalFlashReadBlocking(h2, 4096, 4, back));
    expect([...back]).toEqual([1, 2, 3, 0xff]);
    ok(second.mvExternalFlashEraseBlocking(h2, 4096, 4096));
    expect(readFileSync(file)).toEqual(Buffer.alloc(size, 0xff));
  });
});
