/**
 * Same-answers sessions (see same-answers.test.ts) for raw channels, HTTP, config fetch and the
 * external flash: statuses, and what the application reads back where it does not depend on timing.
 */
import {
  LIMITS,
  MV_CHANNELTYPE_CONFIGFETCH,
  MV_CHANNELTYPE_HTTP,
  MV_CHANNELTYPE_OPAQUEBYTES,
  MV_CONFIGKEYFETCHSCOPE_ACCOUNT,
  MV_CONFIGKEYFETCHSCOPE_DEVICE,
  MV_CONFIGKEYFETCHSTORE_CONFIG,
  MV_CONFIGKEYFETCHSTORE_SECRET,
  MV_STATUS_OKAY,
  newMvConfigResponseData,
  newMvHttpResponseData,
  out,
  type MvChannelHandle,
  type MvChannelType,
  type MvConfigKeyFetchResult,
  type MvConfigKeyFetchScope,
  type MvConfigKeyFetchStore,
  type MvExternalFlashHandle,
  type MvExternalFlashInfo,
  type MvHttpRequest,
  type MvSyscalls,
} from '@mvmqtt/sdk';
import { str } from './support/args.js';
import type { Rig } from './support/rig.js';

interface Session {
  r: Rig;
  sys: MvSyscalls;
  note(what: string): void;
  unique(prefix: string): string;
}

function open(s: Session, type: MvChannelType, tx = 512): MvChannelHandle {
  const params = s.r.openParams({ tx: new Uint8Array(tx) });
  params.v1.channel_type = type;
  const h = out(0 as MvChannelHandle);
  s.sys.mvOpenChannel(params, h);
  return h.value;
}

const WILD = 0x1234 as unknown as Uint8Array;

const request = (over: Partial<MvHttpRequest> = {}): MvHttpRequest => ({
  method: str('GET'),
  url: str('ftp://same-answers.invalid/'),
  num_headers: 0,
  headers: null,
  body: str(''),
  timeout_ms: 5000,
  ...over,
});

const key = (k: string, scope: number = MV_CONFIGKEYFETCHSCOPE_DEVICE, store: number = MV_CONFIGKEYFETCHSTORE_CONFIG) => ({
  scope: scope as MvConfigKeyFetchScope,
  store: store as MvConfigKeyFetchStore,
  key: str(k),
});

