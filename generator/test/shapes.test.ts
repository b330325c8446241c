/**
 * The call shapes of the whole Microvisor surface, each on a small spec built here rather than
 * on the real one: a buffer with a length parameter, a pointer-to-pointer output with an out
 * length, limits on integer parameters (an exact length, an address alignment), call context
 * (no interrupt, test mode only, no return), a one-byte enum by value and by pointer, two
 * readable-data enums and two event enums, and a versioned output struct the application
 * half-fills. Each shape goes through validation, the model, and the C, TypeScript and docs
 * targets; the C header and the docs examples are compiled with -Werror, and the prototypes
 * are checked by type identity.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, loadModel, validateSpec, type Model } from '../src/index.js';
import { describeWithTools } from '../../test/support/tools.js';
import { area, smallSpec, type SmallSpec } from './support/small-spec.js';

const doc = (what: string) => `The ${what}, for the shapes test.`;
const handle = (name = 'h') => ({ name, type: 'MvGadgetHandle', direction: 'value', doc: doc('gadget handle') });
const err = (status: string, when = 'The gadget refuses.') => ({ status, when, issued: false });
let addr = 0x0c1ff001;
const fn = (name: string, params: unknown[], errors: unknown[], extra: Record<string, unknown> = {}) => ({
  name,
  doc: doc(`call ${name}`),
  nsc_address: `0x${(addr += 8).toString(16).padStart(8, '0')}`,
  params,
  errors,
  ...extra,
});
const enumOf = (name: string, prefix: string, sentinel: '0xff' | '0xffffffff', constants: [string, number, boolean?][]) => ({
  name,
  doc: doc(`enum ${name}`),
  sentinel: { name: `${prefix}__MAX`, value: sentinel },
  constants: constants.map(([c, value, unsolicited]) => ({ name: `${prefix}_${c}`, value, doc: doc(`constant ${c}`), ...(unsolicited ? { unsolicited } : {}) })),
});

/** One area holding every new shape. */
function gadgetArea() {
  return area('gadget', {
    typedefs: [{ name: 'MvGadgetHandle', kind: 'handle', opaque_struct: 'MvGadgetHandleOpaque', doc: doc('handle type') }],
    enums: [
      enumOf('MvGadgetMode', 'MV_GADGETMODE', '0xff', [['IDLE', 0], ['RUN', 1]]),
      enumOf('MvGadgetEvent', 'MV_GADGETEVENT', '0xffffffff', [['READY', 1]]),
      enumOf('MvGadgetSignal', 'MV_GADGETSIGNAL', '0xffffffff', [['ALARM', 1]]),
      enumOf('MvGadgetItem', 'MV_GADGETITEM', '0xffffffff', [['SAMPLE', 0]]),
      enumOf('MvGadgetLogItem', 'MV_GADGETLOGITEM', '0xffffffff', [['LINE', 0, true]]),
      enumOf('MvGadgetResult', 'MV_GADGETRESULT', '0xffffffff', [['OK', 0], ['TOOLONG', 1]]),
    ],
    structs: [
      {
        name: 'MvGadgetInfo',
        doc: doc('versioned info struct'),
        versioned: { field: 'version', versions: [1] },
        fields: [
          { name: 'version', type: 'uint32_t', doc: doc('version') },
          {
            doc: doc('versions'),
            union: [
              {
                name: 'v1',
                doc: doc('version 1'),
                fields: [
                  { name: 'mode', type: 'enum MvGadgetMode', doc: doc('mode') },
                  { name: 'size', type: 'uint32_t', doc: doc('size') },
                ],
              },
            ],
          },
        ],
      },
      {
        name: 'MvGadgetQuery',
        doc: doc('versioned struct of output pointers'),
        versioned: { field: 'version', versions: [1] },
        fields: [
          { name: 'version', type: 'uint32_t', doc: doc('version') },
          {
            doc: doc('versions'),
            union: [
              {
                name: 'v1',
                doc: doc('version 1'),
                fields: [
                  { name: 'name', type: 'uint8_t *', direction: 'out', doc: doc('name buffer') },
                  { name: 'size', type: 'uint32_t', counts: 'name', count_unit: 'bytes', doc: doc('name buffer size') },
                  { name: 'length', type: 'uint32_t *', direction: 'out', doc: doc('name length') },
                ],
              },
            ],
          },
        ],
      },
    ],
    functions: [
      fn('mvGadgetQuery', [{ name: 'query', type: 'const struct MvGadgetQuery *', direction: 'in', doc: doc('query with output pointers') }], [err('MV_STATUS_PARAMETERFAULT')]),
      fn('mvGadgetOpen', [{ name: 'handle', type: 'MvGadgetHandle *', direction: 'out', doc: doc('new handle') }], [err('MV_STATUS_UNAVAILABLE', 'Called from an interrupt handler.')], {
        not_in_interrupt: 'MV_STATUS_UNAVAILABLE',
        notifications: [{ event: 'MV_GADGETEVENT_READY', when: 'When the gadget is ready.' }],
      }),
      fn(
        'mvGadgetGetId',
        [
          { name: 'buf', type: 'uint8_t *', direction: 'out', doc: doc('id buffer') },
          { name: 'len', type: 'uint32_t', direction: 'value', counts: 'buf', count_unit: 'bytes', doc: doc('id length') },
        ],
        [err('MV_STATUS_INVALIDBUFFERSIZE', 'The length is not 34.')],
      ),
      fn(
        'mvGadgetLog',
        [
          { name: 'message', type: 'const uint8_t *', direction: 'in', doc: doc('message') },
          { name: 'length', type: 'uint16_t', direction: 'value', counts: 'message', count_unit: 'bytes', doc: doc('message length') },
        ],
        [err('MV_STATUS_UNAVAILABLE', 'Not in test mode.')],
        { test_mode_only: 'MV_STATUS_UNAVAILABLE' },
      ),
      fn(
        'mvGadgetRead',
        [
          handle(),
          { name: 'data', type: 'uint8_t **', direction: 'out', doc: doc('pointer to the readable bytes') },
          { name: 'length_out', type: 'uint32_t *', direction: 'out', counts: 'data', count_unit: 'bytes', doc: doc('number of readable bytes') },
        ],
        [err('MV_STATUS_INVALIDHANDLE')],
      ),
      fn(
        'mvGadgetErase',
        [handle(), { name: 'address', type: 'uint32_t', direction: 'value', doc: doc('address') }, { name: 'length', type: 'uint32_t', direction: 'value', doc: doc('length') }],
        [err('MV_STATUS_INVALIDBUFFERALIGNMENT', 'Address or length is not a multiple of 4096.')],
      ),
      fn('mvGadgetSetMode', [{ name: 'mode', type: 'enum MvGadgetMode', direction: 'value', doc: doc('mode') }], [err('MV_STATUS_PARAMETERFAULT', 'Unknown mode.')], {
        no_return: true,
      }),
      fn('mvGadgetGetMode', [{ name: 'mode', type: 'enum MvGadgetMode *', direction: 'out', doc: doc('mode') }], [err('MV_STATUS_PARAMETERFAULT')]),
      fn('mvGadgetGetInfo', [handle(), { name: 'info', type: 'struct MvGadgetInfo *', direction: 'out', doc: doc('info') }], [err('MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION')]),
      fn('mvGadgetSample', [handle()], [err('MV_STATUS_INVALIDHANDLE')], {
        notifications: [{ event: 'MV_GADGETEVENT_READY', when: 'When the sample is ready.' }],
        produces: ['MV_GADGETITEM_SAMPLE'],
      }),
      fn('mvGadgetReadSample', [handle(), { name: 'value', type: 'uint32_t *', direction: 'out', doc: doc('sample') }], [err('MV_STATUS_INVALIDHANDLE')], {
        consumes: 'MV_GADGETITEM_SAMPLE',
      }),
      fn('mvGadgetRequestLog', [handle()], [err('MV_STATUS_INVALIDHANDLE')], {
        notifications: [{ event: 'MV_GADGETSIGNAL_ALARM', when: 'When a log line is queued.' }],
        produces: ['MV_GADGETLOGITEM_LINE'],
      }),
      fn('mvGadgetReadLog', [handle(), { name: 'value', type: 'uint32_t *', direction: 'out', doc: doc('line') }], [err('MV_STATUS_INVALIDHANDLE')], {
        consumes: 'MV_GADGETLOGITEM_LINE',
      }),
      fn('mvGadgetClose', [{ name: 'handle', type: 'MvGadgetHandle *', direction: 'inout', doc: doc('handle to close') }], [err('MV_STATUS_INVALIDHANDLE')]),
    ],
    limits: [
      {
        name: 'GADGET_ERASE_LENGTH_MAX',
        doc: doc('longest erase, reported later through a result'),
        kind: 'max',
        value: 65536,
        unit: 'bytes',
        applies_to: ['mvGadgetErase.length'],
        functions: ['mvGadgetErase'],
        result: 'MV_GADGETRESULT_TOOLONG',
        source: 'inferred',
      },
      {
        name: 'GADGET_ID_LENGTH',
        doc: doc('exact id length'),
        kind: 'range',
        min: 34,
        max: 34,
        unit: 'bytes',
        applies_to: ['mvGadgetGetId.len'],
        functions: ['mvGadgetGetId'],
        status: 'MV_STATUS_INVALIDBUFFERSIZE',
        source: 'header',
      },
      {
        name: 'GADGET_ERASE_ALIGNMENT',
        doc: doc('erase alignment'),
        kind: 'alignment',
        value: 4096,
        unit: 'bytes',
        applies_to: ['mvGadgetErase.address'],
        functions: ['mvGadgetErase'],
        status: 'MV_STATUS_INVALIDBUFFERALIGNMENT',
        source: 'header',
      },
    ],
  });
}

