/**
 * How to provoke each (function, status) row of the spec's error tables, written once against
 * the rig and run on the device core and on the mock. Each provocation sets up what it needs
 * from well-formed arguments, changes one thing, and returns the status of the call that should
 * give the row's status. The suite derives its cases from the spec: a row with no entry here and
 * no waiver in the spec fails.
 */
import {
  LIMITS,
  MV_MQTTAUTHENTICATIONMETHOD_USERNAMEPASSWORD,
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_MESSAGELOST,
  MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED,
  MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE,
  MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE,
  MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE,
  MV_STATUS_OKAY,
  newMvMqttConnectResponse,
  newMvMqttDisconnectResponse,
  newMvMqttPublishResponse,
  out,
  statusName,
  type MvChannelHandle,
  type MvClosureReason,
  type MvFunctionName,
  type MvMqttConnectRequest,
  type MvMqttReadableDataType,
  type MvNetworkHandle,
  type MvNetworkStatus,
  type MvNotificationHandle,
  type MvSizedString,
  type MvStatus,
} from '@mvmqtt/sdk';
import { connectRequest, lostInfo, messageBuffers, publishRequest, readOnlyBox, str, subscribeRequest, topicsResponse, typeBox, unsubscribeRequest } from './support/args.js';
import type { Rig } from './support/rig.js';
import { IO_PROVOCATIONS } from './provocations-io.js';
import { CORE_PROVOCATIONS } from './provocations-core.js';

export interface Provocation {
  /** What the provocation does, in a few words (printed with the results). */
  how: string;
  run(rig: Rig): MvStatus | Promise<MvStatus>;
}

type StatusName = `MV_STATUS_${string}`;
export type ProvocationTable = { readonly [F in MvFunctionName]: Readonly<Record<StatusName, Provocation>> };

/** A pointer that is not one: what a wild pointer looks like in TypeScript. */
const WILD = 0x1234 as unknown as Uint8Array;
const badString = (length = 4): MvSizedString => ({ data: WILD, length });

/** A topic one byte longer than MQTT_TOPIC_LENGTH_MAX. */
const tooLongTopic = (): string => 'a'.repeat(LIMITS.MQTT_TOPIC_LENGTH_MAX.value + 1);

let uniqueIrq = 1000;
/** An IRQ line inside the spec's usable range, different for each call of a provocation. */
function irq(n: number): number {
  return LIMITS.NOTIFICATION_IRQ_RANGE.min + (n % (LIMITS.NOTIFICATION_IRQ_RANGE.max - LIMITS.NOTIFICATION_IRQ_RANGE.min + 1));
}

/**
 * A response struct whose `field` can be written once (the kernel's check that the output is
 * writable) and faults on the next write (the result itself): the fault comes after the item
 * has left the queue. The struct has no nested pointers, so this is the only way to get there.
 */
function faultsAfterCheck<T extends object>(struct: T, field: keyof T & string): T {
  let value = (struct as Record<string, unknown>)[field];
  let writes = 0;
  Object.defineProperty(struct, field, {
    get: () => value,
    set: (v: unknown) => {
      if (++writes > 1) throw new TypeError(`${field} is no longer writable`);
      value = v;
    },
  });
  return struct;
}

function expectOkay(status: MvStatus, what: string): void {
  if (status !== MV_STATUS_OKAY) throw new Error(`setup step ${what} returned ${statusName(status)}`);
}

/** A channel the network loss has closed (the handle stays valid). */
function closedChannel(r: Rig): MvChannelHandle {
  const ch = r.channel();
  r.loseNetwork();
  return ch;
}

function connectTo(r: Rig, clientId = `conformance-${process.pid}-${uniqueIrq++}`): MvMqttConnectRequest {
  return connectRequest(r.broker, clientId);
}

/** A channel whose next unread item is of `type`, made by a request that needs no broker (answered NOTCONNECTED). */
async function channelWith(r: Rig, type: MvMqttReadableDataType, request: (ch: MvChannelHandle) => MvStatus): Promise<MvChannelHandle> {
  const ch = r.channel();
  expectOkay(request(ch), 'request');
  await r.waitFor(ch, type);
  return ch;
}

