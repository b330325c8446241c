/**
 * The model against the vendor facts (read from test/fixtures/vendor/microvisor-abi.json as an
 * oracle): every struct's size, alignment and field offsets on the device (arm32) and the
 * x86_64 host, every enum's size and constants, and every function's signature, error
 * table and call address.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel, type FieldModel } from '../src/index.js';
import { REPO, SPEC_DIR } from './support/spec-copy.js';

const facts = JSON.parse(readFileSync(join(REPO, 'test/fixtures/vendor/microvisor-abi.json'), 'utf8'));
const model = loadModel(join(SPEC_DIR, 'index.json'));
const ABIS = ['arm32', 'x86_64'] as const;

interface FactField {
  name: string | null;
  kind?: 'union' | 'struct';
  members?: FactField[];
  c_type?: string;
  arm32: { offset: number; size: number };
  x86_64: { offset: number; size: number };
}

/** Leaf fields of a facts struct with their dotted paths (`v1.notification_handle`). */
function factLeaves(fields: FactField[], prefix = ''): [string, FactField][] {
  return fields.flatMap((f): [string, FactField][] => {
    if (f.kind === 'union') return factLeaves(f.members!, prefix);
    if (f.kind === 'struct') return factLeaves(f.members!, `${prefix}${f.name}.`);
    return [[`${prefix}${f.name}`, f]];
  });
}

const mqttStructs = Object.entries(facts.structs).filter(([, s]: [string, any]) => s.mqtt_surface) as [string, any][];
const mqttEnums = Object.entries(facts.enums).filter(([, e]: [string, any]) => e.mqtt_surface) as [string, any][];
const mqttFunctions = Object.entries(facts.functions).filter(([, f]: [string, any]) => f.mqtt_surface) as [string, any][];

describe('the spec covers the MQTT surface of the device header', () => {
  it('has every struct, enum, handle typedef and function, and nothing else', () => {
    expect(model.structs.map((s) => s.name).sort()).toEqual(mqttStructs.map(([n]) => n).sort());
    expect(model.enums.map((e) => e.name).sort()).toEqual(mqttEnums.map(([n]) => n).sort());
    expect(model.functions.map((f) => f.name).sort()).toEqual(mqttFunctions.map(([n]) => n).sort());
    const handleFacts = Object.entries(facts.typedefs).filter(([, t]: [string, any]) => t.mqtt_surface);
    expect(model.typedefs.map((t) => [t.name, t.opaqueStruct]).sort()).toEqual(handleFacts.map(([n, t]: [string, any]) => [n, t.opaque_struct_tag]).sort());
    expect(mqttStructs).toHaveLength(facts.counts.structs_mqtt_surface);
    expect(mqttEnums).toHaveLength(facts.counts.enums_mqtt_surface);
  });

  it('has all 40 MvStatus values with the sentinel', () => {
    const status = model.statusEnum;
    const spec = Object.fromEntries([...status.constants.map((c) => [c.name, c.value]), [status.sentinel.name, status.sentinel.value]]);
    expect(spec).toEqual(facts.status);
    expect(Object.keys(spec)).toHaveLength(facts.counts.status_constants_including_MAX);
  });
});

describe.each(mqttEnums)('enum %s', (name, fact) => {
  const e = model.enum(name);
  it('has the header constants, values and sentinel', () => {
    const spec = Object.fromEntries([...e.constants.map((c) => [c.name, c.value]), [e.sentinel.name, e.sentinel.value]]);
    expect(spec).toEqual(fact.constants);
    expect(e.sentinel.name).toBe(fact.size_sentinel);
    expect(e.bitmask).toBe(fact.is_bitmask);
  });
  it('has the measured size on the device and on the host', () => {
    expect(e.size.arm32).toBe(fact.size_bytes_arm_none_eabi);
    expect(e.size.x86_64).toBe(fact.size_bytes_int_enums);
  });
});

