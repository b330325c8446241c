/**
 * Specs built to break the generator: every one must end in diagnostics (file, line:column where
 * there is a place to point at), never an exception, a hang or a written file. In-process through
 * `validateSpec`, plus the CLI for what only the CLI does (refusing a file as --out, exit codes,
 * no stack trace).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateSpec } from '../src/index.js';
import { byName, copySpec, REPO, type SpecCopy } from './support/spec-copy.js';

let spec: SpecCopy | undefined;
afterEach(() => {
  spec?.dispose();
  spec = undefined;
});

const MVGEN = join(REPO, 'generator/bin/mvgen.js');
/** A Node stack frame (`    at fn (file.js:1:2)`), as opposed to a diagnostic's `    at /pointer` line. */
const STACK_FRAME = /^\s+at .*:\d+:\d+\)?$/m;
const mvgen = (...args: string[]) => spawnSync(process.execPath, [MVGEN, ...args], { encoding: 'utf8', cwd: REPO, timeout: 120_000 });

/** Validates a copy of the real spec with `network.json` replaced by `text`; returns the diagnostics. */
function withNetworkText(text: string) {
  spec = copySpec();
  spec.writeText('network.json', text);
  return validateSpec(spec.index).diagnostics;
}

describe('the loader refuses broken JSON with a position, never an exception', () => {
  const cases: [string, string, RegExp][] = [
    ['a raw control character inside a string', '{"area": "net\u0001work"}', /raw control character U\+0001/],
    ['a raw tab inside a string', '{"area": "net\twork"}', /raw control character U\+0009/],
    ['an escape JSON does not have (\\x41)', '{"area": "\\x41"}', /invalid escape "\\x"/],
    ['a \\u escape with a non-hex digit', '{"area": "\\u12G4"}', /invalid escape .*four hex digits/],
    ['a lone backslash at the end', '{"area": "abc\\', /unterminated string|invalid escape/],
    ['10,000 levels of nesting', `${'['.repeat(10_000)}${']'.repeat(10_000)}`, /nesting deeper than/],
    ['10,000 nested objects', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, /nesting deeper than/],
  ];
  it.each(cases)('%s', (_label, text, message) => {
    const diagnostics = withNetworkText(text);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ rule: 'syntax', file: expect.stringMatching(/network\.json$/) });
    expect(diagnostics[0].message).toMatch(message);
    expect(diagnostics[0].position?.line).toBeGreaterThan(0);
    expect(diagnostics[0].position?.column).toBeGreaterThan(0);
  });

  it('points at the offending character', () => {
    const [d] = withNetworkText('{\n  "area": "ok",\n  "title": "bad \\q here"\n}');
    expect(d.position).toEqual({ line: 3, column: 17 });
  });

  it('refuses bytes that are not UTF-8', () => {
    spec = copySpec();
    writeFileSync(join(spec.specDir, 'network.json'), Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    const { diagnostics } = validateSpec(spec.index);
    expect(diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/not valid UTF-8/)]);
  });

  it('accepts a UTF-8 byte order mark at the start of a file (RFC 8259 lets a parser ignore it)', () => {
    spec = copySpec();
    spec.writeText('network.json', `\uFEFF${spec.text('network.json')}`);
    spec.writeText('index.json', `\uFEFF${spec.text('index.json')}`);
    expect(validateSpec(spec.index).diagnostics).toEqual([]);
  });

  it('treats a "__proto__" key as an ordinary member, so a missing required member is still reported', () => {
    spec = copySpec();
    spec.edit('network.json', (d) => {
      const fn = byName(d.functions, 'mvGetNetworkStatus');
      delete fn.doc;
    });
    // JSON.stringify never writes __proto__ as a key: splice it in as text.
    spec.writeText('network.json', spec.text('network.json').replace('"name": "mvGetNetworkStatus",', '"name": "mvGetNetworkStatus", "__proto__": { "doc": "inherited" },'));
    const messages = validateSpec(spec.index).diagnostics.map((d) => d.message);
    expect(messages).toContain('missing required property "doc"');
    expect(messages).toContain('unknown property "__proto__"');
  });
});

