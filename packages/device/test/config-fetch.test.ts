// Config fetch from the device's config store, and the store file's checks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LIMITS,
  MV_CHANNELTYPE_CONFIGFETCH,
  MV_CONFIGFETCHRESULT_OK,
  MV_CONFIGFETCHRESULT_RESPONSETOOLARGE,
  MV_CONFIGKEYFETCHRESULT_KEYNOTFOUND,
  MV_CONFIGKEYFETCHRESULT_OK,
  MV_CONFIGKEYFETCHRESULT_SERVERERROR,
  MV_CONFIGKEYFETCHSCOPE_ACCOUNT,
  MV_CONFIGKEYFETCHSCOPE_DEVICE,
  MV_CONFIGKEYFETCHSTORE_CONFIG,
  MV_CONFIGKEYFETCHSTORE_SECRET,
  MV_EVENTTYPE_CHANNELDATAREADABLE,
  newMvConfigResponseData,
  out,
  type MvChannelHandle,
  type MvConfigKeyFetchResult,
  type MvConfigKeyFetchScope,
  type MvConfigKeyFetchStore,
  type MvConfigResponseReadItemParams,
} from '@mvmqtt/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigStore, ConfigStoreError, type ConfigStoreDocument } from '../src/config-store.js';
import type { DeviceOptions } from '../src/index.js';
import { deviceFixture, expectOk, openParams, str } from './helpers.js';

const { setup } = deviceFixture();
const TAG = 9;
const dir = mkdtempSync(join(tmpdir(), 'mvmqtt-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Key = [scope: MvConfigKeyFetchScope, store: MvConfigKeyFetchStore, key: string];
const D_CONFIG = (k: string): Key => [MV_CONFIGKEYFETCHSCOPE_DEVICE, MV_CONFIGKEYFETCHSTORE_CONFIG, k];
const A_SECRET = (k: string): Key => [MV_CONFIGKEYFETCHSCOPE_ACCOUNT, MV_CONFIGKEYFETCHSTORE_SECRET, k];

/** Opens a config channel, fetches `keys`, waits for the answer, reads every item into `size`-byte buffers. */
async function fetch(options: DeviceOptions, keys: Key[], size = 256, rx = 2560) {
  const { device, center, network } = setup(options);
  const params = openParams(center, network, TAG, { rx: new Uint8Array(rx), tx: new Uint8Array(2560) });
  const h = out(0 as MvChannelHandle);
  expectOk(device.mvOpenChannel({ ...params, v1: { ...params.v1, channel_type: MV_CHANNELTYPE_CONFIGFETCH } } as never, h));
  const request = { num_items: keys.length, keys_to_fetch: keys.map(([scope, store, key]) => ({ scope, store, key: str(key) })) };
  expectOk(device.mvSendConfigFetchRequest(h.value, request), 'mvSendConfigFetchRequest');
  await device.waitFor(() => center.count(MV_EVENTTYPE_CHANNELDATAREADABLE, TAG) === 1, 10_000, 'the config answer');
  const data = newMvConfigResponseData();
  expectOk(device.mvReadConfigFetchResponseData(h.value, data));
  const items: { result: MvConfigKeyFetchResult; value: string }[] = [];
  for (let i = 0; i < data.num_items; i++) {
    const buf = new Uint8Array(size);
    const params: MvConfigResponseReadItemParams = { item_index: i, result: out(0 as MvConfigKeyFetchResult), buf: { data: buf, size, length: out(0) } };
    expectOk(device.mvReadConfigResponseItem(h.value, params));
    items.push({ result: params.result!.value, value: Buffer.from(buf.subarray(0, params.buf.length!.value)).toString('latin1') });
  }
  return { result: data.result, items };
}

describe('config fetch', () => {
  const store: ConfigStoreDocument = {
    device: { config: { 'broker-host': 'mqtt.example.com', 'broker-port': '8883' } },
    account: { secret: { 'api-key': 'sécret' } },
  };

  it('answers items in request order, values as UTF-8 bytes, missing keys as KEYNOTFOUND', async () => {
    const answer = await fetch({ config: store }, [D_CONFIG('broker-port'), A_SECRET('api-key'), D_CONFIG('nope'), D_CONFIG('broker-host')]);
    expect(answer.result).toBe(MV_CONFIGFETCHRESULT_OK);
    expect(answer.items).toEqual([
      { result: MV_CONFIGKEYFETCHRESULT_OK, value: '8883' },
      { result: MV_CONFIGKEYFETCHRESULT_OK, value: Buffer.from('sécret').toString('latin1') },
      { result: MV_CONFIGKEYFETCHRESULT_KEYNOTFOUND, value: '' },
      { result: MV_CONFIGKEYFETCHRESULT_OK, value: 'mqtt.example.com' },
    ]);
  });

  it('keeps scopes and stores apart', async () => {
    const answer = await fetch({ config: store }, [A_SECRET('broker-host'), D_CONFIG('api-key')]);
    expect(answer.items.map((i) => i.result)).toEqual([MV_CONFIGKEYFETCHRESULT_KEYNOTFOUND, MV_CONFIGKEYFETCHRESULT_KEYNOTFOUND]);
  });

  it('a value longer than the buffer: SERVERERROR by default, truncated when asked', async () => {
    const strict = await fetch({ config: store }, [D_CONFIG('broker-host')], 4);
    expect(strict.items).toEqual([{ result: MV_CONFIGKEYFETCHRESULT_SERVERERROR, value: '' }]);
    const lenient = await fetch({ config: store, configValueTooLarge: 'truncate' }, [D_CONFIG('broker-host')], 4);
    expect(lenient.items).toEqual([{ result: MV_CONFIGKEYFETCHRESULT_OK, value: 'mqtt' }]);
  });

  it('an answer larger than the receive buffer is RESPONSETOOLARGE', async () => {
    const big = { device: { config: { big: 'v'.repeat(LIMITS.CONFIG_VALUE_LENGTH_MAX.value) } } };
    const answer = await fetch({ config: big }, [D_CONFIG('big')], 8192, 2048);
    expect(answer).toEqual({ result: MV_CONFIGFETCHRESULT_RESPONSETOOLARGE, items: [] });
  });

  it('reads file values raw, as hex or as base64, relative to the store file', async () => {
    const bytes = Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x41]);
    writeFileSync(join(dir, 'key.bin'), bytes);
    const file = join(dir, 'store.json');
    writeFileSync(
      file,
      JSON.stringify({
        device: { secret: { raw: { file: 'key.bin', encoding: 'raw' }, hex: { file: 'key.bin', encoding: 'hex' }, b64: { file: './key.bin', encoding: 'base64' } } },
      }),
    );
    const answer = await fetch({ config: file }, ['raw', 'hex', 'b64'].map((k) => [MV_CONFIGKEYFETCHSCOPE_DEVICE, MV_CONFIGKEYFETCHSTORE_SECRET, k] as Key));
    expect(answer.items.map((i) => i.value)).toEqual([bytes.toString('latin1'), bytes.toString('hex'), bytes.toString('base64')]);
  });
});

