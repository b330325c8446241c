/**
 * Each case breaks a copy of the real spec in one way and asserts the exact diagnostic:
 * file, JSON pointer, a line:column, the message and a hint. One case checks that every
 * problem is reported at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { validateSpec } from '../src/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { byName, copySpec, SPEC_DIR, type SpecCopy } from './support/spec-copy.js';

let spec: SpecCopy | undefined;
afterEach(() => spec?.dispose());

interface Expect {
  file: string;
  pointer: string;
  message: RegExp;
  rule?: string;
}

function expectProblem(mutate: (s: SpecCopy) => void, e: Expect) {
  spec = copySpec();
  mutate(spec);
  const { diagnostics } = validateSpec(spec.index);
  const hit = diagnostics.find((d) => d.file.endsWith(e.file) && d.pointer === e.pointer && e.message.test(d.message));
  expect(hit, `expected ${e.file}#${e.pointer} ~ ${e.message}; got:\n${diagnostics.map((d) => `${d.file}#${d.pointer}: ${d.message}`).join('\n')}`).toBeDefined();
  expect(hit!.position?.line).toBeGreaterThan(0);
  expect(hit!.position?.column).toBeGreaterThan(0);
  expect(hit!.hint ?? '').not.toBe('');
  if (e.rule) expect(hit!.rule).toBe(e.rule);
  return { hit: hit!, diagnostics };
}

const mqttFn = (d: any, name: string) => byName(d.functions, name);
/** The real spec as committed (read before a case edits its copy), for positions that depend on its size. */
const s0 = () => ({ read: (f: string) => JSON.parse(readFileSync(join(SPEC_DIR, f), 'utf8')) });

describe('schema errors', () => {
  it('reports a JSON syntax error with its line and column', () => {
    spec = copySpec();
    spec.writeText('network.json', spec.text('network.json').replace('"area": "network",', '"area": "network",,'));
    const { diagnostics } = validateSpec(spec.index);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ rule: 'syntax', pointer: '', position: { line: 3 } });
    expect(diagnostics[0].message).toMatch(/invalid JSON/);
  });

  it('rejects a duplicate key instead of silently keeping the last one', () => {
    spec = copySpec();
    spec.writeText('status.json', spec.text('status.json').replace('"area": "status",', '"area": "status",\n  "area": "status",'));
    const { diagnostics } = validateSpec(spec.index);
    expect(diagnostics[0].message).toMatch(/duplicate key "area"/);
    expect(diagnostics[0].position).toEqual({ line: 4, column: 3 });
  });

  it('names an area file the index lists but that does not exist', () =>
    expectProblem(
      (s) => s.edit('index.json', (d) => d.areas.push('bluetooth.json')),
      { file: 'index.json', pointer: `/areas/${s0().read('index.json').areas.length}`, message: /area file "bluetooth.json" cannot read/ },
    ));

  it('points at a misspelt property and suggests the right one', () => {
    const { hit } = expectProblem(
      (s) =>
        s.edit('mqtt.json', (d) => {
          const f = byName(d.structs, 'MvMqttWill').fields[3];
          f.doc_string = f.doc;
          delete f.doc;
        }),
      { file: 'mqtt.json', pointer: '/structs/6/fields/3/doc_string', message: /unknown property "doc_string"/ },
    );
    expect(hit.hint).toMatch(/did you mean "doc"/);
  });

  it('requires a doc string on every item', () =>
    expectProblem((s) => s.edit('channels.json', (d) => delete byName(d.enums, 'MvChannelType').doc), {
      file: 'channels.json',
      pointer: '/enums/0',
      message: /missing required property "doc"/,
    }));

  it('rejects an unreadable C type', () => {
    const { hit } = expectProblem((s) => s.edit('mqtt.json', (d) => (byName(d.structs, 'MvMqttWill').fields[2].type = 'unsigned long int')), {
      file: 'mqtt.json',
      pointer: '/structs/6/fields/2/type',
      message: /"type" "unsigned long int" does not match/,
    });
    expect(hit.hint).toMatch(/fixed-width integer/);
  });

  it('rejects an unknown parameter direction', () =>
    expectProblem((s) => s.edit('network.json', (d) => (byName(d.functions, 'mvGetNetworkStatus').params[1].direction = 'output')), {
      file: 'network.json',
      pointer: '/functions/2/params/1/direction',
      message: /must be one of "value", "in", "out", "inout"/,
    }));

  it('rejects a sentinel that is not a C enum size', () =>
    expectProblem((s) => s.edit('channels.json', (d) => (byName(d.enums, 'MvChannelType').sentinel.value = '0xfffff')), {
      file: 'channels.json',
      pointer: '/enums/0/sentinel/value',
      message: /must be one of "0xff", "0xffff", "0xffffffff"/,
    }));

  it('rejects an enum value that is neither an integer nor hex', () =>
    expectProblem((s) => s.edit('status.json', (d) => (d.enums[0].constants[3].value = 'three')), {
      file: 'status.json',
      pointer: '/enums/0/constants/3/value',
      message: /is not a valid value here/,
    }));

  it('rejects a malformed call address', () =>
    expectProblem((s) => s.edit('mqtt.json', (d) => (mqttFn(d, 'mvMqttRequestPublish').nsc_address = '0xC1FE171')), {
      file: 'mqtt.json',
      pointer: '/functions/7/nsc_address',
      message: /does not match the expected form/,
    }));

  it('rejects a spec version that is not semver', () =>
    expectProblem((s) => s.edit('index.json', (d) => (d.version = '1.0')), { file: 'index.json', pointer: '/version', message: /"version" "1.0" does not match/ }));

  it('requires min and max (not value) on a range limit', () =>
    expectProblem(
      (s) =>
        s.edit('mqtt.json', (d) => {
          const l = byName(d.limits, 'MQTT_PUBLISH_QOS');
          delete l.max;
        }),
      { file: 'mqtt.json', pointer: '/limits/2', message: /missing required property "max"/ },
    ));
});

