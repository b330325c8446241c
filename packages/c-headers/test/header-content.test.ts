/**
 * What the committed header says: a Doxygen block on every item, @param directions and
 * @retval rows as the vendor header documents them (from the facts), the version block
 * and the limit macros (from the raw spec files), deterministic output; and doc text that
 * tries to break out of its comment cannot break the header.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithTools } from '../../../test/support/tools.js';
import { FACTS, headerEnums, headerFunctions, headerStructs, headerTypedefs, memberPaths } from './support/facts.js';
import { generatedCopy, type Generated } from './support/generated.js';
import { compile, DEVICE_CC, expectOk, INCLUDE, MATRIX, PKG, REPO, run, STRICT, tempDir } from './support/toolchain.js';

const header = readFileSync(join(INCLUDE, 'mvmqtt/mvmqtt.h'), 'utf8');
const lines = header.split('\n');
const rawSpec = (file: string) => JSON.parse(readFileSync(join(REPO, 'api-spec/spec', file), 'utf8'));
const index = rawSpec('index.json');

/** The Doxygen block that ends on the line before `lineNo`, or undefined. */
function blockBefore(lineNo: number): string | undefined {
  if (!/^\s*\*\/$/.test(lines[lineNo - 1] ?? '')) return undefined;
  let i = lineNo - 1;
  while (i >= 0 && !/^\s*\/\*\*/.test(lines[i])) i--;
  return lines.slice(i, lineNo).join('\n');
}
function lineOf(re: RegExp): number {
  const i = lines.findIndex((l) => re.test(l));
  expect(i, `no line matches ${re}`).toBeGreaterThanOrEqual(0);
  return i;
}

