/**
 * Runs the `mvgen diff` corpus (corpus.ts): every case must print exactly its expected lines,
 * every pointer printed must exist in the file it names, and the run must be deterministic.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { diffSpecs, formatReport, type DiffResult } from '../../src/index.js';
import { copySpec, type SpecCopy } from '../support/spec-copy.js';
import { CASES } from './corpus.js';

const copies: SpecCopy[] = [];
afterAll(() => copies.forEach((c) => c.dispose()));

function specPair(c: (typeof CASES)[number]) {
  const [before, after] = [copySpec(), copySpec()];
  copies.push(before, after);
  c.old?.(before);
  c.new?.(after);
  return { before, after };
}

const LINE = /^(major|minor|patch): ([^#]+)#(\S*)( \(old\))?: (.*)$/;

/** Walks a JSON pointer; a non-numeric token on an array picks the element with that name. */
function walk(doc: unknown, pointer: string, byName: boolean): { ok: boolean; numeric: string } {
  let node: any = doc;
  const out: string[] = [];
  for (const raw of pointer.split('/').slice(1)) {
    const tok = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      let i = /^\d+$/.test(tok) ? Number(tok) : -1;
      if (i < 0 && byName) i = node.findIndex((x) => x === tok || x?.name === tok || x?.item === tok || x?.status === tok || x?.event === tok);
      if (i < 0 || i >= node.length) return { ok: false, numeric: pointer };
      node = node[i];
      out.push(String(i));
    } else if (node && typeof node === 'object' && tok in node) {
      node = node[tok];
      out.push(raw);
    } else return { ok: false, numeric: pointer };
  }
  return { ok: true, numeric: out.map((t) => `/${t}`).join('') };
}

/** Expected line with named pointer segments → the line `mvgen diff` prints. */
function resolveLine(line: string, before: SpecCopy, after: SpecCopy): string {
  const m = LINE.exec(line);
  if (!m) return line; // the bump line
  const [, level, file, pointer, old, message] = m;
  const r = walk((old ? before : after).read(file), pointer, true);
  if (!r.ok) throw new Error(`corpus: cannot resolve ${file}#${pointer} in the ${old ? 'old' : 'new'} spec`);
  return `${level}: ${file}#${r.numeric}${old ?? ''}: ${message}`;
}

describe('mvgen diff corpus', () => {
  it('has at least 25 cases, each with its own name', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  for (const c of CASES) {
    it(c.name, () => {
      const { before, after } = specPair(c);
      const result: DiffResult = diffSpecs(before.index, after.index);
      const expected = c.expect.map((l) => resolveLine(l, before, after));
      expect(formatReport(result).trimEnd().split('\n')).toEqual(expected);
      for (const ch of result.changes) {
        const side = ch.where.side === 'old' ? before : after;
        expect(walk(side.read(ch.where.file), ch.where.pointer, false).ok, `${ch.where.file}#${ch.where.pointer} exists in the ${ch.where.side} spec`).toBe(true);
      }
    });
  }

  it('prints the same report twice, and does not depend on the order changes were found in', async () => {
    const c = CASES.find((x) => x.name.startsWith('a doc change, an added function'))!;
    const { before, after } = specPair(c);
    const a = diffSpecs(before.index, after.index);
    const b = diffSpecs(before.index, after.index);
    expect(formatReport(b)).toBe(formatReport(a));
    const { sortChanges } = await import('../../src/diff/diff.js');
    expect(sortChanges([...a.changes].reverse())).toEqual(a.changes);
  });
});
