/**
 * A JSON parser that also records where each value starts, so every diagnostic can
 * name `file:line:column` for a JSON pointer. JSON.parse gives no positions, and the
 * spec is small (a few thousand lines), so a hand-written recursive descent is enough. It
 * accepts exactly RFC 8259 JSON and refuses anything else with a position: raw control
 * characters in strings, invalid escapes, nesting deeper than MAX_DEPTH, duplicate keys.
 */
export interface Position {
  line: number; // 1-based
  column: number; // 1-based
}

export interface ParsedJson {
  value: unknown;
  /** JSON pointer → position of the value (for object members, also `pointer + '#key'` → the key). */
  positions: Map<string, Position>;
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
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function parseJsonWithPositions(text: string): ParsedJson {
  const positions = new Map<string, Position>();
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
      const c = text.charCodeAt(i);
      if (Number.isNaN(c) || c === 10) fail('unterminated string');
      if (c === 0x22) break;
      if (c < 0x20) fail(`raw control character U+${c.toString(16).padStart(4, '0').toUpperCase()} inside a string; write it as an escape such as \\n or \\u0009`);
      if (c !== 0x5c) {
        out += text[i++];
        continue;
      }
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
  const parseValue = (pointer: string): unknown => {
    skipWs();
    positions.set(pointer, here());
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
        const keyPos = here();
        const key = parseString();
        const child = `${pointer}/${escapePointerToken(key)}`;
        positions.set(`${child}#key`, keyPos);
        if (Object.hasOwn(obj, key)) {
          throw new JsonSyntaxError(`duplicate key "${key}"`, keyPos);
        }
        skipWs();
        if (text[i] !== ':') fail(`expected ':' after key "${key}"`);
        i++;
        // defineProperty, not `obj[key] =`: a "__proto__" key is an ordinary member, not the prototype.
        Object.defineProperty(obj, key, { value: parseValue(child), enumerable: true, writable: true, configurable: true });
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
        arr.push(parseValue(`${pointer}/${arr.length}`));
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
  return { value, positions };
}

function describe(c: string | undefined): string {
  return c === undefined ? 'end of file' : JSON.stringify(c);
}
