/**
 * Reads a generated reference the way a Markdown viewer does: markdown-it (CommonMark + GFM
 * tables) parses each page; anchors are GitHub's heading slugs plus explicit `<a id>` tags;
 * links are every `href` in the rendered pages. Written independently of the emitter, so
 * the checks do not trust the code they check.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative, resolve } from 'node:path';
import MarkdownIt from 'markdown-it';

export const REPO = resolve(import.meta.dirname, '../../../..');
export const REFERENCE = join(REPO, 'packages/docs/reference');
/** Vendor facts kept in the repository (test/fixtures/vendor/README.md says where they come from). */
export const VENDOR_FIXTURE = join(REPO, 'test/fixtures/vendor');

export const markdown = new MarkdownIt({ html: true });
type Token = ReturnType<typeof markdown.parse>[number];

/** GitHub's heading anchor: lower case, punctuation other than `-` and `_` dropped, spaces to hyphens. */
export function githubSlug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The text a reader sees in an inline token: plain text only (code spans, HTML, links' markup excluded). */
export function plainText(inline: Token): string {
  return (inline.children ?? [])
    // Code spans show their content as written (the spec's `identifier` convention); other markup is marked.
    .map((c) => (c.type === 'text' || c.type === 'text_special' || c.type === 'code_inline' ? c.content : c.type === 'softbreak' ? ' ' : '\u0000'))
    .join('');
}

/** Heading text as GitHub slugs it: the text content, code spans included. */
function headingText(inline: Token): string {
  return (inline.children ?? []).map((c) => (c.type === 'text' || c.type === 'text_special' || c.type === 'code_inline' ? c.content : '')).join('');
}

export interface Page {
  path: string;
  source: string;
  tokens: Token[];
  html: string;
  anchors: Set<string>;
  links: string[];
}

export function listMarkdown(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.md')) out.push(relative(dir, join(d, e.name)).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

export function readPage(dir: string, path: string): Page {
  const source = readFileSync(join(dir, path), 'utf8');
  const tokens = markdown.parse(source, {});
  const html = markdown.renderer.render(tokens, markdown.options, {});
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  tokens.forEach((t, i) => {
    if (t.type !== 'heading_open') return;
    const base = githubSlug(headingText(tokens[i + 1]));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n ? `${base}-${n}` : base);
  });
  for (const m of html.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
  const links: string[] = [];
  const visit = (ts: Token[]) => {
    for (const t of ts) {
      if (t.type === 'link_open') links.push(String(t.attrGet('href') ?? ''));
      if (t.children) visit(t.children);
    }
  };
  visit(tokens);
  return { path, source, tokens, html, anchors, links };
}

export function readReference(dir = REFERENCE): Map<string, Page> {
  return new Map(listMarkdown(dir).map((p) => [p, readPage(dir, p)]));
}

/** Every internal link that does not lead to an existing page and anchor. */
export function brokenLinks(pages: Map<string, Page>): string[] {
  const broken: string[] = [];
  for (const page of pages.values())
    for (const href of page.links) {
      if (/^[a-z]+:/i.test(href)) continue;
      const [path, anchor] = href.split('#');
      const target = path ? posix.normalize(posix.join(posix.dirname(page.path), decodeURI(path))) : page.path;
      const hit = pages.get(target);
      if (!hit) broken.push(`${page.path}: ${href} (no page ${target})`);
      else if (anchor !== undefined && !hit.anchors.has(decodeURIComponent(anchor))) broken.push(`${page.path}: ${href} (no anchor #${anchor} in ${target})`);
    }
  return broken;
}

/** Lines of GFM tables whose unescaped `|` count differs from their table's header row. */
export function brokenTableRows(page: Page): string[] {
  const bad: string[] = [];
  const pipes = (line: string) => (line.match(/(?<!\\)\|/g) ?? []).length;
  let header: number | undefined;
  let inFence = false;
  for (const line of page.source.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    if (inFence || !line.startsWith('|')) {
      header = undefined;
      continue;
    }
    if (header === undefined) header = pipes(line);
    else if (pipes(line) !== header) bad.push(`${page.path}: ${line}`);
  }
  return bad;
}

/** A throw-away copy of the spec (with its schema) that a test may edit. */
export function copySpec(): { root: string; index: string; edit(file: string, fn: (d: any) => void): void; dispose(): void } {
  const root = mkdtempSync(join(tmpdir(), 'mvdocs-spec-'));
  cpSync(join(REPO, 'api-spec/spec'), join(root, 'api-spec/spec'), { recursive: true });
  cpSync(join(REPO, 'api-spec/schema.json'), join(root, 'api-spec/schema.json'));
  const file = (f: string) => join(root, 'api-spec/spec', f);
  return {
    root,
    index: file('index.json'),
    edit(f, fn) {
      const d = JSON.parse(readFileSync(file(f), 'utf8'));
      fn(d);
      writeFileSync(file(f), `${JSON.stringify(d, null, 2)}\n`);
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Runs the real CLI: `mvgen generate --target docs`, into `out` (a temp dir) from `spec`. */
export function generateDocs(out: string, spec = join(REPO, 'api-spec/spec/index.json')): void {
  const r = spawnSync(process.execPath, [join(REPO, 'generator/bin/mvgen.js'), 'generate', '--target', 'docs', '--spec', spec, '--out', out, '--quiet'], {
    encoding: 'utf8',
    cwd: REPO,
  });
  if (r.status !== 0) throw new Error(`mvgen generate failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

export function tempDir(prefix = 'mvdocs-out-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}