let spec: SmallSpec;
let model: Model;
let out: string;
const read = (path: string) => readFileSync(join(out, path), 'utf8');

beforeAll(() => {
  const a = gadgetArea();
  spec = smallSpec([a]);
  // A spec that covers its whole (here: pretend) vendor header.
  const index = JSON.parse(readFileSync(spec.index, 'utf8'));
  index.vendor.complete = true;
  writeFileSync(spec.index, JSON.stringify(index, null, 2));
  model = loadModel(spec.index);
  out = mkdtempSync(join(tmpdir(), 'mvgen-shapes-'));
  generate({ specPath: spec.index, outRoot: out, targets: ['json', 'c', 'ts', 'docs'], mode: 'write' });
});
afterAll(() => {
  spec?.dispose();
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('model', () => {
  it('links each buffer parameter to its length parameter, with the unit', () => {
    const p = (path: string) => model.param(path);
    expect(p('mvGadgetGetId.buf').countedBy).toEqual({ param: 'len', unit: 'bytes' });
    expect(p('mvGadgetGetId.len')).toMatchObject({ counts: 'buf', countUnit: 'bytes' });
    expect(p('mvGadgetRead.data').countedBy).toEqual({ param: 'length_out', unit: 'bytes' });
    expect(p('mvGadgetRead.data').type.pointer).toBe(2);
    expect(p('mvGadgetLog.message').countedBy).toEqual({ param: 'length', unit: 'bytes' });
  });

  it('keeps call context: interrupt, test mode, no return', () => {
    expect(model.fn('mvGadgetOpen').notInInterrupt).toBe('MV_STATUS_UNAVAILABLE');
    expect(model.fn('mvGadgetLog').testModeOnly).toBe('MV_STATUS_UNAVAILABLE');
    expect(model.fn('mvGadgetSetMode').noReturn).toBe(true);
    expect(model.fn('mvGadgetGetMode').noReturn).toBe(false);
  });

  it('finds limits by parameter path and the field the application sets in an output struct', () => {
    expect(model.limitsOn('mvGadgetGetId.len').map((l) => l.name)).toEqual(['GADGET_ID_LENGTH']);
    expect(model.limitsOn('mvGadgetErase.address').map((l) => l.name)).toEqual(['GADGET_ERASE_ALIGNMENT']);
    expect(model.param('mvGadgetGetInfo.info').appSets).toEqual(['version']);
  });

  it('keeps a limit the call does not refuse, reported through a result constant instead of a status', () => {
    expect(model.limit('GADGET_ERASE_LENGTH_MAX')).toMatchObject({ result: 'MV_GADGETRESULT_TOOLONG' });
    expect(model.limit('GADGET_ERASE_LENGTH_MAX').status).toBeUndefined();
  });

  it('sizes a 0xff-sentinel enum to one byte on the device and four on the host', () => {
    expect(model.enum('MvGadgetMode').size).toEqual({ arm32: 1, x86_64: 4 });
    expect(model.readableEnums().map((e) => e.name)).toEqual(['MvGadgetItem', 'MvGadgetLogItem']);
  });
});

describe('TypeScript target', () => {
  const sig = (name: string) => {
    const src = read('packages/sdk/src/generated/syscalls.ts');
    const m = new RegExp(`\\n  ${name}\\(([\\s\\S]*?)\\): `).exec(src);
    expect(m, name).not.toBeNull();
    return m![1].replace(/\s+/g, ' ').replace(/,\s*$/, '').trim();
  };

  it('types buffers with their lengths, the pointer-to-pointer output and one-byte enums', () => {
    expect(sig('mvGadgetGetId')).toBe('buf: Uint8Array | null, len: number');
    expect(sig('mvGadgetLog')).toBe('message: Uint8Array | string | null, length: number');
    expect(sig('mvGadgetRead')).toBe('h: MvGadgetHandle, data: MvOut<Uint8Array | null> | null, length_out: MvOut<number> | null');
    expect(sig('mvGadgetSetMode')).toBe('mode: MvGadgetMode');
    expect(sig('mvGadgetGetMode')).toBe('mode: MvOut<MvGadgetMode> | null');
    expect(sig('mvGadgetGetInfo')).toBe('h: MvGadgetHandle, info: MvGadgetInfo | null');
  });

  it('metadata: call context, length links, and readable data per enum (values of two enums coincide)', () => {
    const meta = read('packages/sdk/src/generated/metadata.ts');
    expect(meta).toMatch(/mvGadgetOpen: \{[\s\S]*?notInInterrupt: MV_STATUS_UNAVAILABLE,[\s\S]*?noReturn: false,/);
    expect(meta).toMatch(/mvGadgetSetMode: \{[\s\S]*?noReturn: true,/);
    expect(meta).toMatch(/name: 'len',[\s\S]*?counts: 'buf',[\s\S]*?countUnit: 'bytes',/);
    expect(meta).toMatch(/readonly notifications: readonly \(MvGadgetEvent \| MvGadgetSignal\)\[\];/);
    expect(meta).toMatch(/readonly produces: readonly \(MvGadgetItem \| MvGadgetLogItem\)\[\];/);
    expect(meta).toMatch(/READABLE_DATA_BY_ENUM = \{\n  MvGadgetItem: \{\n    \[MV_GADGETITEM_SAMPLE\]: \{/);
    expect(meta).toMatch(/MvGadgetLogItem: \{\n    \[MV_GADGETLOGITEM_LINE\]: \{[\s\S]*?unsolicited: true/);
    expect(meta).toMatch(/GADGET_ERASE_LENGTH_MAX: \{[\s\S]*?result: MV_GADGETRESULT_TOOLONG,/);
    // Keyed by value, one flat table would mix the two enums: it exists only for a single enum.
    expect(meta).not.toMatch(/export const READABLE_DATA\b/);
  });
});

describe('docs target', () => {
  it('shows call context, parameter rules and one session page per area', () => {
    const setMode = read('packages/docs/reference/functions/mvGadgetSetMode.md');
    expect(setMode).toMatch(/## Calling context\n\n- Does not return on success/);
    const open = read('packages/docs/reference/functions/mvGadgetOpen.md');
    expect(open).toMatch(/- Not from an interrupt handler: there it returns \[`MV_STATUS_UNAVAILABLE`\]/);
    const getId = read('packages/docs/reference/functions/mvGadgetGetId.md');
    expect(getId).toMatch(/<a id="param-len"><\/a>`len` .*number of bytes at `buf`; \[`GADGET_ID_LENGTH`\]\(\.\.\/limits\.md#gadget_id_length\): from 34 to 34 bytes/);
    expect(getId).toContain('uint8_t buf[34];');
    // Output pointers inside a versioned struct are wired through its union member.
    expect(read('packages/docs/reference/functions/mvGadgetQuery.md')).toContain('query.v1.size = sizeof name;');
    expect(read('packages/docs/reference/limits.md')).toMatch(/GADGET_ERASE_LENGTH_MAX[\s\S]*?MV_GADGETRESULT_TOOLONG/);
    const session = read('packages/docs/reference/sessions/gadget.md');
    expect(session).toMatch(/\| 1 \| set up \| \[`mvGadgetOpen`\]/);
    expect(read('packages/docs/reference/README.md')).toContain('[Area gadget session](sessions/gadget.md)');
  });
});

describe('C target', () => {
  it('ships the header under the vendor name too, when the spec is complete', () => {
    expect(read('packages/c-headers/include/mv_syscalls.h')).toContain('#include "mvmqtt/mvmqtt.h"');
    expect(read('packages/c-headers/include/mvmqtt/mvmqtt.h')).toMatch(/\n#define MV_API_H\n/);
    const h = read('packages/c-headers/include/mvmqtt/mvmqtt.h');
    expect(h).toContain('extern enum MvStatus mvGadgetRead(MvGadgetHandle h, uint8_t **data, uint32_t *length_out);');
    expect(h).toMatch(/@par Calling context\n \* - Not from an interrupt handler: there it returns #MV_STATUS_UNAVAILABLE/);
  });
});

/** Prototype identity checks, written from the spec's C text (the header must say exactly this). */
const identity = [
  '#include <stdint.h>',
  '#include "mv_syscalls.h"',
  '#include "mvmqtt/mvmqtt.h"',
  '#define SAME(a, b) _Static_assert(__builtin_types_compatible_p(a, b), #a)',
  'SAME(__typeof__(&mvGadgetRead), enum MvStatus (*)(MvGadgetHandle, uint8_t **, uint32_t *));',
  'SAME(__typeof__(&mvGadgetLog), enum MvStatus (*)(const uint8_t *, uint16_t));',
  'SAME(__typeof__(&mvGadgetGetMode), enum MvStatus (*)(enum MvGadgetMode *));',
  'SAME(__typeof__(((struct MvGadgetInfo *)0)->v1.mode), enum MvGadgetMode);',
].join('\n');

describeWithTools(['gcc', 'arm-none-eabi-gcc'], 'the generated C compiles with -Werror and has the exact types', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mvgen-shapes-c-'));
  });
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));
  const cc = (argv: string[], file: string, text: string) => {
    const src = join(dir, file);
    writeFileSync(src, `${text}\n`);
    execFileSync(argv[0], [...argv.slice(1), '-Wall', '-Wextra', '-Werror', '-I', join(out, 'packages/c-headers/include'), '-c', src, '-o', `${src}.o`], { stdio: 'pipe' });
  };

  it('prototypes and member types by identity, on the host and the device; a one-byte enum on the device', () => {
    cc(['gcc', '-std=gnu11'], 'identity_host.c', identity);
    cc(['arm-none-eabi-gcc', '-std=gnu11', '-mcpu=cortex-m33', '-mthumb', '-mfloat-abi=soft'], 'identity_device.c', `${identity}\n_Static_assert(sizeof(enum MvGadgetMode) == 1, "one byte");`);
  });

  it('both include orders of the vendor-named header and mvmqtt.h, pedantic C99', () => {
    cc(['gcc', '-std=c99', '-pedantic'], 'order_a.c', '#include "mv_syscalls.h"\n#include "mvmqtt/mvmqtt.h"\nint x;');
    cc(['gcc', '-std=c99', '-pedantic'], 'order_b.c', '#include "mvmqtt/mvmqtt.h"\n#include "mv_syscalls.h"\nint x;');
  });

  it('every function page example compiles', () => {
    // One translation unit: each example is a function of its own name, the headers are guarded.
    const examples = model.functions.map((f) => {
      const block = /## Example\n\n```c\n([\s\S]*?)\n```/.exec(read(`packages/docs/reference/functions/${f.name}.md`));
      expect(block, f.name).not.toBeNull();
      return block![1];
    });
    cc(['gcc', '-std=c99', '-pedantic', '-Wshadow'], 'examples.c', examples.join('\n\n'));
    cc(['arm-none-eabi-gcc', '-std=c11', '-mcpu=cortex-m33', '-mthumb', '-mfloat-abi=soft'], 'examples_device.c', examples.join('\n\n'));
  });
});

describe('validation of the new shapes', () => {
  const problems = (edit: (a: any) => void) => {
    const a = gadgetArea();
    edit(a);
    const s = smallSpec([a]);
    try {
      return validateSpec(s.index).diagnostics.map((d) => `${d.pointer} ${d.rule}: ${d.message}`);
    } finally {
      s.dispose();
    }
  };
  const gadgetFn = (a: any, name: string) => a.functions.find((f: any) => f.name === name);

  it('the small spec itself is clean', () => expect(problems(() => {})).toEqual([]));

  it('a limit names a status or a result constant, not both, not neither', () => {
    expect(problems((a) => delete a.limits[0].result)[0]).toMatch(/^\/limits\/0 schema/);
    expect(problems((a) => (a.limits[0].status = 'MV_STATUS_PARAMETERFAULT'))[0]).toMatch(/^\/limits\/0 schema/);
    expect(problems((a) => (a.limits[0].result = 'MV_GADGETRESULT_TOOSHORT'))).toEqual([
      '/limits/0/result semantic/reference: "MV_GADGETRESULT_TOOSHORT" is not an enum constant of the spec',
    ]);
  });

  it('a length parameter must name a pointer parameter beside it, and be an integer', () => {
    expect(problems((a) => (gadgetFn(a, 'mvGadgetGetId').params[1].counts = 'buffer'))).toEqual([
      '/functions/2/params/1/counts semantic/count-param: "len" counts "buffer", which is not a parameter of mvGadgetGetId',
    ]);
    expect(problems((a) => (gadgetFn(a, 'mvGadgetErase').params.push({ name: 'n', type: 'uint32_t', direction: 'value', counts: 'address', count_unit: 'bytes', doc: 'n' })))).toEqual([
      '/functions/5/params/3/counts semantic/count-param: "n" counts "address", which is not a pointer (buffer) parameter',
    ]);
    expect(problems((a) => (gadgetFn(a, 'mvGadgetGetId').params[1].type = 'enum MvGadgetMode'))).toContainEqual(
      '/functions/2/params/1/counts semantic/count-param: length parameter "len" has type "enum MvGadgetMode" (value)',
    );
  });

  it('call context names a status the error table lists', () => {
    expect(problems((a) => (gadgetFn(a, 'mvGadgetOpen').not_in_interrupt = 'MV_STATUS_MICROVISORBUSY'))).toEqual([
      '/functions/1/not_in_interrupt semantic/call-context: mvGadgetOpen does not list MV_STATUS_MICROVISORBUSY in its error table, yet "not_in_interrupt" says it returns it',
    ]);
  });

  it('a limit on a parameter: the parameter exists, its function is listed, the kind fits the type', () => {
    expect(problems((a) => (a.limits[1].applies_to = ['mvGadgetGetId.length']))).toEqual([
      '/limits/1/applies_to/0 semantic/reference: function mvGadgetGetId has no parameter "length"',
    ]);
    expect(problems((a) => (a.limits[2].functions = ['mvGadgetGetId']))).toContainEqual(
      '/limits/2/applies_to/0 semantic/limit-consistent: the limit applies to a parameter of mvGadgetErase but does not list mvGadgetErase in "functions"',
    );
    expect(problems((a) => (a.limits[2].applies_to = ['mvGadgetSetMode.mode']) && (a.limits[2].functions = ['mvGadgetSetMode']))).toContainEqual(
      '/limits/2/applies_to/0 semantic/limit-consistent: a alignment limit applies to pointers or integer addresses, but mvGadgetSetMode.mode is "enum MvGadgetMode"',
    );
  });
});
