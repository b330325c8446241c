/**
 * The host lowering: the tables both ends of the host bridge walk. Checked against the
 * vendor facts (test/fixtures/vendor/microvisor-abi.json) for offsets, and against the C types for writability.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel, Model } from '../src/index.js';
import { lowerForHost } from '../src/emit/host/lower.js';
import { hostEmitter } from '../src/emit/host/index.js';
import { SHM_REQUEST_AREA, SHM_WORDS, WIRE, protocolId } from '../src/emit/host/protocol.js';
import { REPO, SPEC_DIR } from './support/spec-copy.js';

const model = loadModel(join(SPEC_DIR, 'index.json'));
const tables = lowerForHost(model);
const facts = JSON.parse(readFileSync(join(REPO, 'test/fixtures/vendor/microvisor-abi.json'), 'utf8'));
const struct = (name: string) => tables.structs.find((s) => s.name === name)!;
const field = (s: string, path: string) => struct(s).fields.find((f) => f.path === path)!;

describe('host lowering', () => {
  it('lists every function in spec order with one entry per parameter', () => {
    expect(tables.functions.map((f) => f.name)).toEqual(model.functions.map((f) => f.name));
    for (const f of tables.functions) expect(f.params.length).toBe(model.fn(f.name).params.length);
  });

  it('uses the host ABI: 8-byte handles, x86_64 struct sizes from the vendor facts', () => {
    expect(tables.abi).toBe('x86_64');
    const factStructs = facts.structs as Record<string, { x86_64: { size: number } }>;
    let checked = 0;
    for (const s of tables.structs) {
      const fact = factStructs[s.name];
      if (!fact) continue;
      expect(s.size, s.name).toBe(fact.x86_64.size);
      checked++;
    }
    expect(checked).toBe(tables.structs.length);
    const handle = tables.functions.find((f) => f.name === 'mvGetNetworkStatus')!.params[0];
    expect(handle.value).toEqual({ kind: 'handle', size: 8 });
  });

  it('gives counted pointers their sibling count and unit', () => {
    const data = field('MvSizedString', 'data');
    expect(data.pointer).toMatchObject({ writable: false, elementSize: 1, count: { offset: 8, size: 4, unit: 'bytes' } });
    const subs = field('MvMqttSubscribeRequest', 'subscriptions');
    expect(subs.pointer?.count?.unit).toBe('elements');
    expect(subs.pointer?.to).toEqual({ kind: 'struct', struct: tables.structs.indexOf(struct('MvMqttSubscription')) });
  });

  it('marks what the kernel writes (non-const pointees) and guards versioned members', () => {
    expect(field('MvMqttMessage', 'qos').pointer?.writable).toBe(true);
    expect(field('MvNotificationSetup', 'buffer').pointer?.writable).toBe(true);
    expect(tables.functions.find((f) => f.name === 'mvMqttRequestConnect')!.params[1].pointer?.writable).toBe(false);
    const guard = field('MvOpenChannelParams', 'v1.receive_buffer').guard;
    expect(guard).toEqual({ offset: 0, size: 4, value: 1 });
    expect(field('MvOpenChannelParams', 'version').guard).toBeUndefined();
  });

  it('emits one C stub per function and the same tables for the device side', () => {
    const files = hostEmitter.emit(model, { generatorVersion: '0.0.0', specLabel: 'test', regenerate: 'mvgen generate' });
    const c = files.find((f) => f.path.endsWith('mvhost_functions.c'))!.contents;
    for (const f of model.functions) expect(c).toContain(` ${f.name}(`);
    const ts = files.find((f) => f.path.endsWith('tables.ts'))!.contents;
    expect(ts).toContain(JSON.stringify(tables, null, 2));
    expect(files.find((f) => f.path.endsWith('mvmqttHost.cmake'))!.contents).toContain('function(mvmqtt_add_host_firmware target)');
  });

  it('emits one protocol header for both C ends and the same constants for the TypeScript bridge', () => {
    const files = hostEmitter.emit(model, { generatorVersion: '0.0.0', specLabel: 'test', regenerate: 'mvgen generate' });
    const headers = files.filter((f) => f.path.endsWith('/mvhost_protocol.h'));
    expect(headers.map((h) => h.path).sort()).toEqual([`${model.product.outputs.c}/host/generated/mvhost_protocol.h`, `${model.product.outputs.host}/mvhost_protocol.h`].sort());
    expect(headers[0].contents).toBe(headers[1].contents);
    const ts = files.find((f) => f.path === `${model.product.outputs.host}/protocol.ts`)!.contents;
    const id = `0x${protocolId().toString(16).padStart(8, '0')}`;
    expect(headers[0].contents).toContain(`#define MVHOST_PROTOCOL_ID ${id}u`);
    expect(ts).toContain(`export const PROTOCOL_ID = ${id};`);
    for (const w of SHM_WORDS) {
      expect(headers[0].contents).toContain(`#define MVHOST_SHM_${w.name} ${w.offset}u`);
      expect(ts).toContain(`  ${w.name}: ${w.offset},`);
    }
    for (const w of WIRE) {
      expect(headers[0].contents).toContain(`#define MVHOST_${w.name} ${w.value}u`);
      expect(ts).toContain(`export const ${w.name} = ${w.value};`);
    }
  });

  it('lays the shared words out without overlap, before the request area', () => {
    const offsets = SHM_WORDS.map((w) => w.offset);
    expect(new Set(offsets).size).toBe(offsets.length);
    for (const o of offsets) {
      expect(o % 4).toBe(0);
      expect(o + 4).toBeLessThanOrEqual(SHM_REQUEST_AREA);
    }
    expect(SHM_REQUEST_AREA % 64).toBe(0);
  });
});

describe('host lowering of shapes the spec is growing into', () => {
  // A copy of the model with extra functions: a buffer counted by another parameter, a pointer
  // handed back through an out `T **`, and a `T **` the bridge does not marshal (an input).
  const data = structuredClone(model.data);
  const u8 = (text: string, pointer: number) => ({ text, base: { kind: 'int' as const, name: 'uint8_t' as const, bits: 8 as const, signed: false }, pointer, const: text.startsWith('const') });
  const u32 = { text: 'uint32_t', base: { kind: 'int' as const, name: 'uint32_t' as const, bits: 32 as const, signed: false }, pointer: 0, const: false };
  const template = data.functions[0];
  data.functions.push(
    {
      ...template,
      name: 'mvHostTestLog',
      params: [
        { name: 'message', type: u8('const uint8_t *', 1), direction: 'in', doc: '', countedBy: { param: 'length', unit: 'bytes' } } as never,
        { name: 'length', type: u32, direction: 'value', doc: '' },
      ],
    },
    { ...template, name: 'mvHostTestRead', params: [{ name: 'out', type: u8('uint8_t * *', 2), direction: 'out', doc: '' }] },
    { ...template, name: 'mvHostTestTake', params: [{ name: 'list', type: u8('uint8_t * *', 2), direction: 'in', doc: '' }] },
  );
  const grown = lowerForHost(new Model(data));

  it('takes a parameter count from the argument that holds it', () => {
    const log = grown.functions.find((f) => f.name === 'mvHostTestLog')!;
    expect(log.params[0].pointer?.count).toEqual({ offset: 0, size: 0, unit: 'bytes', arg: 1 });
    expect(log.unsupported).toBeUndefined();
  });

  it('hands back an address through an out pointer to a pointer', () => {
    const read = grown.functions.find((f) => f.name === 'mvHostTestRead')!;
    expect(read.unsupported).toBeUndefined();
    expect(read.params[0].pointer).toEqual({ to: { kind: 'address', size: 8 }, elementSize: 8, writable: true });
  });

  it('marks a function taking a pointer to a pointer as input as not forwardable, without failing generation', () => {
    const take = grown.functions.find((f) => f.name === 'mvHostTestTake')!;
    expect(take.unsupported).toMatch(/pointer to a pointer/);
    expect(take.params[0].value).toEqual({ kind: 'int', size: 8, signed: false });
  });

  it('marks memory lent to the kernel beyond the call (writable members that are not outs) as kept', () => {
    const kept = grown.structs.flatMap((s) => s.fields.filter((f) => f.pointer?.kept).map((f) => `${s.name}.${f.path}`));
    const expected = model.structs.flatMap((s) =>
      s.fieldPaths.filter(({ field }) => field.type.pointer === 1 && !field.type.const && field.direction !== 'out').map(({ path }) => `${s.name}.${path}`),
    );
    expect(kept).toEqual(expected);
    expect(kept).toContain('MvNotificationSetup.buffer');
    expect(kept).toContain('MvOpenChannelParams.v1.receive_buffer');
  });
});