describe('config store checks', () => {
  const bad = (doc: unknown, name = 'bad.json'): string => {
    const file = join(dir, name);
    writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return file;
  };
  const problem = (input: string): string => {
    try {
      ConfigStore.load(input);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigStoreError);
      const message = (err as Error).message;
      expect(message).not.toMatch(/\n\s+at /);
      return message;
    }
    throw new Error('the store was accepted');
  };

  it('names the file, the JSON pointer and the problem', () => {
    const file = bad({ device: { config: { ok: 'x' }, secrets: {} } });
    expect(problem(file)).toBe(`${file}: /device/secrets: unknown store "secrets" (expected "config" or "secret")`);
    expect(problem(bad({ devices: {} }))).toMatch(/: \/devices: unknown scope "devices"/);
    expect(problem(bad({ device: { config: { k: 5 } } }))).toMatch(/: \/device\/config\/k: a value must be a string or/);
    expect(problem(bad({ device: { config: { 'a/b': { file: 'x', encoding: 'utf7' } } } }))).toMatch(/: \/device\/config\/a~1b\/encoding: must be "raw", "hex" or "base64"/);
    expect(problem(bad({ device: { config: { k: { file: 'missing.bin' } } } }))).toMatch(/: \/device\/config\/k\/file: cannot read .*missing\.bin \(ENOENT\)/);
    expect(problem(bad('{ "device": '))).toMatch(/bad\.json: \/: not valid JSON/);
    expect(problem(join(dir, 'absent.json'))).toMatch(/absent\.json: \/: cannot read the file \(ENOENT\)/);
  });

  it('holds the documented limits', () => {
    const longKey = 'k'.repeat(LIMITS.CONFIG_KEY_LENGTH_MAX.value + 1);
    expect(problem(bad({ device: { config: { [longKey]: 'x' } } }))).toMatch(/at most 100 \(CONFIG_KEY_LENGTH_MAX\)/);
    expect(problem(bad({ device: { config: { k: 'v'.repeat(LIMITS.CONFIG_VALUE_LENGTH_MAX.value + 1) } } }))).toMatch(/at most 4096 \(CONFIG_VALUE_LENGTH_MAX\)/);
    expect(problem(bad({ device: { config: { 'tab\there': 'x' } } }))).toMatch(/printable ASCII/);
    // At the limits exactly, the store loads.
    expect(ConfigStore.load(bad({ device: { config: { ['k'.repeat(100)]: 'v'.repeat(4096) } } })).size).toBe(1);
  });

  it('a device given a bad store fails at construction with that one error', () => {
    expect(() => setup({ config: bad({ device: [] }) })).toThrow(ConfigStoreError);
  });
});
