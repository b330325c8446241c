/**
 * Prose with Markdown and HTML syntax in it must show literally and break nothing. Doc
 * strings all over a copy of the spec are replaced with hostile text, the real CLI generates
 * the reference from that copy, and markdown-it reads the result as a viewer would.
 * A property test then throws random punctuation at the escaping helpers directly.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mdBlock, mdCell, mdInline } from '../../../generator/src/emit/docs/escape.js';
import { propertySeed } from '../../../test/support/seed.js';
import { brokenLinks, brokenTableRows, copySpec, generateDocs, markdown, type Page, plainText, readReference, tempDir } from './support/reference.js';

const PAYLOAD =
  '<script>alert("x")</script> a|b *star* _under_ `tick` [link](http://evil.example) ![img](x.png) &amp; & 1 < 2 > 0 ~~gone~~ $math$ {{name}} \\ back # hash <br> 2_x_ __dunder__';

/** Each hostile doc gets its own marker, so a test can find where it landed. */
let next = 0;
const planted: string[] = [];
const hostile = () => {
  const text = `H${++next}: ${PAYLOAD}`;
  planted.push(text);
  return text;
};

const PARAGRAPHS = ['P0: first line', '# not a heading', '- not a list', '1. not ordered', '    not code', '> not a quote', '---', '+ plus', '<div>not html</div>'];
const MULTI = `${PARAGRAPHS[0]}\n${PARAGRAPHS[1]}\n\n${PARAGRAPHS.slice(2).join('\n\n')}`;

let out: string;
let pages: Map<string, Page>;
let dispose: () => void;

beforeAll(() => {
  const spec = copySpec();
  dispose = spec.dispose;
  spec.edit('index.json', (d) => {
    d.doc = hostile();
    for (const e of d.errata.slice(0, 2)) {
      e.item = hostile();
      e.vendor_page = hostile();
      e.header = hostile();
      e.resolution = hostile();
    }
  });
  spec.edit('mqtt.json', (d) => {
    d.title = `MQTT *[x](y)* | <b>`;
    d.doc = hostile();
    const f = d.functions.find((x: any) => x.name === 'mvMqttRequestConnect');
    f.doc = hostile();
    f.params[0].doc = hostile();
    f.params[1].doc = hostile();
    f.errors[0].when = hostile();
    f.errors[1].when = hostile();
    f.notifications[0].when = hostile();
    const e = d.enums.find((x: any) => x.name === 'MvMqttReadableDataType');
    e.doc = hostile();
    e.constants[3].doc = hostile();
    const s = d.structs.find((x: any) => x.name === 'MvMqttConnectRequest');
    s.doc = hostile();
    s.fields[1].doc = hostile();
    d.limits[0].doc = hostile();
  });
  spec.edit('network.json', (d) => {
    const s = d.structs.find((x: any) => x.name === 'MvRequestNetworkParams');
    const u = s.fields.find((f: any) => f.union);
    u.doc = hostile();
    u.union[0].doc = hostile();
    u.union[0].fields[0].doc = hostile();
  });
  spec.edit('notifications.json', (d) => {
    d.typedefs[0].doc = hostile();
    d.functions.find((x: any) => x.name === 'mvCloseNotifications').doc = MULTI;
  });
  out = tempDir();
  generateDocs(out, spec.index);
  pages = readReference(join(out, 'packages/docs/reference'));
});

afterAll(() => {
  dispose?.();
  if (out) rmSync(out, { recursive: true, force: true });
});

/**
 * What a reader sees of a doc string: the spec writes identifiers in backticks, and a
 * balanced pair (non-blank content, no backtick touching it) becomes a code span, so the
 * backticks themselves vanish.
 */