export const IO_SESSIONS: Record<string, (s: Session) => Promise<void>> = {
  async 'raw channel I/O: ring space, all-or-nothing writes, streams, reads, closure'(s) {
    const { sys } = s;
    const ch = open(s, MV_CHANNELTYPE_OPAQUEBYTES, 512);
    const avail = out(0);
    sys.mvWriteChannel(ch, new Uint8Array(0), 0, avail);
    s.note(`  free ${avail.value}`);
    sys.mvWriteChannel(ch, new Uint8Array(500), 500, avail);
    s.note(`  free ${avail.value}`);
    sys.mvWriteChannel(ch, new Uint8Array(13), 13, avail);
    sys.mvWriteChannel(ch, new Uint8Array(4), 8, avail);
    const written = out(0);
    sys.mvWriteChannelStream(ch, new Uint8Array(20), 20, written);
    s.note(`  written ${written.value}`);
    const ptr = out<Uint8Array | null>(null);
    const len = out(0);
    sys.mvReadChannel(ch, ptr, len);
    s.note(`  readable ${len.value}`);
    sys.mvReadChannel(ch, null, len);
    sys.mvReadChannelComplete(ch, 10);
    const mqtt = s.r.channel();
    sys.mvWriteChannel(mqtt, new Uint8Array(1), 1, avail);
    sys.mvReadChannel(mqtt, ptr, len);
    s.r.loseNetwork();
    sys.mvWriteChannelStream(ch, new Uint8Array(1), 1, written);
    sys.mvReadChannelComplete(ch, 0);
    sys.mvCloseChannel(out(ch));
  },

  async 'HTTP: one request per channel, response reads, refusals'(s) {
    const { r, sys } = s;
    const ch = open(s, MV_CHANNELTYPE_HTTP, 512);
    const data = newMvHttpResponseData();
    sys.mvReadHttpResponseData(ch, data);
    sys.mvReadHttpResponseBody(ch, 0, new Uint8Array(8), 8);
    const many = Array.from({ length: LIMITS.HTTP_REQUEST_HEADERS_MAX.value + 1 }, () => ({ length: 4, data: new TextEncoder().encode('A: b') }));
    sys.mvSendHttpRequest(ch, request({ num_headers: many.length, headers: many }));
    sys.mvSendHttpRequest(ch, request({ method: str('POST'), body: str('x'.repeat(600)) }));
    sys.mvSendHttpRequest(ch, request({ method: str('BREW') }));
    sys.mvSendHttpRequest(ch, request());
    await r.until(() => r.sys.mvReadHttpResponseData(ch, newMvHttpResponseData()) === MV_STATUS_OKAY, 'the HTTP response');
    sys.mvReadHttpResponseData(ch, data);
    s.note(`  result ${data.result} status ${data.status_code} headers ${data.num_headers} body ${data.body_length}`);
    sys.mvReadHttpResponseHeader(ch, 0, new Uint8Array(8), 8);
    sys.mvReadHttpResponseBody(ch, 0, new Uint8Array(8), 8);
    sys.mvReadHttpResponseBody(ch, 1, new Uint8Array(8), 8);
    sys.mvReadHttpResponseBody(ch, 0, new Uint8Array(8), 16);
    const late = open(s, MV_CHANNELTYPE_HTTP, 512);
    sys.mvSendHttpRequest(late, request({ url: { data: WILD, length: 4 } }));
    sys.mvSendHttpRequest(late, request());
    sys.mvSendHttpRequest(s.r.channel(), request());
    sys.mvCloseChannel(out(ch));
    sys.mvCloseChannel(out(late));
  },

  async 'config fetch: key checks, one fetch per channel, items in order'(s) {
    const { r, sys } = s;
    const ch = open(s, MV_CHANNELTYPE_CONFIGFETCH, 512);
    const data = newMvConfigResponseData();
    sys.mvReadConfigFetchResponseData(ch, data);
    const fetch = (keys: ReturnType<typeof key>[]) => sys.mvSendConfigFetchRequest(ch, { num_items: keys.length, keys_to_fetch: keys });
    fetch(Array.from({ length: LIMITS.CONFIG_KEYS_PER_REQUEST_MAX.value + 1 }, (_, i) => key(`k${i}`)));
    fetch([key('a', 7)]);
    fetch([key('a', MV_CONFIGKEYFETCHSCOPE_ACCOUNT, 7)]);
    fetch([key('')]);
    fetch([key('tab\there')]);
    fetch(Array.from({ length: LIMITS.CONFIG_KEYS_PER_REQUEST_MAX.value }, (_, i) => key(`${i}`.padEnd(LIMITS.CONFIG_KEY_LENGTH_MAX.value, 'k'))));
    fetch([key('broker-host'), key('api-key', MV_CONFIGKEYFETCHSCOPE_ACCOUNT, MV_CONFIGKEYFETCHSTORE_SECRET)]);
    fetch([key('again')]);
    await r.until(() => r.sys.mvReadConfigFetchResponseData(ch, newMvConfigResponseData()) === MV_STATUS_OKAY, 'the config answer');
    sys.mvReadConfigFetchResponseData(ch, data);
    s.note(`  result ${data.result} items ${data.num_items}`);
    for (const index of [0, 1, 2]) {
      const result = out(0 as MvConfigKeyFetchResult);
      const length = out(0);
      sys.mvReadConfigResponseItem(ch, { item_index: index, result, buf: { data: new Uint8Array(16), size: 16, length } });
      s.note(`  item ${index}: ${result.value} length ${length.value}`);
    }
    sys.mvReadConfigResponseItem(ch, { item_index: 0, result: out(0 as MvConfigKeyFetchResult), buf: { data: null, size: 16, length: out(0) } });
    sys.mvSendConfigFetchRequest(s.r.channel(), { num_items: 1, keys_to_fetch: [key('x')] });
    sys.mvCloseChannel(out(ch));
  },

  async 'external flash: handles, geometry, erase, write, read, ranges'(s) {
    const { sys } = s;
    const handles: MvExternalFlashHandle[] = [];
    for (let i = 0; i <= LIMITS.FLASH_HANDLES_OPEN_MAX.value; i++) {
      const h = out(0 as MvExternalFlashHandle);
      sys.mvExternalFlashOpen(h);
      if (h.value) handles.push(h.value);
    }
    const h = handles[0];
    const info: MvExternalFlashInfo = { version: 1, v1: { chip_id: 0, size: 0, num_handles: 0 } };
    sys.mvExternalFlashGetInfo(h, info);
    s.note(`  chip ${info.v1.chip_id} size ${info.v1.size} handles ${info.v1.num_handles}`);
    sys.mvExternalFlashGetInfo(h, { ...info, version: 2 });
    const sector = LIMITS.FLASH_ERASE_ADDRESS_ALIGNMENT.value;
    sys.mvExternalFlashEraseBlocking(h, sector + 1, sector);
    sys.mvExternalFlashEraseBlocking(h, sector, sector + 1);
    sys.mvExternalFlashEraseBlocking(h, info.v1.size, sector);
    sys.mvExternalFlashWriteBlocking(h, sector, 4, new Uint8Array([1, 2, 3, 4]));
    const buf = new Uint8Array(6);
    sys.mvExternalFlashReadBlocking(h, sector - 1, 6, buf);
    s.note(`  read ${[...buf].join(',')}`);
    sys.mvExternalFlashEraseBlocking(h, sector, sector);
    sys.mvExternalFlashReadBlocking(h, sector, 4, buf);
    s.note(`  read ${[...buf].join(',')}`);
    sys.mvExternalFlashReadBlocking(h, info.v1.size - 2, 4, buf);
    sys.mvExternalFlashWriteBlocking(h, 0, 8, new Uint8Array(4));
    sys.mvExternalFlashReadBlocking(h, 0, 4, null);
    for (const handle of handles) sys.mvExternalFlashClose(out(handle));
    sys.mvExternalFlashClose(out(h));
    sys.mvExternalFlashReadBlocking(h, 0, 4, buf);
  },
};
