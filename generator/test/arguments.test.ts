/**
 * The argument decoder the SDK generates (`arguments.ts`), on a small spec built here: one
 * fixed-arity check per call and per struct, printed from the C types, count fields, versions,
 * handle kinds and limits alone. The output is generated as for a user's own spec, compiled with
 * the TypeScript compiler and run against the SDK's run-time half, so each check is seen to
 * return the documented status (and the expected statuses are written here, not computed).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LimitSetting } from '@mvmqtt/sdk/runtime';
import { generate } from '../src/index.js';
import { REPO } from './support/spec-copy.js';
import { area, smallSpec, type SmallSpec } from './support/small-spec.js';

const doc = (what: string) => `The ${what}, for the argument-decoder test.`;
const err = (status: string, when = 'The gizmo refuses.') => ({ status, when, issued: false });

function gizmoArea() {
  return area('gizmo', {
    typedefs: [{ name: 'MvGizmoHandle', kind: 'handle', opaque_struct: 'MvGizmoHandleOpaque', doc: doc('handle type') }],
    enums: [
      {
        name: 'MvGizmoMode',
        doc: doc('mode enum'),
        sentinel: { name: 'MV_GIZMOMODE__MAX', value: '0xffffffff' },
        constants: [
          { name: 'MV_GIZMOMODE_IDLE', value: 0, doc: doc('idle') },
          { name: 'MV_GIZMOMODE_RUN', value: 1, doc: doc('run') },
        ],
      },
    ],
    structs: [
      {
        name: 'MvGizmoSettings',
        doc: doc('settings'),
        fields: [
          { name: 'port', type: 'uint16_t', doc: doc('16-bit port') },
          { name: 'name', type: 'const uint8_t *', doc: doc('name bytes') },
          { name: 'name_len', type: 'uint32_t', counts: 'name', count_unit: 'bytes', doc: doc('name length') },
          { name: 'level', type: 'uint32_t', doc: doc('level, limited') },
          { name: 'mode', type: 'enum MvGizmoMode', doc: doc('mode') },
        ],
      },
      {
        name: 'MvGizmoParams',
        doc: doc('versioned params'),
        versioned: { field: 'version', versions: [1] },
        fields: [
          { name: 'version', type: 'uint32_t', doc: doc('version') },
          {
            doc: doc('versions'),
            union: [{ name: 'v1', doc: doc('version 1'), fields: [{ name: 'tag', type: 'uint32_t', doc: doc('tag') }] }],
          },
        ],
      },
    ],
    functions: [
      {
        name: 'mvGizmoConfigure',
        doc: doc('configure call'),
        nsc_address: '0x0c1ff201',
        params: [
          { name: 'handle', type: 'MvGizmoHandle', direction: 'value', doc: doc('gizmo') },
          { name: 'settings', type: 'const struct MvGizmoSettings *', direction: 'in', doc: doc('settings') },
        ],
        errors: [err('MV_STATUS_PARAMETERFAULT'), err('MV_STATUS_INVALIDHANDLE'), err('MV_STATUS_INVALIDBUFFERSIZE', 'The level is above 7.')],
      },
      {
        name: 'mvGizmoOpen',
        doc: doc('open call'),
        nsc_address: '0x0c1ff209',
        params: [
          { name: 'params', type: 'const struct MvGizmoParams *', direction: 'in', doc: doc('params') },
          { name: 'handle', type: 'MvGizmoHandle *', direction: 'out', doc: doc('new handle') },
        ],
        errors: [err('MV_STATUS_PARAMETERFAULT'), err('MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION', 'The version is not 1.')],
      },
      {
        name: 'mvGizmoTune',
        doc: doc('tune call: integers by value'),
        nsc_address: '0x0c1ff211',
        params: [
          { name: 'handle', type: 'MvGizmoHandle', direction: 'value', doc: doc('gizmo') },
          { name: 'channel', type: 'uint16_t', direction: 'value', doc: doc('16-bit channel') },
          { name: 'offset', type: 'int32_t', direction: 'value', doc: doc('signed offset') },
          { name: 'mode', type: 'enum MvGizmoMode', direction: 'value', doc: doc('mode') },
          { name: 'dial', type: 'uint32_t', direction: 'value', doc: doc('dial, ranged') },
        ],
        errors: [err('MV_STATUS_PARAMETERFAULT'), err('MV_STATUS_INVALIDHANDLE'), err('MV_STATUS_INVALIDBUFFERSIZE', 'The dial is outside 1 to 9.')],
      },
      {
        name: 'mvGizmoPoke',
        doc: doc('poke call: one way to fail'),
        nsc_address: '0x0c1ff219',
        params: [{ name: 'word', type: 'uint32_t', direction: 'value', doc: doc('word') }],
        errors: [err('MV_STATUS_PERIPHERALACCESSFAULT', 'The gizmo refuses the word.')],
      },
      {
        name: 'mvGizmoNudge',
        doc: doc('nudge call: no status for a bad value'),
        nsc_address: '0x0c1ff221',
        params: [
          { name: 'handle', type: 'MvGizmoHandle', direction: 'value', doc: doc('gizmo') },
          { name: 'amount', type: 'uint32_t', direction: 'value', doc: doc('amount') },
        ],
        errors: [err('MV_STATUS_INVALIDHANDLE')],
      },
    ],
    limits: [
      {
        name: 'GIZMO_LEVEL_MAX',
        doc: doc('highest level'),
        kind: 'max',
        value: 7,
        unit: 'value',
        applies_to: ['MvGizmoSettings.level'],
        functions: ['mvGizmoConfigure'],
        status: 'MV_STATUS_INVALIDBUFFERSIZE',
        source: 'inferred',
        configurable: true,
      },
      {
        name: 'GIZMO_DIAL_RANGE',
        doc: doc('dial range'),
        kind: 'range',
        min: 1,
        max: 9,
        unit: 'value',
        applies_to: ['mvGizmoTune.dial'],
        functions: ['mvGizmoTune'],
        status: 'MV_STATUS_INVALIDBUFFERSIZE',
        source: 'inferred',
      },
    ],
  });
}

let spec: SmallSpec;
let project: string;
let text: string;
type Check = (...args: unknown[]) => number;
let checks: Record<string, Check>;
let runtime: typeof import('@mvmqtt/sdk/runtime');
let statuses: Record<string, number>;

beforeAll(async () => {
  spec = smallSpec([gizmoArea()]);
  project = mkdtempSync(join(tmpdir(), 'mvgen-arguments-'));
  generate({ specPath: spec.index, outRoot: join(project, 'out'), targets: ['ts'], mode: 'write' });
  // Run it as a project that installed the SDK would: the run-time half from the package by name.
  mkdirSync(join(project, 'node_modules/@mvmqtt'), { recursive: true });
  symlinkSync(join(REPO, 'packages/sdk'), join(project, 'node_modules/@mvmqtt/sdk'), 'dir');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
  const dir = join(project, 'out/packages/sdk/src/generated');
  text = readFileSync(join(dir, 'arguments.ts'), 'utf8');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const js = ts.transpileModule(readFileSync(join(dir, f), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText;
    writeFileSync(join(dir, f.replace(/\.ts$/, '.js')), js);
  }
  checks = (await import(pathToFileURL(join(dir, 'arguments.js')).href)) as Record<string, Check>;
  runtime = await import('@mvmqtt/sdk/runtime');
  statuses = (await import('@mvmqtt/sdk')) as unknown as Record<string, number>;
}, 120_000);

afterAll(() => {
  spec?.dispose();
  if (project) rmSync(project, { recursive: true, force: true });
});

const LIVE = 0x1234;

/** A check's state over a world with one live gizmo handle and the spec's limit (or `limit` instead). */
function checker(limit?: LimitSetting | null) {
  return new runtime.ArgumentCheck({
    lookup: (type, value) => (type === 'MvGizmoHandle' && value === LIVE ? {} : undefined),
    limit: (name) =>
      name === 'GIZMO_LEVEL_MAX'
        ? limit === null
          ? undefined
          : (limit ?? { kind: 'max', value: 7, status: statuses.MV_STATUS_INVALIDBUFFERSIZE as LimitSetting['status'] })
        : name === 'GIZMO_DIAL_RANGE'
          ? { kind: 'range', min: 1, max: 9, status: statuses.MV_STATUS_INVALIDBUFFERSIZE as LimitSetting['status'] }
          : undefined,
    addressOf: () => 0,
  });
}