describe('documentation in mvmqtt.h', () => {
  it('every function has a block with @param per vendor direction and @retval per vendor status', () => {
    const tag = { value: '@param ', in: '@param[in] ', out: '@param[out] ', inout: '@param[in,out] ' } as const;
    for (const [name, f] of headerFunctions()) {
      const doc = blockBefore(lineOf(new RegExp(`^extern enum MvStatus ${name}\\(`)));
      expect(doc, name).toBeDefined();
      for (const p of f.params as unknown as { name: string; direction: keyof typeof tag }[])
        expect(doc!.replace(/ +/g, ' '), `${name} ${p.name}`).toContain(`${tag[p.direction]}${p.name} `);
      for (const status of (f as unknown as { documented_error_statuses: string[] }).documented_error_statuses)
        expect(doc, `${name} ${status}`).toContain(`@retval ${status} `);
      expect(doc).toContain(`@par Call address`);
    }
  });

  it('every struct, member, enum, constant and handle is documented', () => {
    for (const [name, s] of headerStructs()) {
      const at = lineOf(new RegExp(`^struct ${name} \\{$`));
      expect(blockBefore(at), name).toBeDefined();
      for (const { path, field } of memberPaths(s.fields)) {
        const leaf = path.split('.').pop()!;
        const re = field.c_type ? new RegExp(`^\\s+${field.c_type.replace(/[*]/g, '\\*').replace(/ \\\*$/, ' ?\\*')}\\s*${leaf};$`) : new RegExp(`^\\s+\\} ${leaf};$`);
        const i = lines.findIndex((l, n) => n > at && re.test(l));
        expect(i, `${name}.${path}`).toBeGreaterThan(at);
        if (field.c_type) expect(blockBefore(i), `${name}.${path}`).toBeDefined();
      }
    }
    for (const [name, e] of headerEnums()) {
      expect(blockBefore(lineOf(new RegExp(`^(__extension__ )?enum ${name} \\{$`))), name).toBeDefined();
      for (const c of Object.keys(e.constants)) {
        const i = lineOf(new RegExp(`^\\s+${c} = `));
        expect(/\/\*\*< .* \*\/$/.test(lines[i]) || blockBefore(i) !== undefined, c).toBe(true);
      }
    }
    for (const [name] of headerTypedefs()) expect(blockBefore(lineOf(new RegExp(`^typedef struct \\w+ \\*${name};$`))), name).toBeDefined();
  });

  it('says which readable data a request queues and which call reads it', () => {
    const doc = blockBefore(lineOf(/^extern enum MvStatus mvMqttRequestConnect\(/))!;
    expect(doc).toMatch(/Queues #MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE; read it with mvMqttReadConnectResponse\(\)/);
    expect(doc).toMatch(/#MV_EVENTTYPE_CHANNELDATAREADABLE/);
  });
});

describe('macros', () => {
  it('version block matches the spec index', () => {
    const [major, minor, patch] = index.version.split('.');
    expect(header).toContain(`#define MVMQTT_SPEC_VERSION_MAJOR ${Number(major)}\n`);
    expect(header).toContain(`#define MVMQTT_SPEC_VERSION_MINOR ${Number(minor)}\n`);
    expect(header).toContain(`#define MVMQTT_SPEC_VERSION_PATCH ${Number(patch)}\n`);
    expect(header).toContain(`#define MVMQTT_SPEC_VERSION_STRING "${index.version}"\n`);
    expect(header).toContain(`#define MVMQTT_VENDOR_SDK_VERSION_STRING "${index.vendor.sdk_version}"\n`);
    // …and that is the SDK the facts were measured from.
    expect(index.vendor.sdk_version).toBe((FACTS as unknown as { source: { sdk_version: string } }).source.sdk_version);
    const published = JSON.parse(readFileSync(join(REPO, 'api-spec/generated/mvmqtt.json'), 'utf8'));
    expect(header).toContain(`#define MVMQTT_SPEC_HASH "${published.spec.hash}"\n`);
  });

  it('one macro per limit value in the spec files', () => {
    let count = 0;
    for (const file of index.areas) {
      for (const l of rawSpec(file).limits ?? []) {
        const base = `MVMQTT_LIMIT_${l.name}`;
        const expected: [string, number][] = l.kind === 'range' ? [[`${base}_MIN`, l.min], [`${base}_MAX`, l.max]] : [[base, l.value]];
        if (l.kind === 'rate') expected.push([`${base}_WINDOW_MS`, l.window_ms]);
        for (const [name, value] of expected) {
          expect(header).toContain(`#define ${name} ${value}\n`);
          count++;
        }
      }
    }
    expect(count).toBeGreaterThan(10);
    expect(header).toContain('#define MVMQTT_LIMIT_MQTT_TOPICS_PER_REQUEST_MAX 8\n');
  });

  it('every limit macro has the value the compiler sees', () => {
    expect(header.match(/^#define MVMQTT_LIMIT_\w+ \d+$/gm)!.length).toBe(header.match(/^#define MVMQTT_LIMIT_/gm)!.length);
  });
});

describeWithTools(['gcc'], 'version macros in C', () => {
  it('a program sees the spec and vendor versions and can compare versions', async () => {
    const dir = tempDir();
    try {
      const [major, minor] = index.version.split('.').map(Number);
      const src = dir.file(
        'version.c',
        [
          '#include <stdio.h>',
          '#include <mvmqtt/mvmqtt.h>',
          `#if !MVMQTT_SPEC_VERSION_AT_LEAST(${major}, ${minor}, 0) || MVMQTT_SPEC_VERSION_AT_LEAST(${major + 1}, 0, 0)`,
          '#error "version comparison is wrong"',
          '#endif',
          'int main(void) { printf("%s %s %s\\n", MVMQTT_SPEC_VERSION_STRING, MVMQTT_VENDOR_SDK_VERSION_STRING, MVMQTT_VENDOR_HEADER); return 0; }',
          '',
        ].join('\n'),
      );
      const exe = join(dir.path, 'version');
      expectOk(await run(['gcc', '-std=c99', ...STRICT, `-I${INCLUDE}`, src, '-o', exe]), 'version.c');
      expect((await run([exe])).stdout.trim()).toBe(`${index.version} ${index.vendor.sdk_version} ${index.vendor.header}`);
    } finally {
      dir.dispose();
    }
  });
});

/** Text written to break a C comment, a Doxygen block, a trigraph-aware C99 compiler or the preprocessor. */
const HOSTILE = 'ends early */ int broken; /* nested\n#error "escaped the comment"\n@retval MV_STATUS_OKAY fake ??/\ntrailing backslash \\\n`a */ b` and */';

describe('doc strings that try to escape their comments', () => {
  let g: Generated;
  beforeAll(() => {
    g = generatedCopy();
    g.editSpec('index.json', (d) => {
      d.doc = HOSTILE;
    });
    g.editSpec('mqtt.json', (d) => {
      d.doc = HOSTILE;
      const fn = d.functions.find((f: { name: string }) => f.name === 'mvMqttRequestConnect');
      fn.doc = HOSTILE;
      fn.params[0].doc = HOSTILE;
      fn.errors[0].when = HOSTILE;
      fn.notifications[0].when = HOSTILE;
      const will = d.structs.find((s: { name: string }) => s.name === 'MvMqttWill');
      will.doc = HOSTILE;
      will.fields[0].doc = HOSTILE;
      d.enums[0].doc = HOSTILE;
      d.enums[0].constants[0].doc = HOSTILE;
      d.enums[0].constants[1].doc = 'one line that ends in a star *';
      d.limits[0].doc = HOSTILE;
    });
    g.editSpec('channels.json', (d) => {
      d.structs.find((s: { name: string }) => s.name === 'MvOpenChannelParams').fields[1].union[0].fields[0].doc = HOSTILE;
    });
    g.regenerate();
  });
  afterAll(() => g?.dir.dispose());

  it('the text is kept, neutralised', () => {
    const h = readFileSync(join(g.include, 'mvmqtt/mvmqtt.h'), 'utf8');
    expect(h).toContain('ends early *\\/ int broken; /\\* nested');
    expect(h).toContain('\\@retval MV_STATUS_OKAY fake ?\\?/');
    expect(h).not.toMatch(/^#error/m);
  });

  for (const cc of [MATRIX.find((c) => c.label === 'gcc -std=c99')!, MATRIX.find((c) => c.label === 'clang++ -std=c++11')!, DEVICE_CC]) {
    describeWithTools([cc.tool], `with ${cc.label}`, () => {
      it('compiles clean, with the layout checks', async () => {
        const dir = tempDir();
        try {
          // By path, so the committed headers on compile()'s include path are not the ones used.
          const src = dir.file('hostile.c', `#include "${g.include}/mvmqtt/mvmqtt.h"\n#include "${g.include}/mvmqtt/mvmqtt_layout.h"\n`);
          // -trigraphs makes ??/ a real line splice even where the standard mode would not.
          const r = await compile(cc, src, ['-trigraphs', '-Wcomment', '-Wtrigraphs']);
          expectOk(r, cc.label);
          expect(r.stderr).toBe('');
        } finally {
          dir.dispose();
        }
      });
    });
  }
});

describe('determinism', () => {
  it('two generations are byte-identical, and match the committed files', () => {
    const a = generatedCopy();
    const b = generatedCopy();
    try {
      const files = (root: string) => {
        const out: string[] = [];
        const walk = (d: string) => {
          for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : out.push(join(d, e.name));
        };
        walk(root);
        return out.map((p) => relative(root, p)).sort();
      };
      const pa = join(a.dir.path, 'packages/c-headers');
      const pb = join(b.dir.path, 'packages/c-headers');
      expect(files(pa)).toEqual(files(pb));
      expect(files(pa).length).toBeGreaterThanOrEqual(6);
      for (const f of files(pa)) {
        expect(readFileSync(join(pb, f), 'utf8'), f).toBe(readFileSync(join(pa, f), 'utf8'));
        expect(readFileSync(join(PKG, f), 'utf8'), `${f} is stale: run npm run generate`).toBe(readFileSync(join(pa, f), 'utf8'));
      }
    } finally {
      a.dir.dispose();
      b.dir.dispose();
    }
  });
});
