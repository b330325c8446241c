/**
 * A JSON parser that also records where each value starts, so every diagnostic can
 * name `file:line:column` for a JSON pointer. JSON.parse gives no positions, and the
 * spec is small (a few thousand lines), so a hand-written recursive descent is enough.
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
    const start = i;
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined || c === '\n') fail('unterminated string');
      if (c === '\\') i += 2;
      else if (c === '"') break;
      else i++;
    }
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };

  const parseValue = (pointer: string): unknown => {
    skipWs();
    positions.set(pointer, here());
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      skipWs();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        skipWs();
        const keyPos = here();
        const key = parseString();
        const child = `${pointer}/${escapePointerToken(key)}`;
        positions.set(`${child}#key`, keyPos);
        if (Object.prototype.hasOwnProperty.call(obj, key)) {
          throw new JsonSyntaxError(`duplicate key "${key}"`, keyPos);
        }
        skipWs();
        if (text[i] !== ':') fail(`expected ':' after key "${key}"`);
        i++;
        obj[key] = parseValue(child);
        skipWs();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
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