describe('semantic errors', () => {
  it('catches a duplicate function name across areas', () =>
    expectProblem(
      (s) => {
        const net = s.read('network.json');
        s.edit('channels.json', (d) => d.functions.push(structuredClone(byName(net.functions, 'mvGetNetworkStatus'))));
      },
      { file: 'channels.json', pointer: `/functions/${s0().read('channels.json').functions.length}/name`, message: /"mvGetNetworkStatus" is declared twice/, rule: 'semantic/unique-name' },
    ));

  it('catches a C keyword used as a name', () =>
    expectProblem((s) => s.edit('mqtt.json', (d) => (byName(d.structs, 'MvMqttWill').fields[3].name = 'register')), {
      file: 'mqtt.json',
      pointer: '/structs/6/fields/3/name',
      message: /field "register"|"register" is a C/,
    }));

  it('catches two enum constants with one value', () =>
    expectProblem((s) => s.edit('channels.json', (d) => (byName(d.enums, 'MvClosureReason').constants[2].value = 1)), {
      file: 'channels.json',
      pointer: '/enums/1/constants/2/value',
      message: /value 1 of "MV_CLOSUREREASON_CHANNELRESETBYSERVER" is already used by "MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER"/,
      rule: 'semantic/enum-value-unique',
    }));

  it('catches a constant that does not fit below its 1-byte sentinel', () =>
    expectProblem((s) => s.edit('mqtt.json', (d) => (byName(d.enums, 'MvMqttAuthenticationMethod').constants[1].value = 300)), {
      file: 'mqtt.json',
      pointer: '/enums/2/constants/1/value',
      message: /does not fit below the sentinel 0xff/,
      rule: 'semantic/enum-range',
    }));

  it('catches a constant without the enum prefix', () =>
    expectProblem((s) => s.edit('network.json', (d) => (d.enums[0].constants[0].name = 'MV_NETSTATUS_DELIBERATELYOFFLINE')), {
      file: 'network.json',
      pointer: '/enums/0/constants/0/name',
      message: /does not start with the enum's prefix "MV_NETWORKSTATUS_"/,
    }));

  it('catches an error-table status that MvStatus does not define, with a suggestion', () => {
    const { hit } = expectProblem((s) => s.edit('mqtt.json', (d) => (mqttFn(d, 'mvMqttRequestConnect').errors[5].status = 'MV_STATUS_INVALIDCERTIFICATION')), {
      file: 'mqtt.json',
      pointer: '/functions/1/errors/5/status',
      message: /"MV_STATUS_INVALIDCERTIFICATION" is not a constant of MvStatus/,
    });
    expect(hit.hint).toMatch(/did you mean/);
  });

  it('refuses OKAY as an error row', () =>
    expectProblem((s) => s.edit('channels.json', (d) => byName(d.functions, 'mvCloseChannel').errors.push({ status: 'MV_STATUS_OKAY', when: 'never', issued: false })), {
      file: 'channels.json',
      pointer: '/functions/1/errors/2/status',
      message: /MV_STATUS_OKAY is success, not an error/,
      rule: 'semantic/success-not-error',
    }));

  it('catches a status listed twice in one error table', () =>
    expectProblem((s) => s.edit('channels.json', (d) => byName(d.functions, 'mvCloseChannel').errors.push({ status: 'MV_STATUS_INVALIDHANDLE', when: 'again', issued: false })), {
      file: 'channels.json',
      pointer: '/functions/1/errors/2/status',
      message: /MV_STATUS_INVALIDHANDLE is listed twice/,
    }));

  it('catches a struct reference that resolves to nothing', () => {
    const { hit } = expectProblem((s) => s.edit('mqtt.json', (d) => (byName(d.structs, 'MvMqttConnectRequest').fields[5].type = 'const struct MvTlsCredential *')), {
      file: 'mqtt.json',
      pointer: '/structs/7/fields/5/type',
      message: /"struct MvTlsCredential" names no struct of the spec/,
    });
    expect(hit.hint).toMatch(/did you mean "MvTlsCredentials"/);
  });

  it('catches a count field that names no sibling array', () =>
    expectProblem((s) => s.edit('mqtt.json', (d) => (byName(d.structs, 'MvMqttSubscribeRequest').fields[2].counts = 'subscription')), {
      file: 'mqtt.json',
      pointer: '/structs/10/fields/2/counts',
      message: /"num_subscriptions" counts "subscription", which is not a field beside it/,
      rule: 'semantic/count-field',
    }));

  it('catches a count field that names a non-pointer field', () =>
    expectProblem((s) => s.edit('mqtt.json', (d) => (byName(d.structs, 'MvMqttSubscribeRequest').fields[2].counts = 'correlation_id')), {
      file: 'mqtt.json',
      pointer: '/structs/10/fields/2/counts',
      message: /which is not a pointer \(array\) field/,
    }));

  it('catches an out parameter that is not a writable pointer', () =>
    expectProblem((s) => s.edit('network.json', (d) => (byName(d.functions, 'mvGetNetworkStatus').params[1].type = 'const enum MvNetworkStatus *')), {
      file: 'network.json',
      pointer: '/functions/2/params/1/direction',
      message: /"out" parameter "status" must be a pointer to writable memory/,
    }));

  it('catches a limit whose status the function does not list', () => {
    const { hit } = expectProblem((s) => s.edit('mqtt.json', (d) => (byName(d.limits, 'MQTT_TOPICS_PER_REQUEST_MAX').status = 'MV_STATUS_INVALIDBUFFERSIZE')), {
      file: 'mqtt.json',
      pointer: '/limits/0/functions/0',
      message: /mvMqttRequestSubscribe does not list MV_STATUS_INVALIDBUFFERSIZE in its error table/,
      rule: 'semantic/limit-status',
    });
    expect(hit.hint).toMatch(/add a MV_STATUS_INVALIDBUFFERSIZE row/);
  });

  it('catches a limit on a field that does not exist, listing the fields', () => {
    const { hit } = expectProblem((s) => s.edit('channels.json', (d) => (byName(d.limits, 'CHANNEL_SEND_BUFFER_ALIGNMENT').applies_to = ['MvOpenChannelParams.send_buffer'])), {
      file: 'channels.json',
      pointer: '/limits/4/applies_to/0',
      message: /struct MvOpenChannelParams has no field "send_buffer"/,
    });
    expect(hit.hint).toMatch(/v1\.send_buffer/);
  });

  it('catches an empty range', () =>
    expectProblem((s) => s.edit('mqtt.json', (d) => Object.assign(byName(d.limits, 'MQTT_WILL_QOS'), { min: 2, max: 1 })), {
      file: 'mqtt.json',
      pointer: '/limits/4/min',
      message: /range 2\.\.1 is empty/,
    }));

  it('catches a produced readable item that no call consumes', () =>
    expectProblem((s) => s.edit('mqtt.json', (d) => delete mqttFn(d, 'mvMqttReadPublishResponse').consumes), {
      file: 'mqtt.json',
      pointer: '/functions/7/produces/0',
      message: /MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE is produced but no function consumes it/,
    }));

  it('catches a call address without the Thumb bit', () =>
    expectProblem((s) => s.edit('mqtt.json', (d) => (mqttFn(d, 'mvMqttRequestPublish').nsc_address = '0x0c1fe170')), {
      file: 'mqtt.json',
      pointer: '/functions/7/nsc_address',
      message: /has the Thumb bit clear/,
    }));

  it('catches placeholder prose', () =>
    expectProblem((s) => s.edit('network.json', (d) => (byName(d.functions, 'mvReleaseNetwork').errors[0].when = 'TODO')), {
      file: 'network.json',
      pointer: '/functions/1/errors/0/when',
      message: /the error condition is a placeholder/,
      rule: 'semantic/prose',
    }));

  it('catches a versioned struct without its v1 member', () =>
    expectProblem((s) => s.edit('network.json', (d) => (byName(d.structs, 'MvRequestNetworkParams').fields[1].union[0].name = 'version1')), {
      file: 'network.json',
      pointer: '/structs/0/versioned/versions',
      message: /version 1 has no "v1" member in the union/,
    }));

  it('catches an area named unlike its file', () =>
    expectProblem((s) => s.edit('network.json', (d) => (d.area = 'net')), { file: 'network.json', pointer: '/area', message: /area "net" is in file "network.json"/ }));
});

describe('all problems at once', () => {
  it('reports schema and semantic problems from several files in one run', () => {
    spec = copySpec();
    spec.edit('network.json', (d) => (byName(d.functions, 'mvGetNetworkStatus').params[1].direction = 'output'));
    spec.edit('channels.json', (d) => (byName(d.enums, 'MvClosureReason').constants[2].value = 1));
    spec.edit('mqtt.json', (d) => (mqttFn(d, 'mvMqttRequestConnect').errors[5].status = 'MV_STATUS_NOPE'));
    spec.edit('mqtt.json', (d) => (byName(d.limits, 'MQTT_WILL_QOS').min = 5));
    const { diagnostics } = validateSpec(spec.index);
    const files = new Set(diagnostics.map((d) => d.file.replace(/^.*\//, '')));
    expect(files).toEqual(new Set(['network.json', 'channels.json', 'mqtt.json']));
    expect(diagnostics.length).toBeGreaterThanOrEqual(4);
  });

  it('accepts the real spec with no problem at all', () => {
    spec = copySpec();
    expect(validateSpec(spec.index).diagnostics).toEqual([]);
  });
});
