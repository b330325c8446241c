/**
 * The committed reference covers the spec: every function, struct, field, enum, constant,
 * handle type, limit and erratum has its page or anchor. Items are listed from the raw spec
 * files (not the generator's model), and binary facts on the pages are compared with the
 * vendor-header facts in test/fixtures/vendor/microvisor-abi.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Page, readJson, readReference, REPO, VENDOR_FIXTURE } from './support/reference.js';

const specFile = (f: string) => readJson(join(REPO, 'api-spec/spec', f));
const index = specFile('index.json');
const areas: any[] = index.areas.map(specFile);
const all = (key: string): any[] => areas.flatMap((a) => a[key] ?? []);
const abi = readJson(join(VENDOR_FIXTURE, 'microvisor-abi.json'));
/** Every function of the vendor header: the MQTT surface and the others. */
const headerFunctions: Record<string, any> = { ...abi.functions, ...abi.functions_other };

let pages: Map<string, Page>;
beforeAll(() => {
  pages = readReference();
});

const page = (path: string) => {
  const p = pages.get(path);
  if (!p) throw new Error(`no page ${path}`);
  return p;
};

/** Leaf field paths of a raw spec struct (`v1.notification_handle` for union members), plus union member names. */
function fieldPaths(struct: any): string[] {
  const out: string[] = [];
  for (const f of struct.fields) {
    if (f.union) for (const m of f.union) out.push(m.name, ...m.fields.map((x: any) => `${m.name}.${x.name}`));
    else out.push(f.name);
  }
  return out;
}

/** Rows of the first table after a `## heading`, as arrays of cell source text. */
function tableAfter(p: Page, heading: string): string[][] {
  const lines = p.source.split('\n');
  let i = lines.findIndex((l) => l === `## ${heading}`);
  expect(i, `${p.path} has no "## ${heading}"`).toBeGreaterThanOrEqual(0);
  while (!lines[i].startsWith('|')) i++;
  const rows: string[][] = [];
  for (i += 2; i < lines.length && lines[i].startsWith('|'); i++)
    rows.push(lines[i].slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  return rows;
}

const codeBlock = (p: Page, lang: string, after: string) => {
  const start = p.source.indexOf(after);
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```').exec(p.source.slice(start));
  if (!m) throw new Error(`${p.path}: no ${lang} block after ${after}`);
  return m[1];
};
const squash = (s: string) => s.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').replace(/,\)/g, ')').trim();

describe('every spec item has a page or an anchor', () => {
  it('the index, session, limits and errata pages exist', () => {
    for (const p of ['README.md', 'session.md', 'limits.md', 'errata.md']) expect(pages.has(p), p).toBe(true);
  });

  it('functions, structs, enums and handle types have pages, linked from the index', () => {
    const indexLinks = new Set(page('README.md').links);
    const expectPage = (dir: string, name: string) => {
      expect(pages.has(`${dir}/${name}.md`), `${dir}/${name}.md`).toBe(true);
      expect(indexLinks.has(`${dir}/${name}.md`), `README links ${dir}/${name}.md`).toBe(true);
    };
    for (const f of all('functions')) expectPage('functions', f.name);
    for (const s of all('structs')) expectPage('structs', s.name);
    for (const e of all('enums')) expectPage('enums', e.name);
    for (const t of all('typedefs')) expectPage('typedefs', t.name);
    expect(all('functions').length).toBeGreaterThan(20);
  });

  it('every struct field has an anchor on its struct page', () => {
    let n = 0;
    for (const s of all('structs'))
      for (const path of fieldPaths(s)) {
        expect(page(`structs/${s.name}.md`).anchors.has(`field-${path.toLowerCase().replace(/\./g, '-')}`), `${s.name}.${path}`).toBe(true);
        n++;
      }
    expect(n).toBeGreaterThan(80);
  });

  it('every enum constant and sentinel has an anchor on its enum page', () => {
    for (const e of all('enums')) {
      const p = page(`enums/${e.name}.md`);
      for (const c of e.constants) expect(p.anchors.has(c.name.toLowerCase()), c.name).toBe(true);
      expect(p.anchors.has(e.sentinel.name.toLowerCase()), e.sentinel.name).toBe(true);
    }
  });

  it('every limit has a heading on the limits page, and every erratum an anchor on the errata page', () => {
    for (const l of all('limits')) expect(page('limits.md').anchors.has(l.name.toLowerCase()), l.name).toBe(true);
    expect(index.errata.length).toBeGreaterThan(0);
    for (const e of index.errata) expect(page('errata.md').anchors.has(`erratum-${e.id}`), `erratum ${e.id}`).toBe(true);
  });

  it('every area has a section of the index listing its items', () => {
    const readme = page('README.md');
    for (const a of areas) {
      expect(readme.anchors.has(`area-${a.area}`), a.area).toBe(true);
      const section = readme.source.slice(readme.source.indexOf(`<a id="area-${a.area}">`));
      const next = section.indexOf('<a id="area-', 10);
      const body = next > 0 ? section.slice(0, next) : section;
      for (const key of ['functions', 'structs', 'enums', 'typedefs']) for (const item of a[key]) expect(body, `${a.area}: ${item.name}`).toContain(`/${item.name}.md)`);
      for (const l of a.limits) expect(body, `${a.area}: ${l.name}`).toContain(`limits.md#${l.name.toLowerCase()})`);
    }
  });
});

