/**
 * Property tests of the validator against the real compilers, and of the whole pipeline against
 * arbitrary JSON. The seed is printed (new locally, fixed in CI; FUZZ_SEED replays it).
 *
 * 1. Every identifier the validator accepts compiles in every target: names drawn from the words
 *    the targets reserve (TypeScript's own keyword list, C/C++ keywords, <stdint.h> names, object
 *    keys, names the generator derives) and from random identifiers go into new items of a copy
 *    of the spec; whatever the validator lets through is generated and must compile with gcc
 *    (C11), g++ (C++17) and tsc (strict). The compilers are the oracle, not the validator's list.
 * 2. No JSON input, however broken, makes the pipeline throw: random values replace random parts
 *    of a spec file, or random text is spliced into it; the result is diagnostics, or a valid
 *    spec whose targets all render.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { generate, renderTargets, runPipeline, TARGETS, validateSpec } from '../src/index.js';
import { describeWithTools } from '../../test/support/tools.js';
import { propertySeed } from '../../test/support/seed.js';
import { copySpec, REPO, type SpecCopy } from './support/spec-copy.js';

let spec: SpecCopy | undefined;
afterEach(() => {
  spec?.dispose();
  spec = undefined;
});

/** Every keyword TypeScript's scanner knows (independent of the validator's tables). */
const TS_KEYWORDS: string[] = [];
for (let k = ts.SyntaxKind.FirstKeyword; k <= ts.SyntaxKind.LastKeyword; k++) {
  const word = ts.tokenToString(k);
  if (word && /^[A-Za-z_]\w*$/.test(word)) TS_KEYWORDS.push(word);
}

const TRICKY = [
  ...TS_KEYWORDS,
  // C and C++ keywords, old and new, and the alternative operator spellings.
  ...'auto register restrict inline _Bool _Atomic _Generic alignas alignof bool constexpr nullptr static_assert thread_local typeof true false'.split(' '),
  ...'and or not xor bitand bitor compl and_eq or_eq not_eq xor_eq mutable explicit noexcept using typename template operator friend virtual'.split(' '),
  ...'catch throw try co_await co_yield co_return concept requires consteval constinit char8_t char16_t wchar_t decltype'.split(' '),
  // Standard headers the generated C includes.
  ...'NULL offsetof size_t ptrdiff_t uint32_t int8_t uint_least16_t intptr_t UINT32_MAX INT8_MIN SIZE_MAX UINT64_C memset memcpy assert errno'.split(' '),
  // JavaScript objects and modules.
  ...'__proto__ constructor prototype toString valueOf hasOwnProperty arguments eval undefined NaN Infinity'.split(' '),
  // Names the generator derives or declares itself.
  ...'MvOut MvSyscalls MvFunctionName LIMITS FUNCTIONS SPEC LAYOUTS ENUM_NAMES statusName LITTLE_ENDIAN call MockBehaviours'.split(' '),
  ...'string number object Array Record Uint8Array DataView Promise main _Reserved __x'.split(' '),
];

const identifier = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/) },
);

interface Names {
  typedef: string;
  struct: string;
  field: string;
  enumName: string;
  constantHead: string;
  constantTail: string;
  fn: string;
  param: string;
}

/** New items that carry the names; each is removed again if the validator refuses it. */
function items(n: Names, nsc: number) {
  return {
    typedef: { name: n.typedef, kind: 'handle', opaque_struct: `${n.typedef}Opaque`, doc: 'A handle named by the property test.' },
    struct: { name: n.struct, doc: 'A struct named by the property test.', fields: [{ name: n.field, type: 'uint32_t', doc: 'A field named by the property test.' }] },
    enum: {
      name: n.enumName,
      doc: 'An enum named by the property test.',
      sentinel: { name: `${n.constantHead}__MAX`, value: '0xff' },
      constants: [{ name: `${n.constantHead}_${n.constantTail}`, value: 0, doc: 'A constant named by the property test.' }],
    },
    function: {
      name: n.fn,
      doc: 'A call named by the property test.',
      nsc_address: `0x${nsc.toString(16)}`,
      params: [{ name: n.param, type: 'uint32_t', direction: 'value', doc: 'A parameter named by the property test.' }],
      errors: [],
    },
  };
}

const LISTS = { typedef: 'typedefs', struct: 'structs', enum: 'enums', function: 'functions' } as const;

