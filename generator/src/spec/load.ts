import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { createHash } from 'node:crypto';
import { resolveSpecPath } from '../locate.js';
import { JsonSyntaxError, parseJsonWithPositions, type PositionIndex } from './json-positions.js';
import { SpecInvalidError, type Diagnostic } from './diagnostics.js';

/** One spec file as read from disk: its text, parsed value and value positions. */
export interface SpecFile {
  path: string; // absolute
  displayPath: string; // for messages
  text: string;
  data: unknown;
  positions: PositionIndex;
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

export { resolveSpecPath } from '../locate.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Spec files are small; anything bigger is a mistake (and would be slow to parse). */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface LoadOptions {
  /**
   * false: plain JSON.parse, without the checks of our own parser (duplicate keys, nesting depth)
   * and without positions. For a copy of a spec that is validated elsewhere (the generator's
   * worker thread), where it yields the same values several times faster.
   */
  syntaxChecks?: boolean;
}

const NO_POSITIONS: PositionIndex = { get: () => undefined };

function readSpecFile(path: string, diagnostics: Diagnostic[], opts: LoadOptions = {}): SpecFile | undefined {
  const shown = displayPath(path);
  const refuse = (message: string, hint: string, rule = 'io'): undefined => {
    diagnostics.push({ file: shown, pointer: '', message, hint, rule });
    return undefined;
  };
  let text: string;
  try {
    // A FIFO, socket or device would block the read (or never end): only regular files are read.
    const st = statSync(path);
    if (!st.isFile()) return refuse(`is not a regular file (${st.isDirectory() ? 'a directory' : 'a FIFO, socket or device'})`, 'a spec file is a plain JSON file');
    if (st.size > MAX_FILE_BYTES) return refuse(`is ${st.size} bytes, more than a spec file may be (${MAX_FILE_BYTES})`, 'check the path');
    const bytes = readFileSync(path);
    try {
      text = UTF8.decode(bytes);
    } catch {
      return refuse('is not valid UTF-8', 'save the file as UTF-8', 'syntax');
    }
  } catch (e) {
    return refuse(`cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'check the path; the index lists area files relative to its own directory');
  }
  // A UTF-8 byte order mark is accepted (RFC 8259 allows a parser to ignore it) and not part of the JSON.
  const json = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    const { value, positions } = opts.syntaxChecks === false ? { value: JSON.parse(json) as unknown, positions: NO_POSITIONS } : parseJsonWithPositions(json);
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
export function loadSpec(specPath: string, opts: LoadOptions = {}): LoadedSpec {
  const diagnostics: Diagnostic[] = [];
  const indexPath = resolveSpecPath(specPath);
  const index = readSpecFile(indexPath, diagnostics, opts);
  if (!index) throw new SpecInvalidError(diagnostics);
  const data = index.data;
  const areaNames = data !== null && typeof data === 'object' && Object.hasOwn(data, 'areas') ? (data as { areas: unknown }).areas : undefined;
  const areas: SpecFile[] = [];
  if (Array.isArray(areaNames)) {
    areaNames.forEach((name, i) => {
      // The schema reports anything that is not a plain file name beside the index.
      if (typeof name !== 'string' || !/^[a-z0-9_-]+\.json$/.test(name)) return;
      const f = readSpecFile(join(dirname(indexPath), name), diagnostics, opts);
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
