import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { createHash } from 'node:crypto';
import { JsonSyntaxError, parseJsonWithPositions, type Position } from './json-positions.js';
import { SpecInvalidError, type Diagnostic } from './diagnostics.js';

/** One spec file as read from disk: its text, parsed value and value positions. */
export interface SpecFile {
  path: string; // absolute
  displayPath: string; // for messages
  text: string;
  data: unknown;
  positions: Map<string, Position>;
}

/** The raw spec: the index file and its area files, not yet validated. */
export interface LoadedSpec {
  index: SpecFile;
  areas: SpecFile[];
  /** sha256 over every file's name and bytes, in index order: names the exact spec in banners. */
  hash: string;
}

export function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
}

/** Accepts the index file or the directory holding `index.json`. */
export function resolveSpecPath(p: string): string {
  const abs = resolve(p);
  try {
    if (statSync(abs).isDirectory()) {
      const inSpec = join(abs, 'spec', 'index.json');
      try {
        statSync(inSpec);
        return inSpec;
      } catch {
        return join(abs, 'index.json');
      }
    }
  } catch {
    /* fall through: reported when read */
  }
  return abs;
}

function readSpecFile(path: string, diagnostics: Diagnostic[]): SpecFile | undefined {
  const shown = displayPath(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    diagnostics.push({
      file: shown,
      pointer: '',
      message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      hint: 'check the path; the index lists area files relative to its own directory',
      rule: 'io',
    });
    return undefined;
  }
  try {
    const { value, positions } = parseJsonWithPositions(text);
    return { path, displayPath: shown, text, data: value, positions };
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      diagnostics.push({
        file: shown,
        pointer: '',
        position: e.position,
        message: `invalid JSON: ${e.message}`,
        hint: 'fix the syntax first; no other check runs on a file that does not parse',
        rule: 'syntax',
      });
      return undefined;
    }
    throw e;
  }
}

/** Reads the index and every area it lists. Throws SpecInvalidError on unreadable or unparsable files. */
export function loadSpec(specPath: string): LoadedSpec {
  const diagnostics: Diagnostic[] = [];
  const indexPath = resolveSpecPath(specPath);
  const index = readSpecFile(indexPath, diagnostics);
  if (!index) throw new SpecInvalidError(diagnostics);
  const areaNames = (index.data as { areas?: unknown }).areas;
  const areas: SpecFile[] = [];
  if (Array.isArray(areaNames)) {
    areaNames.forEach((name, i) => {
      if (typeof name !== 'string') return; // the schema reports it
      const f = readSpecFile(join(dirname(indexPath), name), diagnostics);
      if (f) areas.push(f);
      else if (diagnostics.at(-1)?.rule === 'io') {
        const d = diagnostics.at(-1)!;
        d.file = index.displayPath;
        d.pointer = `/areas/${i}`;
        d.position = index.positions.get(`/areas/${i}`);
        d.message = `area file "${name}" ${d.message}`;
      }
    });
  }
  if (diagnostics.length) throw new SpecInvalidError(diagnostics);
  const h = createHash('sha256');
  for (const f of [index, ...areas]) {
    h.update(relative(dirname(indexPath), f.path).replace(/\\/g, '/'));
    h.update('\0');
    h.update(f.text);
    h.update('\0');
  }
  return { index, areas, hash: h.digest('hex') };
}
