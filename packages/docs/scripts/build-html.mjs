#!/usr/bin/env node
/**
 * Optional HTML build of the generated reference: renders reference/**\/*.md with markdown-it
 * into html/ (or the directory given as the first argument), gives headings the ids GitHub
 * would, and rewrites links from .md to .html. Mermaid blocks are kept as <pre class="mermaid">
 * for a site that loads mermaid.js; the session table beside the diagram says the same.
 *   node scripts/build-html.mjs [OUT_DIR]
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import MarkdownIt from 'markdown-it';

const here = dirname(new URL(import.meta.url).pathname);
const SRC = resolve(here, '../reference');
const OUT = resolve(process.argv[2] ?? join(here, '../html'));

/** GitHub's heading anchor: lower case, punctuation other than `-` and `_` dropped, spaces to hyphens. */
const slug = (text) =>
  text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');

const md = new MarkdownIt({ html: true });

// Heading ids as on GitHub, numbered when a page repeats a heading.
md.core.ruler.push('github_heading_ids', (state) => {
  const seen = new Map();
  state.tokens.forEach((t, i) => {
    if (t.type !== 'heading_open') return;
    const text = state.tokens[i + 1].children.filter((c) => ['text', 'text_special', 'code_inline'].includes(c.type)).map((c) => c.content).join('');
    const base = slug(text);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    t.attrSet('id', n ? `${base}-${n}` : base);
  });
});

// Links between pages: foo.md#x → foo.html#x.
const defaultLink = md.renderer.rules.link_open ?? ((tokens, i, opts, env, self) => self.renderToken(tokens, i, opts));
md.renderer.rules.link_open = (tokens, i, opts, env, self) => {
  const href = tokens[i].attrGet('href') ?? '';
  if (!/^[a-z]+:/i.test(href)) tokens[i].attrSet('href', href.replace(/\.md(?=#|$)/, '.html'));
  return defaultLink(tokens, i, opts, env, self);
};

// Mermaid blocks become <pre class="mermaid">; other code keeps its language class.
const defaultFence = md.renderer.rules.fence;
md.renderer.rules.fence = (tokens, i, opts, env, self) =>
  tokens[i].info.trim() === 'mermaid' ? `<pre class="mermaid">${md.utils.escapeHtml(tokens[i].content)}</pre>\n` : defaultFence(tokens, i, opts, env, self);

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;vertical-align:top}
code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}pre{background:#f6f8fa;padding:1rem;overflow:auto}pre code{padding:0}`;

function page(title, body) {
  return `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${md.utils.escapeHtml(title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n${body}</body>\n</html>\n`;
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : []));
}

let count = 0;
for (const file of walk(SRC).sort()) {
  const rel = relative(SRC, file);
  const src = readFileSync(file, 'utf8');
  const title = /^# (.+)$/m.exec(src)?.[1].replace(/`/g, '') ?? rel;
  const out = join(OUT, rel.replace(/\.md$/, '.html'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, page(title, md.render(src)));
  count++;
}
const index = join(OUT, 'index.html');
writeFileSync(index, '<!doctype html>\n<meta charset="utf-8">\n<meta http-equiv="refresh" content="0; url=README.html">\n<a href="README.html">Reference</a>\n');
console.log(`docs: ${count} pages rendered into ${relative(process.cwd(), OUT) || '.'}`);
