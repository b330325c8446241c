/**
 * Provocations for the request/response and raw-byte areas: raw channel I/O, HTTP, config
 * fetch and external flash. Same rules as provocations.ts (well-formed setup, one change).
 */
import {
  MV_CHANNELTYPE_CONFIGFETCH,
  MV_CHANNELTYPE_HTTP,
  MV_CHANNELTYPE_OPAQUEBYTES,
  MV_CONFIGKEYFETCHSCOPE_DEVICE,
  MV_CONFIGKEYFETCHSTORE_CONFIG,
  LIMITS,
  MV_STATUS_OKAY,
  newMvConfigResponseData,
  newMvHttpResponseData,
  out,
  statusName,
  type MvChannelHandle,
  type MvChannelType,
  type MvConfigKeyFetchParams,
  type MvConfigKeyFetchScope,
  type MvConfigKeyFetchStore,
  type MvConfigKeyToFetch,
  type MvConfigResponseReadItemParams,
  type MvExternalFlashHandle,
  type MvExternalFlashInfo,
  type MvHttpRequest,
  type MvSizedString,
  type MvStatus,
  type MvOut,
} from '@mvmqtt/sdk';
import type { Provocation } from './provocations.js';
import { str } from './support/args.js';
import type { ChannelOptions, Rig } from './support/rig.js';

type Rows = Readonly<Record<`MV_STATUS_${string}`, Provocation>>;

/** A pointer that is not one. */
const WILD = 0x1234 as unknown as Uint8Array;
const badString = (length = 4): MvSizedString => ({ data: WILD, length });

function expectOkay(status: MvStatus, what: string): void {
  if (status !== MV_STATUS_OKAY) throw new Error(`setup step ${what} returned ${statusName(status)}`);
}

function open(r: Rig, type: MvChannelType, options: ChannelOptions = {}): MvChannelHandle {
  const params = r.openParams(options);
  params.v1.channel_type = type;
  const h = out(0 as MvChannelHandle);
  expectOkay(r.sys.mvOpenChannel(params, h), 'mvOpenChannel');
  return h.value;
}

/** A channel of `type` that a network loss has closed (its handle stays valid). */
function closed(r: Rig, type: MvChannelType): MvChannelHandle {
  const ch = open(r, type);
  r.loseNetwork();
  return ch;
}

/** A box the kernel may write once (the entry check) and that faults on the next write (the result). */
function faultingBox(): MvOut<number> {
  let value = 0;
  let writes = 0;
  const box = {} as MvOut<number>;
  Object.defineProperty(box, 'value', {
    get: () => value,
    set: (v: number) => {
      if (++writes > 1) throw new TypeError('value is no longer writable');
      value = v;
    },
  });
  return box;
}

// --- raw channels ------------------------------------------------------------------------------

const raw = (r: Rig, options?: ChannelOptions): MvChannelHandle => open(r, MV_CHANNELTYPE_OPAQUEBYTES, options);

function rawRows(call: (r: Rig, ch: MvChannelHandle) => MvStatus): Rows {
  return {
    MV_STATUS_INVALIDHANDLE: { how: 'an MQTT channel, not an opaque-bytes one', run: (r) => call(r, r.channel()) },
    MV_STATUS_CHANNELCLOSED: { how: 'raw channel closed by a network loss', run: (r) => call(r, closed(r, MV_CHANNELTYPE_OPAQUEBYTES)) },
  };
}

// --- HTTP ------------------------------------------------------------------------------------

/** A request that needs no server: its unsupported scheme is reported in the response. */
const offlineRequest = (): MvHttpRequest => ({
  method: str('GET'),
  url: str('ftp://conformance.invalid/'),
  num_headers: 0,
  headers: null,
  body: str(''),
  timeout_ms: 5000,
});