describe('files that are not plain files', () => {
  it('refuses a FIFO as an area file without blocking', () => {
    spec = copySpec();
    const fifo = join(spec.specDir, 'network.json');
    rmSync(fifo);
    execFileSync('mkfifo', [fifo]);
    const { diagnostics } = validateSpec(spec.index);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].message).toMatch(/area file "network.json" is not a regular file/);
    expect(diagnostics[0].pointer).toBe('/areas/2');
  });

  it('refuses a FIFO as the index, from the CLI, with exit 1 and no stack trace', () => {
    spec = copySpec();
    rmSync(spec.index);
    execFileSync('mkfifo', [spec.index]);
    const r = mvgen('validate', spec.index);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is not a regular file/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('refuses --out naming an existing file, writing nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mvgen-out-file-'));
    try {
      const file = join(dir, 'not-a-dir');
      writeFileSync(file, 'keep me');
      const r = mvgen('generate', '--spec', join(REPO, 'api-spec/spec'), '--out', file);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--out .*not-a-dir is an existing file, not a directory/);
      expect(r.stderr).not.toMatch(/ENOTDIR/);
      expect(r.stderr).not.toMatch(STACK_FRAME);
      expect(readdirSync(dir)).toEqual(['not-a-dir']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('structs that contain each other by value', () => {
  /** Adds structs whose only field holds the next one by value, closing the loop. */
  function loop(names: string[]) {
    spec = copySpec();
    spec.edit('mqtt.json', (d) =>
      names.forEach((n, i) => d.structs.push({ name: n, doc: 'Part of a containment loop.', fields: [{ name: 'next', type: `struct ${names[(i + 1) % names.length]}`, doc: 'The next struct.' }] })),
    );
    return validateSpec(spec.index).diagnostics.filter((d) => d.rule === 'semantic/recursion');
  }

  it('A ↔ B', () => {
    const d = loop(['LoopA', 'LoopB']);
    expect(d).toHaveLength(1);
    expect(d[0].message).toBe('LoopA → LoopB → LoopA: these structs contain each other by value');
    expect(d[0].position?.line).toBeGreaterThan(0);
  });

  it('A → B → C → A', () => {
    const d = loop(['LoopA', 'LoopB', 'LoopC']);
    expect(d.map((x) => x.message)).toEqual(['LoopA → LoopB → LoopC → LoopA: these structs contain each other by value']);
  });

  it('a struct that contains itself through a union member', () => {
    spec = copySpec();
    spec.edit('mqtt.json', (d) =>
      d.structs.push(
        { name: 'Outer', doc: 'Holds Inner.', fields: [{ name: 'inner', type: 'struct Inner', doc: 'By value.' }] },
        { name: 'Inner', doc: 'Holds Outer in a union.', fields: [{ union: [{ name: 'v1', doc: 'Only member.', fields: [{ name: 'outer', type: 'struct Outer', doc: 'By value.' }] }], doc: 'The union.' }] },
      ),
    );
    const d = validateSpec(spec.index).diagnostics.filter((x) => x.rule === 'semantic/recursion');
    expect(d.map((x) => x.message)).toEqual(['Outer → Inner → Outer: these structs contain each other by value']);
  });
});

describe('names every target can compile', () => {
  const field = (name: string) => (s: SpecCopy) => s.edit('mqtt.json', (d) => (byName(d.structs, 'MvMqttWill').fields[3].name = name));
  const structName = (name: string) => (s: SpecCopy) => s.edit('mqtt.json', (d) => d.structs.push({ name, doc: 'A struct.', fields: [{ name: 'x', type: 'uint32_t', doc: 'A field.' }] }));
  const param = (name: string) => (s: SpecCopy) => s.edit('network.json', (d) => (byName(d.functions, 'mvGetNetworkStatus').params[0].name = name));
  const fn = (name: string) => (s: SpecCopy) => s.edit('network.json', (d) => (byName(d.functions, 'mvGetNetworkStatus').name = name));

  const rejected: [string, (s: SpecCopy) => void, RegExp][] = [
    ['C++ keyword "try" as a struct name', structName('try'), /struct "try" is a C or C\+\+ keyword/],
    ['C++ keyword "mutable" as a field', field('mutable'), /field "mutable" is a C or C\+\+ keyword/],
    ['C++ keyword "explicit" as a parameter', param('explicit'), /parameter "explicit" is a C or C\+\+ keyword/],
    ['C23 keyword "constexpr" as a struct name', structName('constexpr'), /C or C\+\+ keyword/],
    ['C23 keyword "typeof" as a function', fn('typeof'), /C or C\+\+ keyword/],
    ['"noexcept", "using", "and", "catch", "throw"', (s) => ['noexcept', 'using', 'and', 'catch', 'throw'].forEach((n) => structName(n)(s)), /"noexcept" is a C or C\+\+ keyword/],
    ['"function" as a parameter (JavaScript)', param('function'), /parameter "function" is a JavaScript reserved word/],
    ['"arguments" as a parameter (strict mode)', param('arguments'), /parameter "arguments" is a name ES modules cannot declare/],
    ['UINT32_MAX as a struct name (a <stdint.h> macro)', structName('UINT32_MAX'), /macro of a C standard header/],
    ['UINT32_MAX as a field (macros reach members too)', field('UINT32_MAX'), /macro of a C standard header/],
    ['int128_t as a struct name (a <stdint.h> type family)', structName('int128_t'), /declared by a C standard header/],
    ['size_t as a function', fn('size_t'), /declared by a C standard header/],
    ['"constructor" as a struct name', structName('constructor'), /special meaning on every JavaScript object/],
    ['"toString" as a struct name', structName('toString'), /special meaning on every JavaScript object/],
    ['"__proto__" as a field', field('__proto__'), /reserved in C and C\+\+|special meaning/],
    ['"string" as a struct name (a TypeScript type)', structName('string'), /predefined TypeScript type/],
    ['"call" as a parameter (the mock binds it)', param('call'), /the generated mock uses itself/],
    ['a parameter named like a spec type', param('MvNetworkHandle'), /has the name of a typedef of the spec/],
    ['a name with the generated macros\' prefix', structName('MVMQTT_THING'), /starts with the generated macros' prefix/],
    ['a struct whose factory name meets another struct', (s) => (structName('Foo')(s), structName('newFoo')(s)), /generated name "newFoo"/],
  ];
  it.each(rejected)('rejects %s', (_label, mutate, message) => {
    spec = copySpec();
    mutate(spec);
    const { diagnostics } = validateSpec(spec.index);
    const hit = diagnostics.find((d) => message.test(d.message));
    expect(hit, diagnostics.map((d) => d.message).join('\n')).toBeDefined();
    expect(hit!.position?.line).toBeGreaterThan(0);
  });

  it('does not take "constructor", "__proto__" or "toString" for integer types', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      spec = copySpec();
      spec.edit('mqtt.json', (d) => (byName(d.structs, 'MvMqttWill').fields[3].type = name));
      const { diagnostics } = validateSpec(spec.index);
      expect(diagnostics.map((d) => d.message)).toContain(`type "${name}" is not a fixed-width integer or a typedef of the spec`);
      spec.dispose();
      spec = undefined;
    }
  });
});