describeWithTools(['gcc', 'g++'], 'every identifier the validator accepts compiles in every target', () => {
  it(
    'C11, C++17 and strict TypeScript compile what the validator lets through',
    async () => {
      const seed = propertySeed('identifiers');
      await fc.assert(
        fc.asyncProperty(
          fc.record({ typedef: identifier, struct: identifier, field: identifier, enumName: identifier, constantHead: identifier, constantTail: identifier, fn: identifier, param: identifier }),
          async (names) => {
            spec?.dispose();
            spec = copySpec();
            const added = items(names, 0x0c1ff001);
            const baseArea = spec.read('mqtt.json');
            let kinds = Object.keys(added) as (keyof typeof added)[];
            // Add every item, then drop the ones the validator refuses, until what is left is valid.
            for (let round = 0; round < 5 && kinds.length; round++) {
              spec.edit('mqtt.json', (d) => {
                for (const k of Object.keys(LISTS) as (keyof typeof LISTS)[]) d[LISTS[k]] = [...baseArea[LISTS[k]], ...(kinds.includes(k) ? [added[k]] : [])];
              });
              const { diagnostics } = validateSpec(spec.index);
              if (!diagnostics.length) break;
              const refused = new Set(
                diagnostics.flatMap((d) => {
                  const m = /^\/(typedefs|structs|enums|functions)\/(\d+)/.exec(d.pointer);
                  // A problem outside the new items (a name clash reported on an old item): drop them all.
                  if (!d.file.endsWith('mqtt.json') || !m || Number(m[2]) < baseArea[m[1]].length) return kinds;
                  return [(Object.keys(LISTS) as (keyof typeof LISTS)[]).find((k) => LISTS[k] === m[1])!];
                }),
              );
              kinds = kinds.filter((k) => !refused.has(k));
            }
            spec.edit('mqtt.json', (d) => {
              for (const k of Object.keys(LISTS) as (keyof typeof LISTS)[]) d[LISTS[k]] = [...baseArea[LISTS[k]], ...(kinds.includes(k) ? [added[k]] : [])];
            });
            const { diagnostics } = validateSpec(spec.index);
            if (diagnostics.length) return; // nothing left that the validator accepts

            generate({ specPath: spec.index, targets: ['c', 'ts'], mode: 'write' });
            const include = join(spec.root, 'packages/c-headers/include');
            const probe = join(spec.root, 'probe.c');
            writeFileSync(probe, '#include <mvmqtt/mvmqtt.h>\n#include <mvmqtt/mvmqtt_layout.h>\nint probe(void) { return 0; }\n');
            const compile = (cc: string, std: string, lang: string) =>
              execFileSync(cc, ['-x', lang, `-std=${std}`, '-fsyntax-only', '-Wall', '-Werror', '-I', include, probe], { encoding: 'utf8', stdio: 'pipe' });
            try {
              compile('gcc', 'c11', 'c');
              compile('g++', 'c++17', 'c++');
            } catch (e) {
              throw new Error(`accepted ${JSON.stringify(names)} (${kinds.join(', ')}) but the header does not compile:\n${(e as { stderr?: string }).stderr}`);
            }
            // The SDK's generated files import the hand-written box beside them.
            mkdirSync(join(spec.root, 'packages/sdk/src'), { recursive: true });
            copyFileSync(join(REPO, 'packages/sdk/src/box.ts'), join(spec.root, 'packages/sdk/src/box.ts'));
            // And the argument checks their run-time half, which reads only the spec's status names and tables.
            mkdirSync(join(spec.root, 'packages/sdk/src/runtime'), { recursive: true });
            for (const f of ['arguments.ts', 'statuses.ts']) copyFileSync(join(REPO, 'packages/sdk/src/runtime', f), join(spec.root, 'packages/sdk/src/runtime', f));
            writeFileSync(
              join(spec.root, 'tsconfig.json'),
              JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', skipLibCheck: true, types: [] }, include: ['packages/sdk/src/**/*.ts'] }),
            );
            try {
              execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', spec.root], { encoding: 'utf8', stdio: 'pipe' });
            } catch (e) {
              throw new Error(`accepted ${JSON.stringify(names)} (${kinds.join(', ')}) but the TypeScript does not compile:\n${(e as { stdout?: string }).stdout}`);
            }
          },
        ),
        { seed, numRuns: process.env.CI ? 4 : 3, endOnFailure: true },
      );
    },
    900_000,
  );
});

describe('no JSON input makes the pipeline throw', () => {
  const FILES = ['index.json', 'status.json', 'network.json', 'mqtt.json'];

  /** Every JSON pointer path (as key lists) inside `value`. */
  function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
    out.push(at);
    if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
    return out;
  }

  /** Runs the pipeline and, when the spec is valid, every target in memory: none may throw. */
  function survive(): void {
    const { model } = runPipeline(spec!.index);
    if (model) renderTargets(model, TARGETS);
  }

  it('random values in place of parts of a spec file', () => {
    const seed = propertySeed('json-values');
    const originals = new Map(FILES.map((f) => [f, copySpec()]));
    const texts = new Map([...originals].map(([f, c]) => [f, c.read(f)]));
    for (const c of originals.values()) c.dispose();
    spec = copySpec();
    fc.assert(
      fc.property(fc.constantFrom(...FILES), fc.nat(), fc.jsonValue({ maxDepth: 3 }), (file, pick, value) => {
        const data = structuredClone(texts.get(file));
        const all = paths(data);
        const path = all[pick % all.length];
        if (path.length === 0) spec!.write(file, value);
        else {
          let cur = data;
          for (const k of path.slice(0, -1)) cur = cur[k];
          cur[path[path.length - 1]] = value;
          spec!.write(file, data);
        }
        try {
          survive();
        } finally {
          spec!.write(file, texts.get(file));
        }
      }),
      { seed, numRuns: process.env.CI ? 80 : 50 },
    );
  }, 600_000);

  it('random text spliced into a spec file', () => {
    const seed = propertySeed('json-text');
    spec = copySpec();
    const texts = new Map(FILES.map((f) => [f, spec!.text(f)]));
    fc.assert(
      fc.property(fc.constantFrom(...FILES), fc.nat(), fc.nat(40), fc.string({ unit: 'binary', maxLength: 12 }), (file, at, cut, insert) => {
        const text = texts.get(file)!;
        const i = at % (text.length + 1);
        spec!.writeText(file, text.slice(0, i) + insert + text.slice(i + cut));
        try {
          const { diagnostics } = validateSpec(spec!.index);
          for (const d of diagnostics) expect(typeof d.message).toBe('string');
          survive();
        } finally {
          spec!.writeText(file, text);
        }
      }),
      { seed, numRuns: process.env.CI ? 80 : 50 },
    );
  }, 600_000);
});