function httpRows(call: (r: Rig, ch: MvChannelHandle) => MvStatus): Rows {
  return {
    MV_STATUS_INVALIDHANDLE: { how: 'an MQTT channel, not an HTTP one', run: (r) => call(r, r.channel()) },
    MV_STATUS_CHANNELCLOSED: { how: 'HTTP channel closed by a network loss', run: (r) => call(r, closed(r, MV_CHANNELTYPE_HTTP)) },
  };
}

/** An HTTP channel whose (offline) request has been answered. */
async function answeredHttp(r: Rig): Promise<MvChannelHandle> {
  const ch = open(r, MV_CHANNELTYPE_HTTP);
  expectOkay(r.sys.mvSendHttpRequest(ch, offlineRequest()), 'mvSendHttpRequest');
  await r.until(() => r.sys.mvReadHttpResponseData(ch, newMvHttpResponseData()) === MV_STATUS_OKAY, 'the HTTP response');
  return ch;
}

// --- config fetch ----------------------------------------------------------------------------

const key = (k: string | MvSizedString, scope = MV_CONFIGKEYFETCHSCOPE_DEVICE as MvConfigKeyFetchScope, store = MV_CONFIGKEYFETCHSTORE_CONFIG as MvConfigKeyFetchStore): MvConfigKeyToFetch => ({
  scope,
  store,
  key: typeof k === 'string' ? str(k) : k,
});
const fetchOf = (keys: MvConfigKeyToFetch[]): MvConfigKeyFetchParams => ({ num_items: keys.length, keys_to_fetch: keys });

function configRows(call: (r: Rig, ch: MvChannelHandle) => MvStatus): Rows {
  return {
    MV_STATUS_INVALIDHANDLE: { how: 'an MQTT channel, not a config-fetch one', run: (r) => call(r, r.channel()) },
    MV_STATUS_CHANNELCLOSED: { how: 'config channel closed by a network loss', run: (r) => call(r, closed(r, MV_CHANNELTYPE_CONFIGFETCH)) },
  };
}

const itemParams = (index = 0): MvConfigResponseReadItemParams => ({
  item_index: index,
  result: out(0) as MvConfigResponseReadItemParams['result'],
  buf: { data: new Uint8Array(64), size: 64, length: out(0) },
});

/** A config channel whose one-key fetch has been answered. */
async function answeredConfig(r: Rig): Promise<MvChannelHandle> {
  const ch = open(r, MV_CHANNELTYPE_CONFIGFETCH);
  expectOkay(r.sys.mvSendConfigFetchRequest(ch, fetchOf([key('broker-host')])), 'mvSendConfigFetchRequest');
  await r.until(() => r.sys.mvReadConfigFetchResponseData(ch, newMvConfigResponseData()) === MV_STATUS_OKAY, 'the config answer');
  return ch;
}

// --- external flash --------------------------------------------------------------------------

function flash(r: Rig): MvExternalFlashHandle {
  const h = out(0 as MvExternalFlashHandle);
  expectOkay(r.sys.mvExternalFlashOpen(h), 'mvExternalFlashOpen');
  return h.value;
}

/** Flash size as the runtime reports it. */
function flashSize(r: Rig, h: MvExternalFlashHandle): number {
  const info: MvExternalFlashInfo = { version: 1, v1: { chip_id: 0, size: 0, num_handles: 0 } };
  expectOkay(r.sys.mvExternalFlashGetInfo(h, info), 'mvExternalFlashGetInfo');
  return info.v1.size;
}

/** `setup` runs in thread mode and returns the call to make from an IRQ handler. */
const fromIsr = (setup: (r: Rig) => () => MvStatus): Provocation => ({ how: 'called from an IRQ handler', run: (r) => r.fromInterrupt(setup(r)) });