const shown = (s: string) => s.replace(/(?<!`)`([^`]*[^`\s][^`]*)`(?!`)/g, '$1');

/** Every inline run of text in the reference, as a reader sees it. */
function inlineTexts(): { page: string; text: string }[] {
  const all: { page: string; text: string }[] = [];
  for (const p of pages.values()) for (const t of p.tokens) if (t.type === 'inline') all.push({ page: p.path, text: plainText(t) });
  return all;
}

describe('hostile doc strings in the generated reference', () => {
  it('show every character literally, wherever the doc lands (paragraph, table cell, list item, heading)', () => {
    const texts = inlineTexts();
    expect(planted.length).toBeGreaterThanOrEqual(25);
    for (const text of planted) {
      const marker = text.slice(0, text.indexOf(':') + 1);
      const hits = texts.filter((t) => t.text.includes(`${marker} `));
      expect(hits.length, `${marker} appears somewhere`).toBeGreaterThan(0);
      for (const h of hits) expect(h.text, `${h.page}: ${marker}`).toContain(shown(text));
    }
  });

  it('create no HTML, links, images or emphasis of their own', () => {
    for (const p of pages.values()) {
      expect(p.html, p.path).not.toMatch(/<script|<img|<s>|<b>|<div>|evil\.example"/);
      for (const t of p.tokens) {
        if (t.type === 'html_block') expect(t.content, p.path).toMatch(/^(<!--[^]*-->|<a id="[\w-]+"><\/a>)\n*$/);
        for (const c of t.children ?? []) if (c.type === 'html_inline') expect(c.content, p.path).toMatch(/^(<a id="[\w-]+">|<\/a>|<br>)$/);
      }
    }
  });

  it('keep every table intact and every link working', () => {
    expect([...pages.values()].flatMap(brokenTableRows)).toEqual([]);
    expect(brokenLinks(pages)).toEqual([]);
  });

  it('keep paragraphs as paragraphs: no heading, list, quote, rule or code block comes out of prose', () => {
    const p = pages.get('functions/mvCloseNotifications.md')!;
    const paragraphs = p.tokens.flatMap((t, i) => (t.type === 'paragraph_open' ? [plainText(p.tokens[i + 1])] : []));
    expect(paragraphs).toEqual(expect.arrayContaining([`${PARAGRAPHS[0]} ${PARAGRAPHS[1]}`, ...PARAGRAPHS.slice(2).map((s) => s.trim())]));
    for (const kind of ['blockquote_open', 'hr', 'code_block', 'ordered_list_open', 'bullet_list_open'])
      expect(p.tokens.filter((t) => t.type === kind).length, kind).toBe(0);
  });

  it('leave template syntax in data alone: {{name}} shows as written and is never evaluated', () => {
    const readme = pages.get('README.md')!;
    expect(inlineTexts().filter((t) => t.text.includes('{{name}}')).length).toBeGreaterThan(25);
    expect(readme.source).toContain('{{name}}');
  });
});

describe('the escaping helpers', () => {
  const SEED = propertySeed('docs escaping');
  const alphabet = fc.constantFrom(...'ab1 <>&|*_`[]()!#~$\\-+=.:{}"\'/%^@'.split(''));
  const line = fc.string({ unit: alphabet, minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0);
  const inline = (src: string) => markdown.parse(src, {}).filter((t) => t.type === 'inline');

  it('mdCell: any line in a table cell renders as exactly that text, in one cell', () => {
    fc.assert(
      fc.property(line, (s) => {
        const src = `| h | k |\n|---|---|\n| ${mdCell(s)} | end |\n`;
        const tokens = markdown.parse(src, {});
        const cells = tokens.filter((t) => t.type === 'td_open').length;
        expect(cells).toBe(2);
        expect(plainText(inline(src)[2])).toBe(shown(s.trim()));
      }),
      { numRuns: 2000, seed: SEED },
    );
  });

  it('mdBlock: any line renders as one paragraph holding exactly that text', () => {
    fc.assert(
      fc.property(line, (s) => {
        const tokens = markdown.parse(mdBlock(s), {});
        expect(tokens.map((t) => t.type)).toEqual(['paragraph_open', 'inline', 'paragraph_close']);
        expect(plainText(tokens[1])).toBe(shown(s.trim()));
      }),
      { numRuns: 2000, seed: SEED },
    );
  });

  it('mdInline: any line after a label stays in that list item as exactly that text', () => {
    fc.assert(
      fc.property(line, (s) => {
        const src = `- **Label:** ${mdInline(s)}\n`;
        // plainText marks the bold label's markup with NULs; everything after it must be the text itself.
        expect(plainText(inline(src)[0])).toBe(`\u0000Label:\u0000 ${shown(s.trim())}`);
      }),
      { numRuns: 500, seed: SEED },
    );
  });
});
