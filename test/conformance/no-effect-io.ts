/**
 * Good calls (see no-effect.test.ts) for the raw-channel, HTTP, config-fetch and flash calls with
 * outputs: each returns arguments of a call that succeeds on the rig as it is now.
 */
import {
  MV_CHANNELTYPE_CONFIGFETCH,
  MV_CHANNELTYPE_HTTP,
  MV_CHANNELTYPE_OPAQUEBYTES,
  MV_CONFIGKEYFETCHSCOPE_DEVICE,
  MV_CONFIGKEYFETCHSTORE_CONFIG,
  MV_STATUS_OKAY,
  newMvConfigResponseData,
  newMvHttpResponseData,
  out,
  statusName,
  type MvChannelHandle,
  type MvChannelType,
  type MvExternalFlashHandle,
  type MvFunctionName,
} from '@mvmqtt/sdk';
import { str } from './support/args.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockRig, type Rig } from './support/rig.js';

type GoodCall = (rig: Rig) => Promise<() => unknown[]>;

function open(r: Rig, type: MvChannelType): MvChannelHandle {
  const params = r.openParams();
  params.v1.channel_type = type;
  const h = out(0 as MvChannelHandle);
  const status = r.sys.mvOpenChannel(params, h);
  if (status !== MV_STATUS_OKAY) throw new Error(`mvOpenChannel returned ${statusName(status)}`);
  return h.value;
}

function flash(r: Rig): MvExternalFlashHandle {
  const h = out(0 as MvExternalFlashHandle);
  const status = r.sys.mvExternalFlashOpen(h);
  if (status !== MV_STATUS_OKAY) throw new Error(`mvExternalFlashOpen returned ${statusName(status)}`);
  return h.value;
}

/** An HTTP channel whose request (to a scheme nobody serves) has been answered. */
async function answeredHttp(r: Rig): Promise<MvChannelHandle> {
  const ch = open(r, MV_CHANNELTYPE_HTTP);
  r.sys.mvSendHttpRequest(ch, { method: str('GET'), url: str('ftp://no-effect.invalid/'), num_headers: 0, headers: null, body: str(''), timeout_ms: 5000 });
  await r.until(() => r.sys.mvReadHttpResponseData(ch, newMvHttpResponseData()) === MV_STATUS_OKAY, 'the HTTP response');
  return ch;
}

/** An HTTP channel whose answer has one header: from a server on 127.0.0.1 (device) or scripted (mock). */
async function answeredWithHeader(r: Rig): Promise<MvChannelHandle> {
  const ch = open(r, MV_CHANNELTYPE_HTTP);
  const server = createServer((_req, res) => res.setHeader('X-No-Effect', '1').end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    r.sys.mvSendHttpRequest(ch, { method: str('GET'), url: str(url), num_headers: 0, headers: null, body: str(''), timeout_ms: 5000 });
    if (r instanceof MockRig) r.mock.channel(ch).answerHttp({ headers: ['X-No-Effect: 1'] });
    await r.until(() => r.sys.mvReadHttpResponseData(ch, newMvHttpResponseData()) === MV_STATUS_OKAY, 'the HTTP response');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  return ch;
}

export const IO_GOOD_CALLS: Partial<Record<MvFunctionName, GoodCall>> = {
  mvReadChannel: async (r) => {
    const ch = open(r, MV_CHANNELTYPE_OPAQUEBYTES);
    return () => [ch, out<Uint8Array | null>(null), out(0)];
  },
  mvWriteChannelStream: async (r) => {
    const ch = open(r, MV_CHANNELTYPE_OPAQUEBYTES);
    return () => [ch, new Uint8Array(4), 4, out(0)];
  },
  mvWriteChannel: async (r) => {
    const ch = open(r, MV_CHANNELTYPE_OPAQUEBYTES);
    return () => [ch, new Uint8Array(4), 4, out(0)];
  },
  mvReadHttpResponseData: async (r) => {
    const ch = await answeredHttp(r);
    return () => [ch, newMvHttpResponseData()];
  },
  mvReadHttpResponseHeader: async (r) => {
    const ch = await answeredWithHeader(r);
    return () => [ch, 0, new Uint8Array(16), 16];
  },
  mvReadHttpResponseBody: async (r) => {
    const ch = await answeredHttp(r);
    return () => [ch, 0, new Uint8Array(16), 16];
  },
  mvReadConfigFetchResponseData: async (r) => {
    const ch = open(r, MV_CHANNELTYPE_CONFIGFETCH);
    r.sys.mvSendConfigFetchRequest(ch, { num_items: 1, keys_to_fetch: [{ scope: MV_CONFIGKEYFETCHSCOPE_DEVICE, store: MV_CONFIGKEYFETCHSTORE_CONFIG, key: str('k') }] });
    await r.until(() => r.sys.mvReadConfigFetchResponseData(ch, newMvConfigResponseData()) === MV_STATUS_OKAY, 'the config answer');
    return () => [ch, newMvConfigResponseData()];
  },
  mvExternalFlashOpen: async () => () => [out(0)],
  mvExternalFlashClose: async (r) => {
    const h = flash(r);
    return () => [out(h)];
  },
  mvExternalFlashReadBlocking: async (r) => {
    const h = flash(r);
    return () => [h, 0, 16, new Uint8Array(16)];
  },
  mvExternalFlashGetInfo: async (r) => {
    const h = flash(r);
    return () => [h, { version: 1, v1: { chip_id: 0, size: 0, num_handles: 0 } }];
  },
};