/** A connected channel, subscribed to a topic, on which a message from outside has arrived. */
async function channelWithMessage(r: Rig, type: MvMqttReadableDataType, payloadBytes: number, rxBytes = 4096): Promise<MvChannelHandle> {
  const ch = await r.connected({ rx: new Uint8Array(rxBytes) });
  const topic = `conformance/${r.name}/${uniqueIrq++}`;
  await r.subscribe(ch, topic);
  await r.publishFromOutside(ch, topic, new Uint8Array(payloadBytes).fill(0x61), 1);
  await r.waitFor(ch, type);
  return ch;
}

/** The rows every call on an MQTT channel shares: a handle that names nothing, and a closed channel. */
function channelRows(call: (r: Rig, ch: MvChannelHandle) => MvStatus): Record<'MV_STATUS_INVALIDHANDLE' | 'MV_STATUS_CHANNELCLOSED', Provocation> {
  return {
    MV_STATUS_INVALIDHANDLE: { how: 'handle 0', run: (r) => call(r, 0 as MvChannelHandle) },
    MV_STATUS_CHANNELCLOSED: { how: 'channel closed by a network loss', run: (r) => call(r, closedChannel(r)) },
  };
}

const connectWith = (r: Rig, change: (req: MvMqttConnectRequest) => void): MvStatus => {
  const req = connectTo(r);
  change(req);
  return r.sys.mvMqttRequestConnect(r.channel(), req);
};

