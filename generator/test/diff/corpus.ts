/**
 * The `mvgen diff` corpus: each case mutates a throw-away copy of the real spec (the new side,
 * or the old side to test removals) and lists the exact lines `mvgen diff OLD NEW` must print.
 *
 * Expected lines are written by hand. To keep them readable and stable when items are added to
 * the spec, a pointer may name array elements instead of indexing them
 * (`/structs/MvMqttWill/fields/retain` is `/structs/6/fields/3`); the runner resolves names
 * against the side the line points into (`(old)` → the old copy).
 */
import { byName as byNameOf, type SpecCopy } from '../support/spec-copy.js';

/** Spec JSON is untyped here: find by name, return any. */
const byName = (list: any[], name: string): any => byNameOf(list, name);

export interface DiffCase {
  name: string;
  old?: (s: SpecCopy) => void;
  new?: (s: SpecCopy) => void;
  expect: string[];
}

type Json = any;
const area = (s: SpecCopy, file: string, fn: (d: Json) => void) => s.edit(file, fn);
const fnOf = (d: Json, name: string) => byName(d.functions, name);
const structOf = (d: Json, name: string) => byName(d.structs, name);
const enumOf = (d: Json, name: string) => byName(d.enums, name);
const limitOf = (d: Json, name: string) => byName(d.limits, name);
const fieldOf = (d: Json, struct: string, field: string) => byName(structOf(d, struct).fields, field);
const errorOf = (d: Json, fn: string, status: string) => {
  const row = fnOf(d, fn).errors.find((e: Json) => e.status === status);
  if (!row) throw new Error(`test fixture: ${fn} has no ${status} row`);
  return row;
};
const swap = (list: Json[], i: number, j: number) => ([list[i], list[j]] = [list[j], list[i]]);
const indexOfName = (list: Json[], name: string) => list.findIndex((x) => x.name === name);

const addRejectMessage = (s: SpecCopy) =>
  area(s, 'mqtt.json', (d) => {
    const f = structuredClone(fnOf(d, 'mvMqttAcknowledgeMessage'));
    f.name = 'mvMqttRejectMessage';
    f.nsc_address = '0x0c1fe1c1';
    f.doc = 'Tells the broker that a received message was refused, by its correlation ID.';
    d.functions.push(f);
  });