describe('function pages against the vendor header', () => {
  const fns = () => all('functions');

  it('show the C prototype the header declares', () => {
    for (const f of fns()) {
      const h = headerFunctions[f.name];
      expect(h, `${f.name} in microvisor-abi.json`).toBeDefined();
      const params = h.params.map((p: any) => `${p.c_type}${p.c_type.endsWith('*') ? '' : ' '}${p.name}`).join(', ');
      const expected = `extern ${h.return_type} ${f.name}(${params || 'void'});`;
      expect(squash(codeBlock(page(`functions/${f.name}.md`), 'c', '## Declaration'))).toBe(squash(expected));
    }
  });

  it('show the NSC address and a row for every documented status, plus success', () => {
    for (const f of fns()) {
      const h = headerFunctions[f.name];
      const p = page(`functions/${f.name}.md`);
      expect(p.source).toContain(`\`${h.nsc_address}\``);
      const rows = tableAfter(p, 'Return values');
      const statusOf = (row: string[]) => /`(MV_STATUS_[A-Z_]+)`/.exec(row[0])![1];
      expect(rows.map(statusOf)).toEqual(['MV_STATUS_OKAY', ...f.errors.map((e: any) => e.status)]);
      for (const s of h.documented_error_statuses) {
        const row = rows.find((r) => statusOf(r) === s);
        expect(row, `${f.name}: ${s}`).toBeDefined();
        expect(Number(row![1])).toBe(abi.enums.MvStatus.constants[s]);
        expect(row![5], `${f.name}: ${s} is from the header`).toBe('header');
      }
      for (const r of rows.filter((x) => !h.documented_error_statuses.includes(statusOf(x)) && statusOf(x) !== 'MV_STATUS_OKAY'))
        expect(r[5], `${f.name}: ${statusOf(r)} is not in the header, so it must be marked`).toBe('**inferred**');
    }
  });

  it('show the TypeScript signature that MvSyscalls declares in @mvmqtt/sdk', () => {
    const sdk = squash(readFileSync(join(REPO, 'packages/sdk/src/generated/syscalls.ts'), 'utf8'));
    for (const f of fns()) {
      const sig = squash(codeBlock(page(`functions/${f.name}.md`), 'ts', 'TypeScript'));
      expect(sig.startsWith(`${f.name}(`)).toBe(true);
      expect(sdk, f.name).toContain(sig);
    }
  });

  it('list the parameters with the header directions', () => {
    for (const f of fns()) {
      const rows = tableAfter(page(`functions/${f.name}.md`), 'Parameters');
      const words: Record<string, string> = { value: 'value', in: 'in', out: 'out', inout: 'in/out' };
      // The first cell starts with the parameter's anchor.
      expect(rows.map((r) => r[0].replace(/^<a id="param-[a-z0-9_]+"><\/a>/, ''))).toEqual(headerFunctions[f.name].params.map((p: any) => `\`${p.name}\``));
      expect(rows.map((r) => r[2])).toEqual(headerFunctions[f.name].params.map((p: any) => words[p.direction]));
    }
  });
});