export const PROVOCATIONS: ProvocationTable = {
  ...IO_PROVOCATIONS,
  ...CORE_PROVOCATIONS,
  mvSetupNotifications: {
    MV_STATUS_PARAMETERFAULT: { how: 'notifications = NULL', run: (r) => r.sys.mvSetupNotifications(null, out(0 as MvNotificationHandle)) },
    MV_STATUS_INVALIDBUFFERSIZE: {
      how: 'buffer_size not a multiple of the record size',
      run: (r) => r.sys.mvSetupNotifications({ irq: irq(1), buffer: new Uint8Array(64), buffer_size: LIMITS.NOTIFICATION_BUFFER_SIZE_MIN.value + 4 }, out(0 as MvNotificationHandle)),
    },
    MV_STATUS_BUFFERALREADYINUSE: {
      how: 'the same buffer for two centres',
      run: (r) => {
        const buffer = new Uint8Array(64);
        expectOkay(r.sys.mvSetupNotifications({ irq: irq(1), buffer, buffer_size: 64 }, out(0 as MvNotificationHandle)), 'first centre');
        return r.sys.mvSetupNotifications({ irq: irq(2), buffer, buffer_size: 64 }, out(0 as MvNotificationHandle));
      },
    },
    MV_STATUS_INVALIDINTERRUPT: {
      how: 'an IRQ another centre uses',
      run: (r) => {
        expectOkay(r.sys.mvSetupNotifications({ irq: irq(1), buffer: new Uint8Array(64), buffer_size: 64 }, out(0 as MvNotificationHandle)), 'first centre');
        return r.sys.mvSetupNotifications({ irq: irq(1), buffer: new Uint8Array(64), buffer_size: 64 }, out(0 as MvNotificationHandle));
      },
    },
    MV_STATUS_TOOMANYNOTIFICATIONBUFFERS: {
      how: 'one centre more than NOTIFICATION_BUFFERS_MAX',
      run: (r) => {
        for (let i = 0; i < LIMITS.NOTIFICATION_BUFFERS_MAX.value; i++) r.centre();
        return r.sys.mvSetupNotifications({ irq: irq(LIMITS.NOTIFICATION_BUFFERS_MAX.value), buffer: new Uint8Array(64), buffer_size: 64 }, out(0 as MvNotificationHandle));
      },
    },
  },

  mvCloseNotifications: {
    MV_STATUS_PARAMETERFAULT: { how: 'handle_in_out = NULL', run: (r) => r.sys.mvCloseNotifications(null) },
    MV_STATUS_INVALIDHANDLE: { how: '*handle_in_out = 0', run: (r) => r.sys.mvCloseNotifications(out(0 as MvNotificationHandle)) },
  },

  mvRequestNetwork: {
    MV_STATUS_PARAMETERFAULT: { how: 'params = NULL', run: (r) => r.sys.mvRequestNetwork(null, out(0 as MvNetworkHandle)) },
    MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION: {
      how: 'params->version = 2',
      run: (r) => r.sys.mvRequestNetwork({ version: 2, v1: { notification_handle: r.centre(), notification_tag: 1 } }, out(0 as MvNetworkHandle)),
    },
  },

  mvReleaseNetwork: {
    MV_STATUS_PARAMETERFAULT: { how: 'handle = NULL', run: (r) => r.sys.mvReleaseNetwork(null) },
    MV_STATUS_INVALIDHANDLE: { how: '*handle = 0', run: (r) => r.sys.mvReleaseNetwork(out(0 as MvNetworkHandle)) },
    MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION: {
      how: 'no condition is documented: forced on the mock',
      run: (r) => {
        r.force('mvReleaseNetwork', 'MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION');
        return r.sys.mvReleaseNetwork(out(r.network()));
      },
    },
  },

  mvGetNetworkStatus: {
    MV_STATUS_PARAMETERFAULT: { how: 'status = NULL', run: (r) => r.sys.mvGetNetworkStatus(r.network(), null) },
    MV_STATUS_INVALIDHANDLE: { how: 'handle 0', run: (r) => r.sys.mvGetNetworkStatus(0 as MvNetworkHandle, out(0 as MvNetworkStatus)) },
  },

  mvGetNetworkReasons: {
    MV_STATUS_PARAMETERFAULT: { how: 'reasons = NULL', run: (r) => r.sys.mvGetNetworkReasons(null, out(0)) },
  },

  mvOpenChannel: {
    MV_STATUS_PARAMETERFAULT: { how: 'params = NULL', run: (r) => r.sys.mvOpenChannel(null, out(0 as MvChannelHandle)) },
    MV_STATUS_INVALIDHANDLE: {
      how: 'notification_handle 0',
      run: (r) => {
        const p = r.openParams();
        p.v1.notification_handle = 0 as MvNotificationHandle;
        return r.sys.mvOpenChannel(p, out(0 as MvChannelHandle));
      },
    },
    MV_STATUS_INVALIDBUFFERALIGNMENT: {
      how: 'send_buffer off its alignment by half',
      run: (r) => {
        const align = LIMITS.CHANNEL_SEND_BUFFER_ALIGNMENT.value;
        const p = r.openParams({ tx: new Uint8Array(3 * align).subarray(align / 2, align / 2 + 2 * align) });
        return r.sys.mvOpenChannel(p, out(0 as MvChannelHandle));
      },
    },
    MV_STATUS_INVALIDBUFFERSIZE: {
      how: 'receive_buffer_len not a multiple of CHANNEL_BUFFER_SIZE_MULTIPLE',
      run: (r) => {
        const p = r.openParams();
        p.v1.receive_buffer_len = LIMITS.CHANNEL_BUFFER_SIZE_MULTIPLE.value + 1;
        return r.sys.mvOpenChannel(p, out(0 as MvChannelHandle));
      },
    },
    MV_STATUS_UNKNOWNCHANNELENDPOINT: {
      how: 'an endpoint nobody configured',
      run: (r) => {
        const p = r.openParams();
        p.v1.endpoint = str('no-such-endpoint');
        return r.sys.mvOpenChannel(p, out(0 as MvChannelHandle));
      },
    },
    MV_STATUS_UNKNOWNCHANNELTYPE: {
      how: 'channel_type not an MvChannelType',
      run: (r) => {
        const p = r.openParams();
        p.v1.channel_type = 0x7f as never;
        return r.sys.mvOpenChannel(p, out(0 as MvChannelHandle));
      },
    },
    MV_STATUS_NETWORKNOTCONNECTED: {
      how: 'open while the network is down',
      run: (r) => {
        const p = r.openParams();
        r.loseNetwork();
        return r.sys.mvOpenChannel(p, out(0 as MvChannelHandle));
      },
    },
    MV_STATUS_RATELIMITED: {
      how: 'CHANNEL_OPEN_RATE opens (each closed again) within its window, then one more',
      run: (r) => {
        for (let i = 0; i < LIMITS.CHANNEL_OPEN_RATE.value; i++) expectOkay(r.sys.mvCloseChannel(out(r.channel())), 'mvCloseChannel');
        return r.sys.mvOpenChannel(r.openParams(), out(0 as MvChannelHandle));
      },
    },
    MV_STATUS_UNAVAILABLE: {
      how: 'injected on the device core, forced on the mock',
      run: (r) => {
        const p = r.openParams();
        r.openChannelUnavailable();
        return r.sys.mvOpenChannel(p, out(0 as MvChannelHandle));
      },
    },
    MV_STATUS_TOOMANYCHANNELS: {
      how: 'one channel more than CHANNELS_OPEN_MAX',
      run: (r) => {
        for (let i = 0; i < LIMITS.CHANNELS_OPEN_MAX.value; i++) r.channel();
        return r.sys.mvOpenChannel(r.openParams(), out(0 as MvChannelHandle));
      },
    },
  },

  mvCloseChannel: {
    MV_STATUS_PARAMETERFAULT: { how: 'handle = NULL', run: (r) => r.sys.mvCloseChannel(null) },
    MV_STATUS_INVALIDHANDLE: { how: '*handle = 0', run: (r) => r.sys.mvCloseChannel(out(0 as MvChannelHandle)) },
  },

  mvGetChannelClosureReason: {
    MV_STATUS_PARAMETERFAULT: { how: 'reason_out = NULL', run: (r) => r.sys.mvGetChannelClosureReason(r.channel(), null) },
    MV_STATUS_INVALIDHANDLE: { how: 'handle 0', run: (r) => r.sys.mvGetChannelClosureReason(0 as MvChannelHandle, out(0 as MvClosureReason)) },
  },

  mvMqttGetNextReadableDataType: {
    MV_STATUS_PARAMETERFAULT: { how: 'data_type = NULL', run: (r) => r.sys.mvMqttGetNextReadableDataType(r.channel(), null) },
    ...channelRows((r, ch) => r.sys.mvMqttGetNextReadableDataType(ch, typeBox())),
  },

  mvMqttRequestConnect: {
    MV_STATUS_PARAMETERFAULT: { how: 'request = NULL', run: (r) => r.sys.mvMqttRequestConnect(r.channel(), null) },
    MV_STATUS_LATEFAULT: { how: 'request->host.data is a wild pointer', run: (r) => connectWith(r, (req) => (req.host = badString())) },
    ...channelRows((r, ch) => r.sys.mvMqttRequestConnect(ch, connectTo(r))),
    MV_STATUS_REQUESTALREADYSENT: {
      how: 'a second connect on the same channel',
      run: (r) => {
        const ch = r.channel();
        expectOkay(r.sys.mvMqttRequestConnect(ch, connectTo(r)), 'first connect');
        return r.sys.mvMqttRequestConnect(ch, connectTo(r));
      },
    },
    MV_STATUS_INVALIDAUTHENTICATION: {
      how: 'username/password and a client key',
      run: (r) =>
        connectWith(r, (req) => {
          req.authentication = { method: MV_MQTTAUTHENTICATIONMETHOD_USERNAMEPASSWORD, username_password: { username: str('user'), password: str('secret') } };
          req.tls_credentials = { cacert: { num_certs: 0, certs: null }, clientcert: { chain: { num_certs: 1, certs: [str('certificate')] }, key: str('key') } };
        }),
    },
    MV_STATUS_TOOMANYELEMENTS: {
      how: 'one CA certificate more than TLS_CERTIFICATES_PER_CHAIN_MAX',
      run: (r) =>
        connectWith(r, (req) => {
          const n = LIMITS.TLS_CERTIFICATES_PER_CHAIN_MAX.value + 1;
          req.tls_credentials = {
            cacert: { num_certs: n, certs: Array.from({ length: n }, () => str('certificate')) },
            clientcert: { chain: { num_certs: 0, certs: null }, key: { data: null, length: 0 } },
          };
        }),
    },
    MV_STATUS_REQUIREDELEMENTMISSING: { how: 'request->host is empty', run: (r) => connectWith(r, (req) => (req.host = str(''))) },
  },

  mvMqttReadConnectResponse: {
    MV_STATUS_PARAMETERFAULT: { how: 'response_data = NULL', run: (r) => r.sys.mvMqttReadConnectResponse(r.channel(), null) },
    MV_STATUS_LATEFAULT: {
      how: 'a connect response read into a struct that faults once checked',
      run: async (r) => {
        const ch = await channelWith(r, MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE, (c) => r.sys.mvMqttRequestConnect(c, connectTo(r)));
        return r.sys.mvMqttReadConnectResponse(ch, faultsAfterCheck(newMvMqttConnectResponse(), 'request_state'));
      },
    },
    ...channelRows((r, ch) => r.sys.mvMqttReadConnectResponse(ch, newMvMqttConnectResponse())),
    MV_STATUS_WRONGDATAREQUESTED: { how: 'nothing queued', run: (r) => r.sys.mvMqttReadConnectResponse(r.channel(), newMvMqttConnectResponse()) },
  },

  mvMqttRequestSubscribe: {
    MV_STATUS_PARAMETERFAULT: { how: 'request = NULL', run: (r) => r.sys.mvMqttRequestSubscribe(r.channel(), null) },
    MV_STATUS_LATEFAULT: {
      how: 'the second topic is a wild pointer',
      run: (r) => {
        const req = subscribeRequest(['a', 'b']);
        req.subscriptions![1].topic = badString();
        return r.sys.mvMqttRequestSubscribe(r.channel(), req);
      },
    },
    ...channelRows((r, ch) => r.sys.mvMqttRequestSubscribe(ch, subscribeRequest(['a']))),
    MV_STATUS_RATELIMITED: {
      how: 'MQTT_SUBSCRIBES_IN_FLIGHT_MAX subscribes whose answers are unread, then one more',
      run: (r) => {
        const ch = r.channel();
        for (let i = 0; i < LIMITS.MQTT_SUBSCRIBES_IN_FLIGHT_MAX.value; i++) expectOkay(r.sys.mvMqttRequestSubscribe(ch, subscribeRequest(['a'])), 'subscribe');
        return r.sys.mvMqttRequestSubscribe(ch, subscribeRequest(['a']));
      },
    },
    MV_STATUS_TOOMANYELEMENTS: {
      how: 'one topic more than MQTT_TOPICS_PER_REQUEST_MAX',
      run: (r) => r.sys.mvMqttRequestSubscribe(r.channel(), subscribeRequest(Array.from({ length: LIMITS.MQTT_TOPICS_PER_REQUEST_MAX.value + 1 }, (_, i) => `t${i}`))),
    },
    MV_STATUS_INPUTTOOLONG: {
      how: 'the second filter is one byte longer than MQTT_TOPIC_LENGTH_MAX',
      run: (r) => r.sys.mvMqttRequestSubscribe(r.channel(), subscribeRequest(['a', tooLongTopic()])),
    },
  },

  mvMqttReadSubscribeResponse: {
    MV_STATUS_PARAMETERFAULT: { how: 'response_data = NULL', run: (r) => r.sys.mvMqttReadSubscribeResponse(r.channel(), null) },
    MV_STATUS_LATEFAULT: {
      how: 'request_state points to read-only memory',
      run: async (r) => {
        const ch = await channelWith(r, MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE, (c) => r.sys.mvMqttRequestSubscribe(c, subscribeRequest(['a'])));
        const { response } = topicsResponse(4);
        response.request_state = readOnlyBox(response.request_state!.value);
        return r.sys.mvMqttReadSubscribeResponse(ch, response);
      },
    },
    ...channelRows((r, ch) => r.sys.mvMqttReadSubscribeResponse(ch, topicsResponse(4).response)),
    MV_STATUS_INVALIDBUFFERSIZE: {
      how: 'room for one reason code, two topics subscribed at the broker',
      run: async (r) => {
        const ch = await r.connected();
        expectOkay(r.sys.mvMqttRequestSubscribe(ch, subscribeRequest(['conformance/x', 'conformance/y'])), 'subscribe');
        await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE);
        return r.sys.mvMqttReadSubscribeResponse(ch, topicsResponse(1).response);
      },
    },
    MV_STATUS_WRONGDATAREQUESTED: { how: 'nothing queued', run: (r) => r.sys.mvMqttReadSubscribeResponse(r.channel(), topicsResponse(4).response) },
  },

  mvMqttRequestUnsubscribe: {
    MV_STATUS_PARAMETERFAULT: { how: 'request = NULL', run: (r) => r.sys.mvMqttRequestUnsubscribe(r.channel(), null) },
    MV_STATUS_LATEFAULT: {
      how: 'num_topics runs past the end of the topics array',
      run: (r) => r.sys.mvMqttRequestUnsubscribe(r.channel(), { correlation_id: 1, topics: [str('a')], num_topics: 2 }),
    },
    ...channelRows((r, ch) => r.sys.mvMqttRequestUnsubscribe(ch, unsubscribeRequest(['a']))),
    MV_STATUS_RATELIMITED: {
      how: 'MQTT_UNSUBSCRIBES_IN_FLIGHT_MAX unsubscribes whose answers are unread, then one more',
      run: (r) => {
        const ch = r.channel();
        for (let i = 0; i < LIMITS.MQTT_UNSUBSCRIBES_IN_FLIGHT_MAX.value; i++) expectOkay(r.sys.mvMqttRequestUnsubscribe(ch, unsubscribeRequest(['a'])), 'unsubscribe');
        return r.sys.mvMqttRequestUnsubscribe(ch, unsubscribeRequest(['a']));
      },
    },
    MV_STATUS_TOOMANYELEMENTS: {
      how: 'one topic more than MQTT_TOPICS_PER_REQUEST_MAX',
      run: (r) => r.sys.mvMqttRequestUnsubscribe(r.channel(), unsubscribeRequest(Array.from({ length: LIMITS.MQTT_TOPICS_PER_REQUEST_MAX.value + 1 }, (_, i) => `t${i}`))),
    },
    MV_STATUS_INPUTTOOLONG: {
      how: 'a filter one byte longer than MQTT_TOPIC_LENGTH_MAX',
      run: (r) => r.sys.mvMqttRequestUnsubscribe(r.channel(), unsubscribeRequest([tooLongTopic()])),
    },
  },

  mvMqttReadUnsubscribeResponse: {
    MV_STATUS_PARAMETERFAULT: { how: 'response_data = NULL', run: (r) => r.sys.mvMqttReadUnsubscribeResponse(r.channel(), null) },
    MV_STATUS_LATEFAULT: {
      how: 'reason_codes_len points to read-only memory',
      run: async (r) => {
        const ch = await channelWith(r, MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE, (c) => r.sys.mvMqttRequestUnsubscribe(c, unsubscribeRequest(['a'])));
        const { response } = topicsResponse(4);
        response.reason_codes_len = readOnlyBox(0);
        return r.sys.mvMqttReadUnsubscribeResponse(ch, response);
      },
    },
    ...channelRows((r, ch) => r.sys.mvMqttReadUnsubscribeResponse(ch, topicsResponse(4).response)),
    MV_STATUS_INVALIDBUFFERSIZE: {
      how: 'room for one reason code, two topics unsubscribed at the broker',
      run: async (r) => {
        const ch = await r.connected();
        expectOkay(r.sys.mvMqttRequestUnsubscribe(ch, unsubscribeRequest(['conformance/x', 'conformance/y'])), 'unsubscribe');
        await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE);
        return r.sys.mvMqttReadUnsubscribeResponse(ch, topicsResponse(1).response);
      },
    },
    MV_STATUS_WRONGDATAREQUESTED: { how: 'nothing queued', run: (r) => r.sys.mvMqttReadUnsubscribeResponse(r.channel(), topicsResponse(4).response) },
  },

  mvMqttRequestPublish: {
    MV_STATUS_PARAMETERFAULT: { how: 'request = NULL', run: (r) => r.sys.mvMqttRequestPublish(r.channel(), null) },
    MV_STATUS_LATEFAULT: {
      how: 'request->payload.data is a wild pointer',
      run: (r) => {
        const req = publishRequest('a', 'x');
        req.payload = badString();
        return r.sys.mvMqttRequestPublish(r.channel(), req);
      },
    },
    ...channelRows((r, ch) => r.sys.mvMqttRequestPublish(ch, publishRequest('a', 'x'))),
    MV_STATUS_RATELIMITED: {
      how: 'MQTT_PUBLISHES_IN_FLIGHT_MAX publishes whose answers are unread, then one more',
      run: (r) => {
        const ch = r.channel();
        for (let i = 0; i < LIMITS.MQTT_PUBLISHES_IN_FLIGHT_MAX.value; i++) expectOkay(r.sys.mvMqttRequestPublish(ch, publishRequest('a', 'x')), 'publish');
        return r.sys.mvMqttRequestPublish(ch, publishRequest('a', 'x'));
      },
    },
    MV_STATUS_INPUTTOOLONG: {
      how: 'a topic one byte longer than MQTT_TOPIC_LENGTH_MAX',
      run: (r) => r.sys.mvMqttRequestPublish(r.channel(), publishRequest(tooLongTopic(), 'x')),
    },
  },

  mvMqttReadPublishResponse: {
    MV_STATUS_PARAMETERFAULT: { how: 'response_data = NULL', run: (r) => r.sys.mvMqttReadPublishResponse(r.channel(), null) },
    MV_STATUS_LATEFAULT: {
      how: 'a publish response read into a struct that faults once checked',
      run: async (r) => {
        const ch = await channelWith(r, MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE, (c) => r.sys.mvMqttRequestPublish(c, publishRequest('a', 'x')));
        return r.sys.mvMqttReadPublishResponse(ch, faultsAfterCheck(newMvMqttPublishResponse(), 'request_state'));
      },
    },
    ...channelRows((r, ch) => r.sys.mvMqttReadPublishResponse(ch, newMvMqttPublishResponse())),
    MV_STATUS_WRONGDATAREQUESTED: { how: 'nothing queued', run: (r) => r.sys.mvMqttReadPublishResponse(r.channel(), newMvMqttPublishResponse()) },
  },

  mvMqttReceiveMessage: {
    MV_STATUS_PARAMETERFAULT: { how: 'message_data = NULL', run: (r) => r.sys.mvMqttReceiveMessage(r.channel(), null) },
    MV_STATUS_LATEFAULT: {
      how: 'a message from the broker, qos points to read-only memory',
      run: async (r) => {
        const ch = await channelWithMessage(r, MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED, 8);
        const m = messageBuffers();
        m.qos = readOnlyBox(0);
        return r.sys.mvMqttReceiveMessage(ch, m);
      },
    },
    ...channelRows((r, ch) => r.sys.mvMqttReceiveMessage(ch, messageBuffers())),
    MV_STATUS_INVALIDBUFFERSIZE: {
      how: 'a message from the broker, a one-byte topic buffer',
      run: async (r) => r.sys.mvMqttReceiveMessage(await channelWithMessage(r, MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED, 8), messageBuffers(1)),
    },
    MV_STATUS_WRONGDATAREQUESTED: { how: 'nothing queued', run: (r) => r.sys.mvMqttReceiveMessage(r.channel(), messageBuffers()) },
  },

  mvMqttReceiveLostMessageInfo: {
    MV_STATUS_PARAMETERFAULT: { how: 'lost_message_info = NULL', run: (r) => r.sys.mvMqttReceiveLostMessageInfo(r.channel(), null) },
    MV_STATUS_LATEFAULT: {
      how: 'a message bigger than the receive buffer, message_len points to read-only memory',
      run: async (r) => {
        const ch = await channelWithMessage(r, MV_MQTTREADABLEDATATYPE_MESSAGELOST, 2 * LIMITS.CHANNEL_BUFFER_SIZE_MIN.value, LIMITS.CHANNEL_BUFFER_SIZE_MIN.value);
        const info = lostInfo();
        info.message_len = readOnlyBox(0);
        return r.sys.mvMqttReceiveLostMessageInfo(ch, info);
      },
    },
    ...channelRows((r, ch) => r.sys.mvMqttReceiveLostMessageInfo(ch, lostInfo())),
    MV_STATUS_INVALIDBUFFERSIZE: {
      how: 'a message bigger than the receive buffer, a one-byte topic buffer',
      run: async (r) => {
        const ch = await channelWithMessage(r, MV_MQTTREADABLEDATATYPE_MESSAGELOST, 2 * LIMITS.CHANNEL_BUFFER_SIZE_MIN.value, LIMITS.CHANNEL_BUFFER_SIZE_MIN.value);
        return r.sys.mvMqttReceiveLostMessageInfo(ch, lostInfo(1));
      },
    },
    MV_STATUS_WRONGDATAREQUESTED: { how: 'nothing queued', run: (r) => r.sys.mvMqttReceiveLostMessageInfo(r.channel(), lostInfo()) },
  },

  mvMqttAcknowledgeMessage: {
    ...channelRows((r, ch) => r.sys.mvMqttAcknowledgeMessage(ch, 1)),
    MV_STATUS_RATELIMITED: {
      how: 'MQTT_ACKNOWLEDGEMENTS_IN_FLIGHT_MAX + 1 QoS 1 messages acknowledged at once behind a large publish',
      run: async (r) => {
        const n = LIMITS.MQTT_ACKNOWLEDGEMENTS_IN_FLIGHT_MAX.value + 1;
        const ch = await r.connected({ rx: new Uint8Array(16 * 1024), tx: new Uint8Array(1024) });
        const topic = `conformance/${r.name}/acks/${uniqueIrq++}`;
        await r.subscribe(ch, topic);
        const ids: number[] = [];
        for (let i = 0; i < n; i++) {
          await r.publishFromOutside(ch, topic, new Uint8Array([i]), 1);
          await r.waitFor(ch, MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED);
          const m = messageBuffers();
          expectOkay(r.sys.mvMqttReceiveMessage(ch, m), 'mvMqttReceiveMessage');
          ids.push(m.correlation_id!.value);
        }
        // A large message ahead of the acknowledgements keeps them waiting for the socket.
        expectOkay(r.sys.mvMqttRequestPublish(ch, publishRequest(`${topic}/bulk`, new Uint8Array(8 * 1024 * 1024))), 'bulk publish');
        let status: MvStatus = MV_STATUS_OKAY;
        for (const id of ids) if ((status = r.sys.mvMqttAcknowledgeMessage(ch, id)) !== MV_STATUS_OKAY) break;
        return status;
      },
    },
  },

  mvMqttRequestDisconnect: {
    ...channelRows((r, ch) => r.sys.mvMqttRequestDisconnect(ch)),
    MV_STATUS_RATELIMITED: {
      how: 'MQTT_DISCONNECTS_IN_FLIGHT_MAX disconnects whose answers are unread, then one more',
      run: (r) => {
        const ch = r.channel();
        for (let i = 0; i < LIMITS.MQTT_DISCONNECTS_IN_FLIGHT_MAX.value; i++) expectOkay(r.sys.mvMqttRequestDisconnect(ch), 'disconnect');
        return r.sys.mvMqttRequestDisconnect(ch);
      },
    },
  },

  mvMqttReadDisconnectResponse: {
    MV_STATUS_PARAMETERFAULT: { how: 'response_data = NULL', run: (r) => r.sys.mvMqttReadDisconnectResponse(r.channel(), null) },
    MV_STATUS_LATEFAULT: {
      how: 'a disconnect response read into a struct that faults once checked',
      run: async (r) => {
        const ch = await channelWith(r, MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE, (c) => r.sys.mvMqttRequestDisconnect(c));
        return r.sys.mvMqttReadDisconnectResponse(ch, faultsAfterCheck(newMvMqttDisconnectResponse(), 'request_state'));
      },
    },
    ...channelRows((r, ch) => r.sys.mvMqttReadDisconnectResponse(ch, newMvMqttDisconnectResponse())),
    MV_STATUS_WRONGDATAREQUESTED: { how: 'nothing queued', run: (r) => r.sys.mvMqttReadDisconnectResponse(r.channel(), newMvMqttDisconnectResponse()) },
  },
};
