/**
 * A JSON parser that also knows where each value starts, so every diagnostic can name
 * `file:line:column` for a JSON pointer. JSON.parse gives no positions, so this is a
 * hand-written recursive descent. It accepts exactly RFC 8259 JSON and refuses anything else
 * with a position: raw control characters in strings, invalid escapes, nesting deeper than
 * MAX_DEPTH, duplicate keys. Positions are only needed for diagnostics, which are rare: the
 * table of them (one entry per value, keyed by pointer) is built by a second pass on first use.
 * A document JSON.parse takes is checked for the rest cheaply (see parseFast), so the
 * hand-written pass runs only for a document it would refuse.
 */
export interface Position {
  line: number; // 1-based
  column: number; // 1-based
}

/** JSON pointer → position of the value (for object members, also `pointer + '#key'` → the key). */
export interface PositionIndex {
  get(pointer: string): Position | undefined;
}

export interface ParsedJson {
  value: unknown;
  positions: PositionIndex;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: Position,
  ) {
    super(message);
  }
}

/** Deeper documents are refused with a diagnostic before the recursion could exhaust the stack. */
export const MAX_DEPTH = 256;

const ESCAPES = new Map([
  ['"', '"'],
  ['\\', '\\'],
  ['/', '/'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
]);

export function escapePointerToken(token: string): string {
  // Nearly every token (a name, an index) has nothing to escape.
  if (!token.includes('~') && !token.includes('/')) return token;
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function parseJsonWithPositions(text: string): ParsedJson {
  const fast = parseFast(text);
  const value = fast === NOT_FAST ? parse(text) : fast;
  let table: Map<string, Position> | undefined;
  const positions: PositionIndex = {
    get(pointer) {
      if (!table) parse(text, (table = new Map()));
      return table.get(pointer);
    },
  };
  return { value, positions };
}

const NOT_FAST = Symbol('not fast');

/**
 * JSON.parse (several times faster than `parse`) when it yields exactly what `parse` would:
 * it accepts the same grammar, but merges duplicate keys, nests without limit and takes numbers
 * of any length. Those cases, and every syntax error, go to `parse`, so its value or its error
 * (message and position) stays the answer. Duplicates show as fewer members in the value than
 * keys in the text.
 */
function parseFast(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return NOT_FAST;
  }
  const keys = countKeysInText(text);
  if (keys < 0 || countMembers(value, 0) !== keys) return NOT_FAST;
  return value;
}

/** Longest number `parse` accepts (it matches a number within the next 64 characters). */
const MAX_NUMBER_CHARS = 64;

/**
 * Keys in valid JSON text (a key is the only thing followed by ':'), or -1 if a number is longer
 * than `parse` takes. Strings are skipped with indexOf; only the text between them is walked.
 */
function countKeysInText(text: string): number {
  let keys = 0;
  let i = 0;
  for (;;) {
    const quote = text.indexOf('"', i);
    const end = quote < 0 ? text.length : quote;
    let run = 0; // characters of the current number (or literal)
    for (let j = i; j < end; j++) {
      const c = text.charCodeAt(j);
      if (c === 58) keys++;
      // 0-9 - + . e E
      if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69) {
        if (++run > MAX_NUMBER_CHARS) return -1;
      } else run = 0;
    }
    if (quote < 0) return keys;
    // The closing quote is the next one not escaped (preceded by an even run of backslashes).
    let k = quote + 1;
    for (;;) {
      k = text.indexOf('"', k);
      let slashes = 0;
      while (text.charCodeAt(k - 1 - slashes) === 92) slashes++;
      if (slashes % 2 === 0) break;
      k++;
    }
    i = k + 1;
  }
}

/** Object members in `v`, or -1 if containers nest deeper than MAX_DEPTH. */
function countMembers(v: unknown, depth: number): number {
  if (v === null || typeof v !== 'object') return 0;
  if (++depth > MAX_DEPTH) return -1;
  let n = 0;
  if (Array.isArray(v)) {
    for (const x of v) {
      const m = countMembers(x, depth);
      if (m < 0) return -1;
      n += m;
    }
  } else {
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const m = countMembers(o[k], depth);
      if (m < 0) return -1;
      n += m + 1;
    }
  }
  return n;
}