export const IO_PROVOCATIONS = {
  mvReadChannel: {
    MV_STATUS_PARAMETERFAULT: { how: 'read_pointer_out = NULL', run: (r) => r.sys.mvReadChannel(raw(r), null, out(0)) },
    ...rawRows((r, ch) => r.sys.mvReadChannel(ch, out<Uint8Array | null>(null), out(0))),
  },
  mvReadChannelComplete: {
    ...rawRows((r, ch) => r.sys.mvReadChannelComplete(ch, 0)),
  },
  mvWriteChannelStream: {
    ...rawRows((r, ch) => r.sys.mvWriteChannelStream(ch, new Uint8Array(4), 4, out(0))),
    MV_STATUS_PARAMETERFAULT: { how: 'data = NULL', run: (r) => r.sys.mvWriteChannelStream(raw(r), null, 4, out(0)) },
    MV_STATUS_LATEFAULT: { how: '`written` faults once the bytes are queued', run: (r) => r.sys.mvWriteChannelStream(raw(r), new Uint8Array(4), 4, faultingBox()) },
  },
  mvWriteChannel: {
    MV_STATUS_INVALIDBUFFERSIZE: {
      how: 'one byte more than the send buffer holds',
      run: (r) => r.sys.mvWriteChannel(raw(r, { tx: new Uint8Array(512) }), new Uint8Array(513), 513, out(0)),
    },
    ...rawRows((r, ch) => r.sys.mvWriteChannel(ch, new Uint8Array(4), 4, out(0))),
    MV_STATUS_PARAMETERFAULT: { how: 'len past the end of data', run: (r) => r.sys.mvWriteChannel(raw(r), new Uint8Array(4), 8, out(0)) },
    MV_STATUS_LATEFAULT: { how: '`available` faults once the bytes are queued', run: (r) => r.sys.mvWriteChannel(raw(r), new Uint8Array(4), 4, faultingBox()) },
  },

  mvSendHttpRequest: {
    MV_STATUS_PARAMETERFAULT: { how: 'request = NULL', run: (r) => r.sys.mvSendHttpRequest(open(r, MV_CHANNELTYPE_HTTP), null) },
    MV_STATUS_LATEFAULT: { how: 'request->url.data is a wild pointer', run: (r) => r.sys.mvSendHttpRequest(open(r, MV_CHANNELTYPE_HTTP), { ...offlineRequest(), url: badString() }) },
    ...httpRows((r, ch) => r.sys.mvSendHttpRequest(ch, offlineRequest())),
    MV_STATUS_INVALIDBUFFERSIZE: {
      how: 'a body larger than the 512-byte send buffer',
      run: (r) => r.sys.mvSendHttpRequest(open(r, MV_CHANNELTYPE_HTTP, { tx: new Uint8Array(512) }), { ...offlineRequest(), method: str('POST'), body: str('x'.repeat(600)) }),
    },
    MV_STATUS_TOOMANYELEMENTS: {
      how: 'one header more than HTTP_REQUEST_HEADERS_MAX',
      run: (r) => {
        const n = LIMITS.HTTP_REQUEST_HEADERS_MAX.value + 1;
        const headers = Array.from({ length: n }, (_, i) => ({ length: 4, data: new TextEncoder().encode(`X-${i}:`).subarray(0, 4) }));
        return r.sys.mvSendHttpRequest(open(r, MV_CHANNELTYPE_HTTP), { ...offlineRequest(), num_headers: n, headers });
      },
    },
    MV_STATUS_REQUESTALREADYSENT: {
      how: 'a second request on the same channel',
      run: (r) => {
        const ch = open(r, MV_CHANNELTYPE_HTTP);
        expectOkay(r.sys.mvSendHttpRequest(ch, offlineRequest()), 'first request');
        return r.sys.mvSendHttpRequest(ch, offlineRequest());
      },
    },
  },
  mvReadHttpResponseData: {
    MV_STATUS_PARAMETERFAULT: { how: 'response_data = NULL', run: (r) => r.sys.mvReadHttpResponseData(open(r, MV_CHANNELTYPE_HTTP), null) },
    ...httpRows((r, ch) => r.sys.mvReadHttpResponseData(ch, newMvHttpResponseData())),
    MV_STATUS_RESPONSENOTPRESENT: { how: 'no request sent', run: (r) => r.sys.mvReadHttpResponseData(open(r, MV_CHANNELTYPE_HTTP), newMvHttpResponseData()) },
  },
  mvReadHttpResponseHeader: {
    MV_STATUS_PARAMETERFAULT: { how: 'buf = NULL', run: (r) => r.sys.mvReadHttpResponseHeader(open(r, MV_CHANNELTYPE_HTTP), 0, null, 16) },
    ...httpRows((r, ch) => r.sys.mvReadHttpResponseHeader(ch, 0, new Uint8Array(16), 16)),
    MV_STATUS_RESPONSENOTPRESENT: { how: 'no request sent', run: (r) => r.sys.mvReadHttpResponseHeader(open(r, MV_CHANNELTYPE_HTTP), 0, new Uint8Array(16), 16) },
    MV_STATUS_INDEXINVALID: {
      how: 'header index 1000 of an answered request',
      run: async (r) => r.sys.mvReadHttpResponseHeader(await answeredHttp(r), 1000, new Uint8Array(16), 16),
    },
  },
  mvReadHttpResponseBody: {
    MV_STATUS_PARAMETERFAULT: { how: 'size past the end of buf', run: (r) => r.sys.mvReadHttpResponseBody(open(r, MV_CHANNELTYPE_HTTP), 0, new Uint8Array(16), 32) },
    ...httpRows((r, ch) => r.sys.mvReadHttpResponseBody(ch, 0, new Uint8Array(16), 16)),
    MV_STATUS_RESPONSENOTPRESENT: { how: 'no request sent', run: (r) => r.sys.mvReadHttpResponseBody(open(r, MV_CHANNELTYPE_HTTP), 0, new Uint8Array(16), 16) },
    MV_STATUS_OFFSETINVALID: {
      how: 'offset past the end of an answered body',
      run: async (r) => r.sys.mvReadHttpResponseBody(await answeredHttp(r), 100_000, new Uint8Array(16), 16),
    },
  },

  mvSendConfigFetchRequest: {
    MV_STATUS_PARAMETERFAULT: { how: 'request = NULL', run: (r) => r.sys.mvSendConfigFetchRequest(open(r, MV_CHANNELTYPE_CONFIGFETCH), null) },
    MV_STATUS_LATEFAULT: {
      how: 'a key whose data is a wild pointer',
      run: (r) => r.sys.mvSendConfigFetchRequest(open(r, MV_CHANNELTYPE_CONFIGFETCH), fetchOf([key(badString())])),
    },
    ...configRows((r, ch) => r.sys.mvSendConfigFetchRequest(ch, fetchOf([key('broker-host')]))),
    MV_STATUS_INVALIDBUFFERSIZE: {
      how: 'eight long keys against a 512-byte send buffer',
      run: (r) =>
        r.sys.mvSendConfigFetchRequest(
          open(r, MV_CHANNELTYPE_CONFIGFETCH, { tx: new Uint8Array(512) }),
          fetchOf(Array.from({ length: LIMITS.CONFIG_KEYS_PER_REQUEST_MAX.value }, (_, i) => key(`${i}`.padEnd(LIMITS.CONFIG_KEY_LENGTH_MAX.value, 'k')))),
        ),
    },
    MV_STATUS_REQUESTALREADYSENT: {
      how: 'a second fetch on the same channel',
      run: (r) => {
        const ch = open(r, MV_CHANNELTYPE_CONFIGFETCH);
        expectOkay(r.sys.mvSendConfigFetchRequest(ch, fetchOf([key('a')])), 'first fetch');
        return r.sys.mvSendConfigFetchRequest(ch, fetchOf([key('a')]));
      },
    },
    MV_STATUS_TOOMANYCONFIGKEYS: {
      how: 'one key more than CONFIG_KEYS_PER_REQUEST_MAX',
      run: (r) => r.sys.mvSendConfigFetchRequest(open(r, MV_CHANNELTYPE_CONFIGFETCH), fetchOf(Array.from({ length: LIMITS.CONFIG_KEYS_PER_REQUEST_MAX.value + 1 }, (_, i) => key(`k${i}`)))),
    },
    MV_STATUS_UNKNOWNCONFIGSTORE: {
      how: 'store 7',
      run: (r) => r.sys.mvSendConfigFetchRequest(open(r, MV_CHANNELTYPE_CONFIGFETCH), fetchOf([key('a', undefined, 7 as MvConfigKeyFetchStore)])),
    },
    MV_STATUS_UNKNOWNCONFIGSCOPE: {
      how: 'scope 7',
      run: (r) => r.sys.mvSendConfigFetchRequest(open(r, MV_CHANNELTYPE_CONFIGFETCH), fetchOf([key('a', 7 as MvConfigKeyFetchScope)])),
    },
    MV_STATUS_INVALIDCONFIGKEY: {
      how: 'a key with a newline',
      run: (r) => r.sys.mvSendConfigFetchRequest(open(r, MV_CHANNELTYPE_CONFIGFETCH), fetchOf([key('a\nb')])),
    },
  },
  mvReadConfigFetchResponseData: {
    MV_STATUS_PARAMETERFAULT: { how: 'response_data = NULL', run: (r) => r.sys.mvReadConfigFetchResponseData(open(r, MV_CHANNELTYPE_CONFIGFETCH), null) },
    ...configRows((r, ch) => r.sys.mvReadConfigFetchResponseData(ch, newMvConfigResponseData())),
    MV_STATUS_RESPONSENOTPRESENT: { how: 'no fetch sent', run: (r) => r.sys.mvReadConfigFetchResponseData(open(r, MV_CHANNELTYPE_CONFIGFETCH), newMvConfigResponseData()) },
  },
  mvReadConfigResponseItem: {
    MV_STATUS_PARAMETERFAULT: { how: 'params->buf.data = NULL', run: (r) => r.sys.mvReadConfigResponseItem(open(r, MV_CHANNELTYPE_CONFIGFETCH), { ...itemParams(), buf: { data: null, size: 64, length: out(0) } }) },
    ...configRows((r, ch) => r.sys.mvReadConfigResponseItem(ch, itemParams())),
    MV_STATUS_RESPONSENOTPRESENT: { how: 'no fetch sent', run: (r) => r.sys.mvReadConfigResponseItem(open(r, MV_CHANNELTYPE_CONFIGFETCH), itemParams()) },
    MV_STATUS_INDEXINVALID: { how: 'item 5 of a one-key answer', run: async (r) => r.sys.mvReadConfigResponseItem(await answeredConfig(r), itemParams(5)) },
  },

  mvExternalFlashOpen: {
    MV_STATUS_UNAVAILABLE: fromIsr((r) => () => r.sys.mvExternalFlashOpen(out(0 as MvExternalFlashHandle))),
    MV_STATUS_PARAMETERFAULT: { how: 'handle = NULL', run: (r) => r.sys.mvExternalFlashOpen(null) },
    MV_STATUS_TOOMANYCHANNELS: {
      how: 'one open more than FLASH_HANDLES_OPEN_MAX',
      run: (r) => {
        for (let i = 0; i < LIMITS.FLASH_HANDLES_OPEN_MAX.value; i++) flash(r);
        return r.sys.mvExternalFlashOpen(out(0 as MvExternalFlashHandle));
      },
    },
  },
  mvExternalFlashClose: {
    MV_STATUS_UNAVAILABLE: fromIsr((r) => {
      const h = out(flash(r));
      return () => r.sys.mvExternalFlashClose(h);
    }),
    MV_STATUS_INVALIDHANDLE: { how: 'a handle closed already', run: (r) => {
      const h = out(flash(r));
      const stale = h.value;
      expectOkay(r.sys.mvExternalFlashClose(h), 'first close');
      return r.sys.mvExternalFlashClose(out(stale));
    } },
  },
  mvExternalFlashReadBlocking: {
    MV_STATUS_UNAVAILABLE: fromIsr((r) => {
      const h = flash(r);
      return () => r.sys.mvExternalFlashReadBlocking(h, 0, 4, new Uint8Array(4));
    }),
    MV_STATUS_PARAMETERFAULT: { how: 'buffer = NULL', run: (r) => r.sys.mvExternalFlashReadBlocking(flash(r), 0, 4, null) },
    MV_STATUS_INVALIDHANDLE: { how: 'handle 0', run: (r) => r.sys.mvExternalFlashReadBlocking(0 as MvExternalFlashHandle, 0, 4, new Uint8Array(4)) },
    MV_STATUS_ADDRESSOUTOFRANGE: {
      how: 'the last byte of the flash plus one',
      run: (r) => {
        const h = flash(r);
        return r.sys.mvExternalFlashReadBlocking(h, flashSize(r, h) - 1, 2, new Uint8Array(2));
      },
    },
  },
  mvExternalFlashEraseBlocking: {
    MV_STATUS_UNAVAILABLE: fromIsr((r) => {
      const h = flash(r);
      return () => r.sys.mvExternalFlashEraseBlocking(h, 0, 4096);
    }),
    MV_STATUS_PARAMETERFAULT: { how: 'length is not a 32-bit value', run: (r) => r.sys.mvExternalFlashEraseBlocking(flash(r), 0, -1) },
    MV_STATUS_INVALIDHANDLE: { how: 'handle 0', run: (r) => r.sys.mvExternalFlashEraseBlocking(0 as MvExternalFlashHandle, 0, 4096) },
    MV_STATUS_ADDRESSOUTOFRANGE: {
      how: 'one sector past the end',
      run: (r) => {
        const h = flash(r);
        return r.sys.mvExternalFlashEraseBlocking(h, flashSize(r, h), 4096);
      },
    },
    MV_STATUS_INVALIDBUFFERALIGNMENT: { how: 'address 1', run: (r) => r.sys.mvExternalFlashEraseBlocking(flash(r), 1, 4096) },
  },
  mvExternalFlashWriteBlocking: {
    MV_STATUS_UNAVAILABLE: fromIsr((r) => {
      const h = flash(r);
      return () => r.sys.mvExternalFlashWriteBlocking(h, 0, 4, new Uint8Array(4));
    }),
    MV_STATUS_PARAMETERFAULT: { how: 'length past the end of buffer', run: (r) => r.sys.mvExternalFlashWriteBlocking(flash(r), 0, 8, new Uint8Array(4)) },
    MV_STATUS_INVALIDHANDLE: { how: 'handle 0', run: (r) => r.sys.mvExternalFlashWriteBlocking(0 as MvExternalFlashHandle, 0, 4, new Uint8Array(4)) },
    MV_STATUS_ADDRESSOUTOFRANGE: {
      how: 'four bytes from the last byte of the flash',
      run: (r) => {
        const h = flash(r);
        return r.sys.mvExternalFlashWriteBlocking(h, flashSize(r, h) - 1, 4, new Uint8Array(4));
      },
    },
  },
  mvExternalFlashGetInfo: {
    MV_STATUS_UNAVAILABLE: fromIsr((r) => {
      const h = flash(r);
      return () => r.sys.mvExternalFlashGetInfo(h, { version: 1, v1: { chip_id: 0, size: 0, num_handles: 0 } });
    }),
    MV_STATUS_PARAMETERFAULT: { how: 'info = NULL', run: (r) => r.sys.mvExternalFlashGetInfo(flash(r), null) },
    MV_STATUS_INVALIDHANDLE: { how: 'handle 0', run: (r) => r.sys.mvExternalFlashGetInfo(0 as MvExternalFlashHandle, { version: 1, v1: { chip_id: 0, size: 0, num_handles: 0 } }) },
    MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION: {
      how: 'info->version = 2',
      run: (r) => r.sys.mvExternalFlashGetInfo(flash(r), { version: 2, v1: { chip_id: 0, size: 0, num_handles: 0 } }),
    },
  },
} satisfies Record<string, Rows>;