export const CASES: DiffCase[] = [
  // ---- none ----
  { name: 'identical specs', expect: ['bump: none'] },
  {
    name: 'reformatted JSON (different bytes and hash, same model)',
    new: (s) => {
      for (const f of ['index.json', 'status.json', 'notifications.json', 'network.json', 'channels.json', 'mqtt.json']) s.writeText(f, JSON.stringify(s.read(f), null, 4));
    },
    expect: ['bump: none'],
  },

  // ---- enums ----
  {
    name: 'enum constant value changed',
    new: (s) => area(s, 'mqtt.json', (d) => (byName(enumOf(d, 'MvMqttProtocolVersion').constants, 'MV_MQTTPROTOCOLVERSION_V5').value = 5)),
    expect: ['major: mqtt.json#/enums/MvMqttProtocolVersion/constants/MV_MQTTPROTOCOLVERSION_V5/value: MvMqttProtocolVersion: MV_MQTTPROTOCOLVERSION_V5 value 1 → 5', 'bump: major'],
  },
  {
    name: 'enum constant removed',
    new: (s) => area(s, 'channels.json', (d) => enumOf(d, 'MvClosureReason').constants.pop()),
    expect: [
      'major: channels.json#/enums/MvClosureReason/constants/MV_CLOSUREREASON_UNEXPECTEDLYTERMINATED (old): MvClosureReason: constant MV_CLOSUREREASON_UNEXPECTEDLYTERMINATED (= 7) removed',
      'bump: major',
    ],
  },
  {
    name: 'enum constant renamed (same value)',
    new: (s) => area(s, 'channels.json', (d) => (byName(enumOf(d, 'MvClosureReason').constants, 'MV_CLOSUREREASON_NOTYETOPEN').name = 'MV_CLOSUREREASON_NOTOPENYET')),
    expect: ['major: channels.json#/enums/MvClosureReason/constants/MV_CLOSUREREASON_NOTOPENYET/name: MvClosureReason: constant MV_CLOSUREREASON_NOTYETOPEN renamed MV_CLOSUREREASON_NOTOPENYET (value 5)', 'bump: major'],
  },
  {
    name: 'enum constant added below the sentinel',
    new: (s) =>
      area(s, 'mqtt.json', (d) =>
        enumOf(d, 'MvMqttLostMessageReason').constants.push({ name: 'MV_MQTTLOSTMESSAGEREASON_TOPICTOOLONG', value: 1, doc: 'The topic alone did not fit in the receive buffer.' }),
      ),
    expect: ['minor: mqtt.json#/enums/MvMqttLostMessageReason/constants/MV_MQTTLOSTMESSAGEREASON_TOPICTOOLONG: MvMqttLostMessageReason: constant MV_MQTTLOSTMESSAGEREASON_TOPICTOOLONG = 1 added', 'bump: minor'],
  },
  {
    name: 'enum constant added at the sentinel boundary (0xfe under 0xff: size unchanged)',
    new: (s) =>
      area(s, 'mqtt.json', (d) =>
        enumOf(d, 'MvMqttAuthenticationMethod').constants.push({ name: 'MV_MQTTAUTHENTICATIONMETHOD_VENDOR', value: '0xfe', doc: 'A vendor-specific method, the last value a one-byte enum can hold.' }),
      ),
    expect: ['minor: mqtt.json#/enums/MvMqttAuthenticationMethod/constants/MV_MQTTAUTHENTICATIONMETHOD_VENDOR: MvMqttAuthenticationMethod: constant MV_MQTTAUTHENTICATIONMETHOD_VENDOR = 254 added', 'bump: minor'],
  },
  {
    name: 'enum constant past the boundary: the sentinel is raised and the enum grows on the device',
    new: (s) =>
      area(s, 'mqtt.json', (d) => {
        const e = enumOf(d, 'MvMqttAuthenticationMethod');
        e.sentinel.value = '0xffff';
        e.constants.push({ name: 'MV_MQTTAUTHENTICATIONMETHOD_CERTIFICATE', value: '0x100', doc: 'Authenticate with the client certificate only.' });
      }),
    expect: [
      'major: mqtt.json#/enums/MvMqttAuthenticationMethod/sentinel/value: enum MvMqttAuthenticationMethod: sentinel 0xff → 0xffff (size arm32 1 → 2 bytes)',
      'major: mqtt.json#/structs/MvMqttAuthentication: MvMqttAuthentication layout on arm32: fields: method size 1 → 2',
      'minor: mqtt.json#/enums/MvMqttAuthenticationMethod/constants/MV_MQTTAUTHENTICATIONMETHOD_CERTIFICATE: MvMqttAuthenticationMethod: constant MV_MQTTAUTHENTICATIONMETHOD_CERTIFICATE = 0x100 added',
      'bump: major',
    ],
  },
  {
    name: 'enum sentinel widened alone (device size 1 → 4; x86_64 untouched)',
    new: (s) => area(s, 'mqtt.json', (d) => (enumOf(d, 'MvMqttAuthenticationMethod').sentinel.value = '0xffffffff')),
    expect: [
      'major: mqtt.json#/enums/MvMqttAuthenticationMethod/sentinel/value: enum MvMqttAuthenticationMethod: sentinel 0xff → 0xffffffff (size arm32 1 → 4 bytes)',
      'major: mqtt.json#/structs/MvMqttAuthentication: MvMqttAuthentication layout on arm32: fields: method size 1 → 4',
      'bump: major',
    ],
  },
  {
    name: 'enum is no longer a bitmask',
    new: (s) => area(s, 'network.json', (d) => delete enumOf(d, 'MvNetworkReason').bitmask),
    expect: ['major: network.json#/enums/MvNetworkReason: enum MvNetworkReason is no longer a bitmask', 'bump: major'],
  },
  {
    name: 'readable item becomes unsolicited',
    new: (s) => area(s, 'mqtt.json', (d) => (byName(enumOf(d, 'MvMqttReadableDataType').constants, 'MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE').unsolicited = true)),
    expect: [
      'major: mqtt.json#/enums/MvMqttReadableDataType/constants/MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE/unsolicited: MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE may now arrive without a request (unsolicited)',
      'bump: major',
    ],
  },
  {
    name: 'constants listed in another order, one doc reworded',
    new: (s) =>
      area(s, 'mqtt.json', (d) => {
        const e = enumOf(d, 'MvMqttProtocolVersion');
        swap(e.constants, 0, 1);
        byName(e.constants, 'MV_MQTTPROTOCOLVERSION_V5').doc = 'MQTT 5.0 with reason codes in every response.';
      }),
    expect: [
      'patch: mqtt.json#/enums/MvMqttProtocolVersion/constants: enum MvMqttProtocolVersion: constants listed in a different order (values unchanged)',
      'patch: mqtt.json#/enums/MvMqttProtocolVersion/constants/MV_MQTTPROTOCOLVERSION_V5/doc: doc of MV_MQTTPROTOCOLVERSION_V5 changed',
      'bump: patch',
    ],
  },

  // ---- structs ----
  {
    name: 'struct field retyped',
    new: (s) => area(s, 'mqtt.json', (d) => (fieldOf(d, 'MvMqttWill', 'retain').type = 'uint32_t')),
    expect: [
      'major: mqtt.json#/structs/MvMqttWill/fields/retain/type: MvMqttWill.retain retyped uint8_t → uint32_t (arm32: size 1 → 4, align 1 → 4; x86_64: size 1 → 4, align 1 → 4)',
      'bump: major',
    ],
  },
  {
    name: 'struct field removed',
    new: (s) => area(s, 'mqtt.json', (d) => structOf(d, 'MvMqttPublishResponse').fields.pop()),
    expect: [
      'major: mqtt.json#/structs/MvMqttPublishResponse: MvMqttPublishResponse layout on arm32: size 12 → 8',
      'major: mqtt.json#/structs/MvMqttPublishResponse: MvMqttPublishResponse layout on x86_64: size 12 → 8',
      'major: mqtt.json#/structs/MvMqttPublishResponse/fields/reason_code (old): MvMqttPublishResponse.reason_code (uint32_t) removed',
      'bump: major',
    ],
  },
  {
    name: 'struct field added at the end (still a layout change)',
    new: (s) =>
      area(s, 'mqtt.json', (d) => structOf(d, 'MvMqttConnectResponse').fields.push({ name: 'session_present', type: 'uint32_t', doc: 'Non-zero when the broker resumed a stored session.' })),
    expect: [
      'major: mqtt.json#/structs/MvMqttConnectResponse: MvMqttConnectResponse layout on arm32: size 8 → 12',
      'major: mqtt.json#/structs/MvMqttConnectResponse: MvMqttConnectResponse layout on x86_64: size 8 → 12',
      'major: mqtt.json#/structs/MvMqttConnectResponse/fields/session_present: MvMqttConnectResponse.session_present (uint32_t) added at arm32 offset 8, x86_64 offset 8',
      'bump: major',
    ],
  },
  {
    name: 'two fields of the same type swapped (sizes equal, meaning moved)',
    new: (s) =>
      area(s, 'mqtt.json', (d) => {
        const f = structOf(d, 'MvMqttSubscription').fields;
        swap(f, indexOfName(f, 'nl'), indexOfName(f, 'rap'));
      }),
    expect: [
      'major: mqtt.json#/structs/MvMqttSubscription: MvMqttSubscription layout on arm32: fields: rap 16 → 12, nl 12 → 16',
      'major: mqtt.json#/structs/MvMqttSubscription: MvMqttSubscription layout on x86_64: fields: rap 24 → 20, nl 20 → 24',
      'major: mqtt.json#/structs/MvMqttSubscription/fields: MvMqttSubscription: fields reordered: topic, desired_qos, nl, rap, rh → topic, desired_qos, rap, nl, rh',
      'bump: major',
    ],
  },
  {
    name: 'struct field renamed in place',
    new: (s) => area(s, 'mqtt.json', (d) => (fieldOf(d, 'MvMqttDisconnectResponse', 'disconnect_code').name = 'reason_code')),
    expect: ['major: mqtt.json#/structs/MvMqttDisconnectResponse/fields/reason_code/name: MvMqttDisconnectResponse.disconnect_code renamed reason_code', 'bump: major'],
  },
  {
    name: 'a change that only moves things on x86_64 (uint32_t → pointer)',
    new: (s) => area(s, 'mqtt.json', (d) => (fieldOf(d, 'MvMqttConnectResponse', 'reason_code').type = 'uint32_t *')),
    expect: [
      'major: mqtt.json#/structs/MvMqttConnectResponse: MvMqttConnectResponse layout on x86_64: size 8 → 16; align 4 → 8',
      'major: mqtt.json#/structs/MvMqttConnectResponse/fields/reason_code/type: MvMqttConnectResponse.reason_code retyped uint32_t → uint32_t * (arm32: unchanged; x86_64: offset 4 → 8, size 4 → 8, align 4 → 8)',
      'bump: major',
    ],
  },
  {
    name: 'pointer field becomes optional',
    new: (s) => area(s, 'mqtt.json', (d) => (fieldOf(d, 'MvTlsCertificateChain', 'certs').optional = true)),
    expect: ['minor: mqtt.json#/structs/MvTlsCertificateChain/fields/certs/optional: MvTlsCertificateChain.certs is now optional (may be NULL)', 'bump: minor'],
  },
  {
    name: 'pointer field no longer optional',
    new: (s) => area(s, 'mqtt.json', (d) => delete fieldOf(d, 'MvMqttConnectRequest', 'tls_credentials').optional),
    expect: ['major: mqtt.json#/structs/MvMqttConnectRequest/fields/tls_credentials: MvMqttConnectRequest.tls_credentials is no longer optional (NULL now rejected)', 'bump: major'],
  },
  {
    name: 'field becomes required',
    new: (s) => area(s, 'mqtt.json', (d) => (fieldOf(d, 'MvMqttPublishRequest', 'topic').required = true)),
    expect: ['major: mqtt.json#/structs/MvMqttPublishRequest/fields/topic/required: MvMqttPublishRequest.topic is now required (a missing element is rejected)', 'bump: major'],
  },
  {
    name: 'field doc reworded',
    new: (s) => area(s, 'mqtt.json', (d) => (fieldOf(d, 'MvMqttWill', 'qos').doc = 'QoS of the will message: 0 or 1.')),
    expect: ['patch: mqtt.json#/structs/MvMqttWill/fields/qos/doc: doc of MvMqttWill.qos changed', 'bump: patch'],
  },
  {
    name: 'new struct that nothing uses yet',
    new: (s) =>
      area(s, 'mqtt.json', (d) =>
        d.structs.push({
          name: 'MvMqttUserProperty',
          doc: 'An MQTT 5 user property: a key and a value.',
          fields: [
            { name: 'key', type: 'struct MvSizedString', doc: 'The property name.' },
            { name: 'value', type: 'struct MvSizedString', doc: 'The property value.' },
          ],
        }),
      ),
    expect: ['minor: mqtt.json#/structs/MvMqttUserProperty: struct MvMqttUserProperty added (arm32 16 bytes)', 'bump: minor'],
  },
  {
    name: 'struct moved to another area file',
    new: (s) => {
      let moved: Json;
      area(s, 'mqtt.json', (d) => (moved = d.structs.splice(indexOfName(d.structs, 'MvSizedStringBuffer'), 1)[0]));
      area(s, 'channels.json', (d) => d.structs.push(moved));
    },
    expect: ['major: channels.json#/structs/MvSizedStringBuffer: struct MvSizedStringBuffer moved from area "mqtt" to "channels"', 'bump: major'],
  },

  // ---- functions ----
  {
    name: 'function and its struct removed',
    new: (s) =>
      area(s, 'mqtt.json', (d) => {
        d.functions.splice(indexOfName(d.functions, 'mvMqttReceiveLostMessageInfo'), 1);
        d.structs.splice(indexOfName(d.structs, 'MvMqttLostMessageInfo'), 1);
      }),
    expect: [
      'major: mqtt.json#/functions/mvMqttReceiveLostMessageInfo (old): function mvMqttReceiveLostMessageInfo removed',
      'major: mqtt.json#/structs/MvMqttLostMessageInfo (old): struct MvMqttLostMessageInfo removed',
      'bump: major',
    ],
  },
  {
    name: 'function added',
    new: addRejectMessage,
    expect: ['minor: mqtt.json#/functions/mvMqttRejectMessage: function mvMqttRejectMessage added (2 parameters, call address 0x0c1fe1c1)', 'bump: minor'],
  },
  {
    name: 'the same change seen backwards is a removal',
    old: addRejectMessage,
    expect: ['major: mqtt.json#/functions/mvMqttRejectMessage (old): function mvMqttRejectMessage removed', 'bump: major'],
  },
  {
    name: 'function renamed (same call address), limit follows the rename',
    new: (s) =>
      area(s, 'mqtt.json', (d) => {
        fnOf(d, 'mvMqttAcknowledgeMessage').name = 'mvMqttAckMessage';
        limitOf(d, 'MQTT_ACKNOWLEDGEMENTS_IN_FLIGHT_MAX').functions = ['mvMqttAckMessage'];
      }),
    expect: ['major: mqtt.json#/functions/mvMqttAckMessage/name: function mvMqttAcknowledgeMessage renamed mvMqttAckMessage (call address 0x0c1fe151)', 'bump: major'],
  },
  {
    name: 'call address changed',
    new: (s) => area(s, 'mqtt.json', (d) => (fnOf(d, 'mvMqttRequestDisconnect').nsc_address = '0x0c1fe1c9')),
    expect: ['major: mqtt.json#/functions/mvMqttRequestDisconnect/nsc_address: mvMqttRequestDisconnect: call address 0x0c1fe161 → 0x0c1fe1c9', 'bump: major'],
  },
  {
    name: 'parameter retyped',
    new: (s) => area(s, 'mqtt.json', (d) => (byName(fnOf(d, 'mvMqttAcknowledgeMessage').params, 'correlation_id').type = 'uint16_t')),
    expect: ['major: mqtt.json#/functions/mvMqttAcknowledgeMessage/params/correlation_id/type: mvMqttAcknowledgeMessage(correlation_id) retyped uint32_t → uint16_t', 'bump: major'],
  },
  {
    name: 'parameter added',
    new: (s) =>
      area(s, 'mqtt.json', (d) => fnOf(d, 'mvMqttRequestDisconnect').params.push({ name: 'reason_code', type: 'uint32_t', direction: 'value', doc: 'MQTT 5 reason code sent with DISCONNECT.' })),
    expect: ['major: mqtt.json#/functions/mvMqttRequestDisconnect/params/reason_code: mvMqttRequestDisconnect: parameter reason_code (uint32_t) added at position 2', 'bump: major'],
  },
  {
    name: 'parameter removed',
    new: (s) => area(s, 'network.json', (d) => fnOf(d, 'mvGetNetworkReasons').params.pop()),
    expect: ['major: network.json#/functions/mvGetNetworkReasons/params/request_ref_count (old): mvGetNetworkReasons: parameter request_ref_count (uint32_t *) removed', 'bump: major'],
  },
  {
    name: 'parameters reordered',
    new: (s) => area(s, 'channels.json', (d) => swap(fnOf(d, 'mvGetChannelClosureReason').params, 0, 1)),
    expect: ['major: channels.json#/functions/mvGetChannelClosureReason/params: mvGetChannelClosureReason: parameters reordered: handle, reason_out → reason_out, handle', 'bump: major'],
  },
  {
    name: 'parameter direction changed',
    new: (s) => area(s, 'network.json', (d) => (byName(fnOf(d, 'mvReleaseNetwork').params, 'handle').direction = 'out')),
    expect: ['major: network.json#/functions/mvReleaseNetwork/params/handle/direction: mvReleaseNetwork(handle): direction inout → out', 'bump: major'],
  },
  {
    name: 'parameter renamed in place (positional: source-compatible)',
    new: (s) => area(s, 'channels.json', (d) => (byName(fnOf(d, 'mvGetChannelClosureReason').params, 'reason_out').name = 'reason')),
    expect: ['patch: channels.json#/functions/mvGetChannelClosureReason/params/reason/name: mvGetChannelClosureReason: parameter 2 renamed reason_out → reason (arguments are positional)', 'bump: patch'],
  },

  // ---- error tables ----
  {
    name: 'error row removed',
    new: (s) => area(s, 'mqtt.json', (d) => fnOf(d, 'mvMqttReadConnectResponse').errors.pop()),
    expect: [
      "major: mqtt.json#/functions/mvMqttReadConnectResponse/errors/MV_STATUS_WRONGDATAREQUESTED (old): mvMqttReadConnectResponse: MV_STATUS_WRONGDATAREQUESTED removed from the error table (the call's status type loses it)",
      'bump: major',
    ],
  },
  {
    name: 'error row added',
    new: (s) =>
      area(s, 'mqtt.json', (d) =>
        fnOf(d, 'mvMqttRequestDisconnect').errors.push({ status: 'MV_STATUS_MICROVISORBUSY', when: 'Microvisor cannot take the request right now; try again later.', issued: false }),
      ),
    expect: ['minor: mqtt.json#/functions/mvMqttRequestDisconnect/errors/MV_STATUS_MICROVISORBUSY: mvMqttRequestDisconnect: may now return MV_STATUS_MICROVISORBUSY', 'bump: minor'],
  },
  {
    name: 'doc change in an error row',
    new: (s) => area(s, 'mqtt.json', (d) => (errorOf(d, 'mvMqttAcknowledgeMessage', 'MV_STATUS_RATELIMITED').when = 'Too many acknowledgements are waiting for the broker.')),
    expect: ['patch: mqtt.json#/functions/mvMqttAcknowledgeMessage/errors/MV_STATUS_RATELIMITED/when: mvMqttAcknowledgeMessage: MV_STATUS_RATELIMITED condition text changed', 'bump: patch'],
  },
  {
    name: 'issued flag flipped (behaviour, no type)',
    new: (s) => area(s, 'mqtt.json', (d) => (errorOf(d, 'mvMqttRequestConnect', 'MV_STATUS_LATEFAULT').issued = false)),
    expect: [
      'minor: mqtt.json#/functions/mvMqttRequestConnect/errors/MV_STATUS_LATEFAULT/issued: mvMqttRequestConnect: MV_STATUS_LATEFAULT: the request no longer goes ahead despite this status (issued true → false)',
      'bump: minor',
    ],
  },
  {
    name: 'row provenance and test waiver changed',
    new: (s) =>
      area(s, 'mqtt.json', (d) => {
        errorOf(d, 'mvMqttRequestConnect', 'MV_STATUS_LATEFAULT').waiver = { mock: 'The mock never dereferences nested pointers.' };
        delete errorOf(d, 'mvMqttReadPublishResponse', 'MV_STATUS_WRONGDATAREQUESTED').source;
      }),
    expect: [
      'patch: mqtt.json#/functions/mvMqttRequestConnect/errors/MV_STATUS_LATEFAULT/waiver: mvMqttRequestConnect: MV_STATUS_LATEFAULT: test waiver changed',
      'patch: mqtt.json#/functions/mvMqttReadPublishResponse/errors/MV_STATUS_WRONGDATAREQUESTED: mvMqttReadPublishResponse: MV_STATUS_WRONGDATAREQUESTED: source inferred → header',
      'bump: patch',
    ],
  },

  // ---- notifications and readable items ----
  {
    name: 'notification and produced item added',
    new: (s) =>
      area(s, 'mqtt.json', (d) => {
        fnOf(d, 'mvMqttRequestDisconnect').notifications.push({ event: 'MV_EVENTTYPE_CHANNELNOTCONNECTED', when: 'The channel closes once the broker has acknowledged the disconnect.' });
        fnOf(d, 'mvMqttRequestConnect').produces.push('MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE');
      }),
    expect: [
      'minor: mqtt.json#/functions/mvMqttRequestConnect/produces/MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE: mvMqttRequestConnect now produces MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE',
      'minor: mqtt.json#/functions/mvMqttRequestDisconnect/notifications/MV_EVENTTYPE_CHANNELNOTCONNECTED: mvMqttRequestDisconnect now posts MV_EVENTTYPE_CHANNELNOTCONNECTED',
      'bump: minor',
    ],
  },
  {
    name: 'notification removed',
    new: (s) => area(s, 'channels.json', (d) => (fnOf(d, 'mvOpenChannel').notifications = fnOf(d, 'mvOpenChannel').notifications.filter((n: Json) => n.event !== 'MV_EVENTTYPE_CHANNELNOTCONNECTED'))),
    expect: ['major: channels.json#/functions/mvOpenChannel/notifications/MV_EVENTTYPE_CHANNELNOTCONNECTED (old): mvOpenChannel no longer posts MV_EVENTTYPE_CHANNELNOTCONNECTED', 'bump: major'],
  },

  // ---- limits ----
  {
    name: 'limit made stricter (lower max)',
    new: (s) => area(s, 'mqtt.json', (d) => (limitOf(d, 'MQTT_TOPICS_PER_REQUEST_MAX').value = 4)),
    expect: ['major: mqtt.json#/limits/MQTT_TOPICS_PER_REQUEST_MAX/value: limit MQTT_TOPICS_PER_REQUEST_MAX: ≤ 8 → ≤ 4 (stricter)', 'bump: major'],
  },
  {
    name: 'limit relaxed (wider range)',
    new: (s) => area(s, 'mqtt.json', (d) => (limitOf(d, 'MQTT_WILL_QOS').max = 2)),
    expect: ['minor: mqtt.json#/limits/MQTT_WILL_QOS/max: limit MQTT_WILL_QOS: 0..1 → 0..2 (relaxed)', 'bump: minor'],
  },
  {
    name: 'range shifted (wider at one end, narrower at the other)',
    new: (s) =>
      area(s, 'mqtt.json', (d) => {
        const l = limitOf(d, 'MQTT_PUBLISH_QOS');
        [l.min, l.max] = [1, 3];
      }),
    expect: ['major: mqtt.json#/limits/MQTT_PUBLISH_QOS/min: limit MQTT_PUBLISH_QOS: 0..2 → 1..3 (narrower in part)', 'bump: major'],
  },
  {
    name: 'alignment raised, size multiple lowered',
    new: (s) =>
      area(s, 'channels.json', (d) => {
        limitOf(d, 'CHANNEL_SEND_BUFFER_ALIGNMENT').value = 1024;
        limitOf(d, 'CHANNEL_BUFFER_SIZE_MULTIPLE').value = 256;
      }),
    expect: [
      'major: channels.json#/limits/CHANNEL_SEND_BUFFER_ALIGNMENT/value: limit CHANNEL_SEND_BUFFER_ALIGNMENT: aligned to 512 → aligned to 1024 (stricter)',
      'minor: channels.json#/limits/CHANNEL_BUFFER_SIZE_MULTIPLE/value: limit CHANNEL_BUFFER_SIZE_MULTIPLE: a multiple of 512 → a multiple of 256 (relaxed)',
      'bump: major',
    ],
  },
  {
    name: 'rate limit over a longer window',
    new: (s) => area(s, 'channels.json', (d) => (limitOf(d, 'CHANNEL_OPEN_RATE').window_ms = 2000)),
    expect: ['major: channels.json#/limits/CHANNEL_OPEN_RATE/window_ms: limit CHANNEL_OPEN_RATE: 8 per 1000 ms → 8 per 2000 ms (stricter)', 'bump: major'],
  },
  {
    name: 'limit added',
    new: (s) =>
      area(s, 'mqtt.json', (d) =>
        d.limits.push({
          name: 'MQTT_CLIENTID_LENGTH_MAX',
          doc: 'A client ID longer than 23 bytes is refused, as MQTT 3.1.1 allows brokers to do.',
          kind: 'max',
          value: 23,
          unit: 'bytes',
          functions: ['mvMqttRequestConnect'],
          status: 'MV_STATUS_PARAMETERFAULT',
          source: 'inferred',
        }),
      ),
    expect: ['minor: mqtt.json#/limits/MQTT_CLIENTID_LENGTH_MAX: limit MQTT_CLIENTID_LENGTH_MAX (≤ 23) added', 'bump: minor'],
  },
  {
    name: 'limit removed',
    new: (s) => area(s, 'mqtt.json', (d) => d.limits.splice(indexOfName(d.limits, 'MQTT_DISCONNECTS_IN_FLIGHT_MAX'), 1)),
    expect: ['major: mqtt.json#/limits/MQTT_DISCONNECTS_IN_FLIGHT_MAX (old): limit MQTT_DISCONNECTS_IN_FLIGHT_MAX (≤ 1 in flight) removed: its constant disappears', 'bump: major'],
  },
  {
    name: 'limit configurability dropped on one, granted on another',
    new: (s) =>
      area(s, 'mqtt.json', (d) => {
        delete limitOf(d, 'MQTT_PUBLISHES_IN_FLIGHT_MAX').configurable;
        limitOf(d, 'MQTT_SUBSCRIBES_IN_FLIGHT_MAX').configurable = true;
      }),
    expect: [
      'major: mqtt.json#/limits/MQTT_PUBLISHES_IN_FLIGHT_MAX: limit MQTT_PUBLISHES_IN_FLIGHT_MAX is no longer configurable',
      'minor: mqtt.json#/limits/MQTT_SUBSCRIBES_IN_FLIGHT_MAX/configurable: limit MQTT_SUBSCRIBES_IN_FLIGHT_MAX is now configurable',
      'bump: major',
    ],
  },
  {
    name: 'limit applies to one more field',
    new: (s) => area(s, 'mqtt.json', (d) => limitOf(d, 'MQTT_SUBSCRIBE_QOS').applies_to.push('MvMqttPublishRequest.desired_qos')),
    expect: ['major: mqtt.json#/limits/MQTT_SUBSCRIBE_QOS/applies_to: limit MQTT_SUBSCRIBE_QOS now also applies to MvMqttPublishRequest.desired_qos', 'bump: major'],
  },

  // ---- typedefs, index, errata, metadata ----
  {
    name: 'typedef points at another opaque struct',
    new: (s) => area(s, 'channels.json', (d) => (byName(d.typedefs, 'MvChannelHandle').opaque_struct = 'MvChannelHandleImpl')),
    expect: ['major: channels.json#/typedefs/MvChannelHandle/opaque_struct: typedef MvChannelHandle: opaque struct MvChannelHandleOpaque → MvChannelHandleImpl', 'bump: major'],
  },
  {
    name: 'erratum reworded and one added',
    new: (s) =>
      s.edit('index.json', (d) => {
        d.errata[1].resolution = 'Follow the header: success is REQUESTCOMPLETED with reason code 0.';
        d.errata.push({ id: 900, item: 'Example', vendor_page: 'Says one thing.', header: 'Says another.', resolution: 'Follow the header.' });
      }),
    expect: ['patch: index.json#/errata/1: erratum 2: resolution text changed', 'patch: index.json#/errata/Example: erratum 900 (Example) added', 'bump: patch'],
  },
  {
    name: 'spec version and area prose',
    old: (s) => s.edit('index.json', (d) => (d.version = '1.0.0')),
    new: (s) => {
      s.edit('index.json', (d) => (d.version = '1.1.0'));
      area(s, 'mqtt.json', (d) => (d.doc = 'The MQTT calls, in a new wording.'));
    },
    expect: ['patch: index.json#/version: spec version 1.0.0 → 1.1.0', 'patch: mqtt.json#/doc: doc of area "mqtt" changed', 'bump: patch'],
  },
  {
    name: 'functions listed in another order',
    new: (s) => area(s, 'mqtt.json', (d) => swap(d.functions, indexOfName(d.functions, 'mvMqttReadConnectResponse'), indexOfName(d.functions, 'mvMqttRequestSubscribe'))),
    expect: ['patch: mqtt.json#/functions: functions of area "mqtt" listed in a different order', 'bump: patch'],
  },

  // ---- several at once: one line each, sorted major → minor → patch ----
  {
    name: 'a doc change, an added function and a removed error row together',
    new: (s) => {
      addRejectMessage(s);
      area(s, 'mqtt.json', (d) => {
        fnOf(d, 'mvMqttReadDisconnectResponse').errors.pop();
        fnOf(d, 'mvMqttRequestConnect').doc = 'Asks Microvisor to connect to the broker.';
      });
    },
    expect: [
      "major: mqtt.json#/functions/mvMqttReadDisconnectResponse/errors/MV_STATUS_WRONGDATAREQUESTED (old): mvMqttReadDisconnectResponse: MV_STATUS_WRONGDATAREQUESTED removed from the error table (the call's status type loses it)",
      'minor: mqtt.json#/functions/mvMqttRejectMessage: function mvMqttRejectMessage added (2 parameters, call address 0x0c1fe1c1)',
      'patch: mqtt.json#/functions/mvMqttRequestConnect/doc: doc of mvMqttRequestConnect changed',
      'bump: major',
    ],
  },
];