/** Parses `text`; with `positions`, also records where every value (and member key) starts. */
function parse(text: string, positions?: Map<string, Position>): unknown {
  let i = 0;
  let line = 1;
  let lineStart = 0;

  const here = (): Position => ({ line, column: i - lineStart + 1 });
  const fail = (msg: string): never => {
    throw new JsonSyntaxError(msg, here());
  };
  const skipWs = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        i++;
        line++;
        lineStart = i;
      } else if (c === 32 || c === 9 || c === 13) i++;
      else break;
    }
  };

  const parseString = (): string => {
    if (text[i] !== '"') fail(`expected a string, found ${describe(text[i])}`);
    i++;
    let out = '';
    for (;;) {
      // A run of ordinary characters is taken as one slice.
      const run = i;
      for (let c = text.charCodeAt(i); c >= 0x20 && c !== 0x22 && c !== 0x5c; c = text.charCodeAt(i)) i++;
      if (i > run) out += text.slice(run, i);
      const c = text.charCodeAt(i);
      if (Number.isNaN(c) || c === 10) fail('unterminated string');
      if (c === 0x22) break;
      if (c < 0x20) fail(`raw control character U+${c.toString(16).padStart(4, '0').toUpperCase()} inside a string; write it as an escape such as \\n or \\u0009`);
      const e = text[i + 1];
      const simple = e === undefined ? undefined : ESCAPES.get(e);
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
      } else if (e === 'u') fail(`invalid escape ${JSON.stringify(text.slice(i, i + 6))}: \\u takes four hex digits`);
      else fail(`invalid escape "\\${e ?? ''}" in a string; JSON allows \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX`);
    }
    i++;
    return out;
  };

  let depth = 0;
  // Pointers are built only while recording positions (`pointer` is '' otherwise).
  const parseValue = (pointer: string): unknown => {
    skipWs();
    if (positions) positions.set(pointer, here());
    const c = text[i];
    if ((c === '{' || c === '[') && ++depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      skipWs();
      if (text[i] === '}') {
        i++;
        depth--;
        return obj;
      }
      for (;;) {
        skipWs();
        const keyAt = i;
        const keyLine = line;
        const keyLineStart = lineStart;
        const key = parseString();
        const keyPos = () => ({ line: keyLine, column: keyAt - keyLineStart + 1 });
        const child = positions ? `${pointer}/${escapePointerToken(key)}` : '';
        if (positions) positions.set(`${child}#key`, keyPos());
        if (Object.hasOwn(obj, key)) {
          throw new JsonSyntaxError(`duplicate key "${key}"`, keyPos());
        }
        skipWs();
        if (text[i] !== ':') fail(`expected ':' after key "${key}"`);
        i++;
        // A "__proto__" key is an ordinary member, not the prototype: defined, not assigned.
        if (key === '__proto__') Object.defineProperty(obj, key, { value: parseValue(child), enumerable: true, writable: true, configurable: true });
        else obj[key] = parseValue(child);
        skipWs();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          depth--;
          return obj;
        }
        fail(`expected ',' or '}' in object, found ${describe(text[i])}`);
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      skipWs();
      if (text[i] === ']') {
        i++;
        depth--;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(positions ? `${pointer}/${arr.length}` : ''));
        skipWs();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          depth--;
          return arr;
        }
        fail(`expected ',' or ']' in array, found ${describe(text[i])}`);
      }
    }
    if (c === '"') return parseString();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) fail(`unexpected ${describe(c)}`);
    i += m![0].length;
    return JSON.parse(m![0]);
  };

  const value = parseValue('');
  skipWs();
  if (i < text.length) fail(`unexpected ${describe(text[i])} after the end of the document`);
  return value;
}

function describe(c: string | undefined): string {
  return c === undefined ? 'end of file' : JSON.stringify(c);
}