const settings = (over: Record<string, unknown> = {}) => ({ port: 8883, name: new Uint8Array(4), name_len: 4, level: 3, mode: 1, ...over });
const name = (s: number) => Object.keys(statuses).find((k) => k.startsWith('MV_STATUS_') && statuses[k] === s);

describe('printed', () => {
  it('one fixed-arity function per call and per struct, named after them', () => {
    expect(Object.keys(checks).filter((k) => typeof checks[k] === 'function').sort()).toEqual([
      'checkMvGizmoParams',
      'checkMvGizmoSettings',
      'mvGizmoConfigureArguments',
      'mvGizmoNudgeArguments',
      'mvGizmoOpenArguments',
      'mvGizmoPokeArguments',
      'mvGizmoTuneArguments',
    ]);
    expect(checks.mvGizmoConfigureArguments.length).toBe(3); // the check state, then one argument per parameter
    expect(checks.mvGizmoOpenArguments.length).toBe(3);
    expect(Object.keys(checks.ARGUMENT_CHECKS as unknown as object).sort()).toEqual(['mvGizmoConfigure', 'mvGizmoNudge', 'mvGizmoOpen', 'mvGizmoPoke', 'mvGizmoTune']);
  });

  it('says which spec fact each check enforces', () => {
    expect(text).toContain('// port: uint16_t');
    expect(text).toContain('// level: uint32_t; limits GIZMO_LEVEL_MAX');
    expect(text).toContain('// name: pointer counted by name_len');
    expect(text).toContain('// version: selects the union member (1 → v1)');
    expect(text).toContain('// handle: a live MvGizmoHandle');
    expect(text).toContain('// channel: uint16_t');
    expect(text).toContain('// offset: int32_t');
    expect(text).toContain('// dial: uint32_t; limits GIZMO_DIAL_RANGE');
    // No argument array and no rest parameters: the device calls these once per system call.
    expect(text).not.toMatch(/\.\.\.args|arguments\[/);
  });
});

describe('run', () => {
  it('a uint16_t field: a value wider than 16 bits, negative or fractional is PARAMETERFAULT', () => {
    const c = checker();
    expect(name(checks.mvGizmoConfigureArguments(c, LIVE, settings()))).toBe('MV_STATUS_OKAY');
    expect(name(checks.mvGizmoConfigureArguments(c, LIVE, settings({ port: 0xffff })))).toBe('MV_STATUS_OKAY');
    for (const port of [0x10000, -1, 1.5, '80', undefined]) expect(name(checks.mvGizmoConfigureArguments(c, LIVE, settings({ port }))), String(port)).toBe('MV_STATUS_PARAMETERFAULT');
    expect(c.reason).toMatch(/^settings\.port /);
  });

  it('integers by value: each fits its C type (uint16_t, int32_t, an enum in 32 bits), else PARAMETERFAULT, in parameter order', () => {
    const c = checker();
    const tune = (over: Record<string, unknown> = {}) => {
      const a = { channel: 0xffff, offset: -5, mode: 1, dial: 5, ...over };
      return name(checks.mvGizmoTuneArguments(c, LIVE, a.channel, a.offset, a.mode, a.dial));
    };
    expect(tune()).toBe('MV_STATUS_OKAY');
    expect(tune({ offset: -0x8000_0000 })).toBe('MV_STATUS_OKAY');
    for (const channel of [0x10000, -1, 1.5, '80', undefined, 1n]) expect(tune({ channel }), String(channel)).toBe('MV_STATUS_PARAMETERFAULT');
    expect(c.reason).toMatch(/^channel /);
    for (const offset of [0x8000_0000, -0x8000_0001, 0.5, null]) expect(tune({ offset }), String(offset)).toBe('MV_STATUS_PARAMETERFAULT');
    for (const mode of [2 ** 32, -1, 'RUN']) expect(tune({ mode }), String(mode)).toBe('MV_STATUS_PARAMETERFAULT');
    // A dead handle comes first; then the first bad value.
    expect(name(checks.mvGizmoTuneArguments(c, 0x999, 1.5, 0, 0, 5))).toBe('MV_STATUS_INVALIDHANDLE');
    expect(name(checks.mvGizmoTuneArguments(c, LIVE, 0x10000, 1.5, 0, 5))).toBe('MV_STATUS_PARAMETERFAULT');
    expect(c.reason).toMatch(/^channel /);
  });

  it('an integer by value with a range limit: a value outside its type is outside the range (the limit\'s status)', () => {
    const c = checker();
    for (const dial of [2 ** 32, -1]) expect(name(checks.mvGizmoTuneArguments(c, LIVE, 1, 0, 0, dial)), String(dial)).toBe('MV_STATUS_INVALIDBUFFERSIZE');
    // Inside the range but not an integer: only the width says what is wrong.
    expect(name(checks.mvGizmoTuneArguments(c, LIVE, 1, 0, 0, 4.5))).toBe('MV_STATUS_PARAMETERFAULT');
    // The range itself, for a value inside the type, is the behaviour's (not held here).
    expect(name(checks.mvGizmoTuneArguments(c, LIVE, 1, 0, 0, 10))).toBe('MV_STATUS_OKAY');
  });

  it('a call without PARAMETERFAULT: its one fault if it lists only one, else the value is passed on unchecked', () => {
    const c = checker();
    expect(name(checks.mvGizmoPokeArguments(c, 7))).toBe('MV_STATUS_OKAY');
    for (const word of [2 ** 32, -1, 'x']) expect(name(checks.mvGizmoPokeArguments(c, word)), String(word)).toBe('MV_STATUS_PERIPHERALACCESSFAULT');
    // INVALIDHANDLE is about the handle, not about a value.
    expect(name(checks.mvGizmoNudgeArguments(c, LIVE, 2 ** 32))).toBe('MV_STATUS_OKAY');
    expect(name(checks.mvGizmoNudgeArguments(c, 0x999, 2 ** 32))).toBe('MV_STATUS_INVALIDHANDLE');
  });

  it('a pointer with its length in a sibling field: the memory must hold that many bytes (text counts UTF-8)', () => {
    const c = checker();
    expect(name(checks.mvGizmoConfigureArguments(c, LIVE, settings({ name_len: 5 })))).toBe('MV_STATUS_PARAMETERFAULT');
    expect(name(checks.mvGizmoConfigureArguments(c, LIVE, settings({ name: 'héllo', name_len: 6 })))).toBe('MV_STATUS_OKAY');
    expect(name(checks.mvGizmoConfigureArguments(c, LIVE, settings({ name: 'héllo', name_len: 7 })))).toBe('MV_STATUS_PARAMETERFAULT');
    expect(name(checks.mvGizmoConfigureArguments(c, LIVE, settings({ name: null, name_len: 0 })))).toBe('MV_STATUS_OKAY');
  });

  it('a limit from the limit book: its status; a limit switched off is not held', () => {
    expect(name(checks.mvGizmoConfigureArguments(checker(), LIVE, settings({ level: 8 })))).toBe('MV_STATUS_INVALIDBUFFERSIZE');
    expect(name(checks.mvGizmoConfigureArguments(checker(null), LIVE, settings({ level: 8 })))).toBe('MV_STATUS_OKAY');
  });

  it('an enum field: a value the enum does not define is PARAMETERFAULT', () => {
    expect(name(checks.mvGizmoConfigureArguments(checker(), LIVE, settings({ mode: 2 })))).toBe('MV_STATUS_PARAMETERFAULT');
  });

  it('handles and pointers: a dead handle is INVALIDHANDLE, NULL is PARAMETERFAULT, in parameter order', () => {
    const c = checker();
    expect(name(checks.mvGizmoConfigureArguments(c, 0x999, settings()))).toBe('MV_STATUS_INVALIDHANDLE');
    expect(name(checks.mvGizmoConfigureArguments(c, LIVE, null))).toBe('MV_STATUS_PARAMETERFAULT');
    expect(name(checks.mvGizmoConfigureArguments(c, 0x999, null))).toBe('MV_STATUS_INVALIDHANDLE');
  });

  it('a versioned struct: an unknown version is UNSUPPORTEDSTRUCTUREVERSION, a missing member PARAMETERFAULT', () => {
    const c = checker();
    const out = { value: 0 };
    expect(name(checks.mvGizmoOpenArguments(c, { version: 1, v1: { tag: 5 } }, out))).toBe('MV_STATUS_OKAY');
    expect(name(checks.mvGizmoOpenArguments(c, { version: 2, v1: { tag: 5 } }, out))).toBe('MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION');
    expect(name(checks.mvGizmoOpenArguments(c, { version: 1 }, out))).toBe('MV_STATUS_PARAMETERFAULT');
    expect(name(checks.mvGizmoOpenArguments(c, { version: 1, v1: { tag: -1 } }, out))).toBe('MV_STATUS_PARAMETERFAULT');
    expect(name(checks.mvGizmoOpenArguments(c, { version: 1, v1: { tag: 5 } }, Object.freeze({ value: 0 })))).toBe('MV_STATUS_PARAMETERFAULT');
  });
});