describe.each(mqttStructs)('struct %s', (name, fact) => {
  const s = model.struct(name);
  const specFields = new Map<string, FieldModel>(s.fieldPaths.map((p) => [p.path, p.field]));
  const leaves = factLeaves(fact.fields);

  it('has the header fields in order with their exact C types', () => {
    expect(s.fieldPaths.map((p) => [p.path, p.field.type.text])).toEqual(leaves.map(([path, f]) => [path, f.c_type]));
    expect(Boolean(s.versioned)).toBe(fact.versioned);
  });

  it.each(ABIS)('has the measured size, alignment and field offsets on %s', (abi) => {
    expect(s.layout[abi]).toEqual({ size: fact[abi].size, align: fact[abi].align });
    for (const [path, f] of leaves) {
      const mine = specFields.get(path)!.layout[abi];
      expect({ path, offset: mine.offset, size: mine.size }).toEqual({ path, offset: f[abi].offset, size: f[abi].size });
    }
  });

  it('marks the pointers the kernel writes through', () => {
    expect(s.kernelWrites).toBe(fact.kernel_writes_through_member_pointers);
  });
});

describe.each(mqttFunctions)('function %s', (name, fact) => {
  const f = model.fn(name);
  it('has the header prototype, parameter directions and call address', () => {
    expect(f.returns.text).toBe(fact.return_type);
    expect(f.params.map((p) => [p.name, p.type.text, p.direction])).toEqual(fact.params.map((p: any) => [p.name, p.c_type, p.direction]));
    expect(f.nscAddress).toBe(parseInt(fact.nsc_address, 16));
    expect(f.area).toBe(fact.area);
  });
  it('lists every documented error status, in the header order, plus only marked inferred rows', () => {
    const header = f.errors.filter((e) => e.source === 'header').map((e) => e.status);
    expect(header).toEqual(fact.documented_error_statuses);
    for (const e of f.errors.filter((x) => x.source === 'inferred')) expect(fact.documented_error_statuses).not.toContain(e.status);
  });
  it('carries every documented limit', () => {
    const lim = fact.documented_limits ?? {};
    const byName = (n: string) => model.limit(n);
    const checks: Record<string, () => number | boolean | undefined> = {
      max_simultaneous_notification_objects: () => byName('NOTIFICATION_BUFFERS_MAX').value,
      buffer_size_multiple_of_bytes: () => byName('NOTIFICATION_BUFFER_SIZE_MULTIPLE').value,
      buffer_size_min_bytes: () => byName('NOTIFICATION_BUFFER_SIZE_MIN').value,
      max_simultaneous_channels: () => byName('CHANNELS_OPEN_MAX').value,
      rate_limit_calls: () => byName('CHANNEL_OPEN_RATE').value,
      rate_limit_retry_after_s: () => byName('CHANNEL_OPEN_RATE').windowMs! / 1000,
      max_certificates_per_chain: () => byName('TLS_CERTIFICATES_PER_CHAIN_MAX').value,
      connects_per_channel_lifetime: () => byName('MQTT_CONNECTS_PER_CHANNEL').value,
      max_topics_per_request: () => byName('MQTT_TOPICS_PER_REQUEST_MAX').value,
      concurrent_requests_serviced: () => byName(name === 'mvMqttRequestSubscribe' ? 'MQTT_SUBSCRIBES_IN_FLIGHT_MAX' : 'MQTT_UNSUBSCRIBES_IN_FLIGHT_MAX').value,
      irq_must_not_be_fast_interrupt: () => f.errors.some((e) => e.status === 'MV_STATUS_INVALIDINTERRUPT'),
      requires_network_connected: () => f.errors.some((e) => e.status === 'MV_STATUS_NETWORKNOTCONNECTED'),
    };
    for (const [k, v] of Object.entries(lim)) {
      expect(checks[k], `no check for documented limit ${k}`).toBeDefined();
      expect([k, checks[k]()]).toEqual([k, v]);
    }
  });
});

describe('errata', () => {
  it('cover every discrepancy the facts record between the vendor page and the header', () => {
    const real = facts.doc_discrepancies.filter((d: any) => !/no discrepancy/.test(d.header) && d.item !== 'names in the project brief');
    // The spec keeps the facts' discrepancy ids for these, so each one can be traced.
    for (const d of real) expect(model.errata.find((e) => e.id === d.id)?.header, `${d.id}: ${d.item}`).toBeTruthy();
  });
});