describe('struct and enum pages against the vendor header', () => {
  /** `path → {arm32, x86_64}` from the header facts, flattening anonymous unions (`v1.x`). */
  function headerLayout(fields: any[], prefix = ''): Map<string, any> {
    const out = new Map<string, any>();
    for (const f of fields) {
      if (f.kind === 'union') for (const m of f.members) for (const [k, v] of headerLayout(m.members, `${m.name}.`)) out.set(k, v);
      else out.set(`${prefix}${f.name}`, f);
    }
    return out;
  }

  it('give every field its device and host offset and size, and each struct its size', () => {
    for (const s of all('structs')) {
      const h = abi.structs[s.name];
      const rows = tableAfter(page(`structs/${s.name}.md`), 'Layout');
      const fields = rows.filter((r) => r[0].startsWith('[`'));
      const layout = headerLayout(h.fields);
      expect(fields.map((r) => /`([^`]+)`/.exec(r[0])![1])).toEqual([...layout.keys()]);
      for (const r of fields) {
        const f = layout.get(/`([^`]+)`/.exec(r[0])![1]);
        expect(r.slice(1, 5).map(Number), `${s.name}.${f.name}`).toEqual([f.arm32.offset, f.arm32.size, f.x86_64.offset, f.x86_64.size]);
      }
      const total = rows.find((r) => r[0] === '**total**')!;
      expect(total[2]).toBe(`**${h.arm32.size} bytes**`);
      expect(total[4]).toBe(`**${h.x86_64.size} bytes**`);
    }
  });

  it('show padding wherever the fields leave a gap', () => {
    const rows = tableAfter(page('structs/MvMqttConnectRequest.md'), 'Layout');
    const padding = rows.filter((r) => r[0].startsWith('*padding'));
    // From the header facts: arm32 pads 2 bytes after port (12) and 3 after clean_start (52).
    expect(padding.map((r) => r.slice(1, 3))).toEqual(expect.arrayContaining([['14', '2'], ['53', '3']]));
    // Every gap in the arm32 column is accounted for: offsets + sizes tile the struct.
    let end = 0;
    for (const r of rows.filter((x) => x[0] !== '**total**' && x[1] !== '—')) {
      expect(Number(r[1]), r[0]).toBe(end);
      end = Number(r[1]) + Number(r[2]);
    }
    expect(end).toBe(abi.structs.MvMqttConnectRequest.arm32.size);
  });

  it('give every enum constant its value in hex and decimal, and the enum its sizes and sentinel', () => {
    for (const e of all('enums')) {
      const h = abi.enums[e.name];
      const p = page(`enums/${e.name}.md`);
      const rows = tableAfter(p, 'Constants');
      expect(rows.length).toBe(e.constants.length);
      for (const r of rows) {
        const name = /`([A-Z0-9_]+)`/.exec(r[0])![1];
        expect(r[1], name).toBe(`\`0x${h.constants[name].toString(16)}\``);
        expect(Number(r[2]), name).toBe(h.constants[name]);
      }
      expect(p.source).toContain(`| arm32 (device) | ${h.size_bytes_arm_none_eabi} byte`);
      expect(p.source).toContain(`| x86_64 (host) | ${h.size_bytes_int_enums} bytes`);
      expect(p.source).toContain(`\`${h.size_sentinel}\` = \`0x${h.size_sentinel_value.toString(16)}\``);
    }
  });

  it('give every handle type its sizes and opaque struct', () => {
    for (const t of all('typedefs')) {
      const h = abi.typedefs[t.name];
      const p = page(`typedefs/${t.name}.md`);
      expect(p.source).toContain(`| arm32 (device) | ${h.size_bytes_arm32} bytes |`);
      expect(p.source).toContain(`| x86_64 (host) | ${h.size_bytes_x86_64} bytes |`);
      expect(squash(codeBlock(p, 'c', '## Declaration'))).toBe(squash(`typedef ${h.underlying}${t.name};`));
    }
  });
});

describe('the vendor web page', () => {
  // The identifiers the page names (the fixture keeps them, not the page's text).
  const names = new Set<string>(readJson(join(VENDOR_FIXTURE, 'vendor-page-identifiers.json')));

  it('every identifier it names is either documented here or explained on the errata page', () => {
    const documented = new Set<string>();
    for (const p of pages.values()) {
      for (const a of p.anchors) documented.add(a);
      const m = /^(?:functions|structs|enums|typedefs)\/(\w+)\.md$/.exec(p.path);
      if (m) documented.add(m[1]);
    }
    const errata = page('errata.md').source;
    const known = (n: string) => documented.has(n) || documented.has(n.toLowerCase()) || new RegExp(`\\b${n}\\b`).test(errata);
    // The page's tables lost their cell borders in the text copy ("MV_STATUS_LATEFAULTOne"): a known
    // name followed by the next cell's words counts as that name.
    const explained = (n: string) => {
      for (let k = n.length; k >= 4; k--) if (known(n.slice(0, k)) && /^(?:(?:[A-Z]?[a-z]+)+[A-Z]*|[A-Z])?$/.test(n.slice(k))) return true;
      return false;
    };
    const unexplained = [...names].filter((n) => !explained(n));
    expect(unexplained).toEqual([]);
    expect(names.size).toBeGreaterThan(40);
  });
});
