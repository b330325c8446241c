/**
 * The generated tables against the vendor facts (test/fixtures/vendor/microvisor-abi.json): every
 * MQTT-surface function with its parameters in order, and every struct field, with the shape the
 * C type calls for. The facts were measured from the vendor header, not from our spec.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FUNCTION_SCHEMAS, STRUCT_SCHEMAS, type Shape, type StructSchema } from '../src/index.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const facts = JSON.parse(readFileSync(join(REPO, 'test/fixtures/vendor/microvisor-abi.json'), 'utf8'));

interface FactField {
  name: string | null;
  kind?: string;
  c_type?: string;
  base?: string;
  pointer_depth?: number;
  pointee_const?: boolean;
  members?: FactField[];
}

/** The shapes a C type may take (counted pointers depend on the sibling that counts them). */
function shapesFor(f: { base: string; pointer_depth: number }): Shape['kind'][] {
  const base = f.base;
  if (f.pointer_depth === 0) {
    if (base.startsWith('struct ')) return ['struct'];
    if (base.startsWith('enum ')) return ['enum'];
    if (/^Mv\w+Handle$/.test(base)) return ['handle'];
    return ['int'];
  }
  if (base.startsWith('struct ')) return ['ref', 'array', 'records'];
  if (base === 'uint8_t') return ['bytes', 'box'];
  if (base === 'uint32_t') return ['ints', 'box'];
  return ['box'];
}

function leafFields(fields: FactField[], prefix = ''): { path: string; f: FactField }[] {
  return fields.flatMap((f) => {
    if (f.kind === 'union') return f.members!.flatMap((m) => leafFields(m.members!, `${prefix}${m.name}.`));
    return [{ path: `${prefix}${f.name}`, f }];
  });
}

/** Every function of the vendor header: the MQTT surface and the other areas. */
const allFunctions: Record<string, { params: unknown[] }> = { ...facts.functions, ...facts.functions_other };

describe('FUNCTION_SCHEMAS', () => {
  const names = Object.keys(FUNCTION_SCHEMAS);
  it('has every function of the vendor header', () => {
    expect([...names].sort()).toEqual(Object.keys(allFunctions).sort());
  });

  for (const fn of names) {
    it(`${fn}: parameters, directions and shapes`, () => {
      const params = FUNCTION_SCHEMAS[fn as keyof typeof FUNCTION_SCHEMAS].params;
      const fact = allFunctions[fn].params as { name: string; base: string; pointer_depth: number; direction: string }[];
      expect(params.map((p) => [p.name, p.direction])).toEqual(fact.map((p) => [p.name, p.direction]));
      params.forEach((p, i) => expect(shapesFor(fact[i])).toContain(p.shape.kind));
    });
  }
});

describe('STRUCT_SCHEMAS', () => {
  const schemas = STRUCT_SCHEMAS as Readonly<Record<string, StructSchema>>;
  const mqttStructs = Object.keys(schemas);
  it('covers every struct the functions reach', () => {
    for (const name of mqttStructs) expect(facts.structs[name], name).toBeDefined();
  });

  for (const name of mqttStructs) {
    it(`${name}: field paths and shapes`, () => {
      const fact = leafFields(facts.structs[name].fields as FactField[]);
      const schema = schemas[name];
      expect(schema.fields.map((f) => f.path)).toEqual(fact.map((f) => f.path));
      schema.fields.forEach((f, i) => expect(shapesFor(fact[i].f as never)).toContain(f.shape.kind));
    });
  }

  it('puts each limit on the field it names', () => {
    const notif = schemas.MvNotificationSetup.fields.find((f) => f.path === 'buffer_size')!;
    expect(notif.limits).toContain('NOTIFICATION_BUFFER_SIZE_MIN');
    const sub = schemas.MvMqttSubscribeRequest.fields.find((f) => f.path === 'num_subscriptions')!;
    expect(sub.limits).toContain('MQTT_TOPICS_PER_REQUEST_MAX');
    expect(sub.counts).toBe('subscriptions');
  });
});
