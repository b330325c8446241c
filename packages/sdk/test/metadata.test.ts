/**
 * The generated data tables against the vendor facts measured from the real header and object
 * file (the ABI oracle), and against numbers the vendor documents.
 */
import { describe, expect, it } from 'vitest';
import {
  DEVICE_ABI,
  ENUM_NAMES,
  FUNCTIONS,
  LAYOUTS,
  LIMITS,
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED,
  MV_STATUS_LATEFAULT,
  MvStatus,
  READABLE_DATA,
  SPEC,
  STATUS_NAMES,
  statusName,
  type MvFunctionName,
} from '../src/index.js';
import { abiOracle, oracleFieldPaths } from './support.js';

const oracle = abiOracle();
const functionNames = Object.keys(FUNCTIONS) as MvFunctionName[];

describe('FUNCTIONS', () => {
  it('lists every syscall of the vendor header', () => {
    expect([...functionNames].sort()).toEqual(Object.keys(oracle.functions).sort());
  });

  it.each(functionNames)('%s: NSC address and header-documented statuses match the header', (name) => {
    const fn = FUNCTIONS[name];
    const facts = oracle.functions[name];
    expect(fn.nscAddress).toBe(Number.parseInt(facts.nsc_address, 16));
    const fromHeader = fn.errors.filter((e) => e.source === 'header').map((e) => e.name);
    expect(fromHeader).toEqual(facts.documented_error_statuses);
    for (const e of fn.errors) expect(e.status).toBe(MvStatus[e.name]);
  });

  it('marks LATEFAULT on a request as issued, and nothing on a plain argument check', () => {
    const connect = FUNCTIONS.mvMqttRequestConnect.errors;
    expect(connect.find((e) => e.status === MV_STATUS_LATEFAULT)?.issued).toBe(true);
    expect(connect.find((e) => e.name === 'MV_STATUS_PARAMETERFAULT')?.issued).toBe(false);
  });
});

describe('LIMITS', () => {
  it('carries the vendor numbers', () => {
    expect(LIMITS.MQTT_TOPICS_PER_REQUEST_MAX.value).toBe(8);
    expect(LIMITS.CHANNELS_OPEN_MAX.value).toBe(4);
    expect(LIMITS.MQTT_SUBSCRIBE_QOS.max).toBe(1);
    expect(LIMITS.NOTIFICATION_BUFFERS_MAX.value).toBe(32);
  });

  it('names only known functions, and each function lists the limits that name it', () => {
    for (const [name, limit] of Object.entries(LIMITS)) {
      for (const f of limit.functions) expect(FUNCTIONS[f].limits as readonly string[]).toContain(name);
    }
  });
});

describe('READABLE_DATA', () => {
  it('pairs each readable item with the call that reads it', () => {
    expect(READABLE_DATA[MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE]).toEqual({
      name: 'MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE',
      consumer: 'mvMqttReadConnectResponse',
      producers: ['mvMqttRequestConnect'],
      unsolicited: false,
    });
    expect(READABLE_DATA[MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED]?.consumer).toBe('mvMqttReceiveMessage');
    expect(READABLE_DATA[MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED]?.unsolicited).toBe(true);
  });

  it('agrees with FUNCTIONS in both directions', () => {
    for (const info of Object.values(READABLE_DATA)) {
      expect(FUNCTIONS[info.consumer]).toHaveProperty('consumes');
      for (const p of info.producers) expect(FUNCTIONS[p].produces.length).toBeGreaterThan(0);
    }
  });
});

describe('enum names and values', () => {
  it('match the header, sentinels aside', () => {
    for (const [enumName, names] of Object.entries(ENUM_NAMES)) {
      const constants = Object.entries(oracle.enums[enumName].constants).filter(([n]) => !n.endsWith('__MAX'));
      const expected = Object.fromEntries(constants.map(([n, v]) => [String(v), n]));
      expect(names, enumName).toEqual(expected);
    }
  });

  it('statusName reads a status back, even one the spec does not define', () => {
    expect(statusName(19)).toBe('MV_STATUS_LATEFAULT');
    expect(STATUS_NAMES[0]).toBe('MV_STATUS_OKAY');
    expect(statusName(4242)).toBe('MvStatus(4242)');
  });
});

describe('LAYOUTS', () => {
  const structs = Object.keys(LAYOUTS) as (keyof typeof LAYOUTS)[];

  it.each(structs)('%s matches the compilers on both ABIs', (name) => {
    const facts = oracle.structs[name];
    const layout = LAYOUTS[name];
    expect(layout.arm32).toMatchObject(facts.arm32);
    expect(layout.x86_64).toMatchObject(facts.x86_64);
    const paths = oracleFieldPaths(facts.fields);
    expect(layout.arm32.fields).toEqual(Object.fromEntries(Object.entries(paths).map(([p, f]) => [p, f.arm32])));
    expect(layout.x86_64.fields).toEqual(Object.fromEntries(Object.entries(paths).map(([p, f]) => [p, f.x86_64])));
  });

  it('names the device ABI', () => {
    expect(DEVICE_ABI).toBe('arm32');
  });
});

describe('SPEC', () => {
  it('names the vendor SDK the header came from', () => {
    expect(SPEC.vendorSdkVersion).toBe('0.7.0');
    expect(SPEC.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
