import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, parseJsonWithPositions } from '../src/spec/json-positions.js';

describe('parseJsonWithPositions', () => {
  const text = '{\n  "a": [1, {"b/c": "x"}],\n  "d": {"e~f": true}\n}\n';
  it('parses like JSON.parse', () => {
    expect(parseJsonWithPositions(text).value).toEqual(JSON.parse(text));
  });
  it('records the position of every value and key, with escaped pointer tokens', () => {
    const { positions } = parseJsonWithPositions(text);
    expect(positions.get('/a')).toEqual({ line: 2, column: 8 });
    expect(positions.get('/a/1/b~1c')).toEqual({ line: 2, column: 20 });
    expect(positions.get('/d/e~0f')).toEqual({ line: 3, column: 16 });
    expect(positions.get('/d#key')).toEqual({ line: 3, column: 3 });
  });
  const refusal = (doc: string): { message: string; position: unknown } => {
    try {
      parseJsonWithPositions(doc);
    } catch (e) {
      expect(e).toBeInstanceOf(JsonSyntaxError);
      return { message: (e as JsonSyntaxError).message, position: (e as JsonSyntaxError).position };
    }
    return expect.unreachable();
  };
  // A document JSON.parse takes goes a faster way; these are the cases it must still refuse.
  it('refuses a duplicate key deep in a large document, at the key', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `    {"name": "f${i}", "doc": "a \\"quoted\\" : colon", "n": ${i}}`);
    rows[1500] = '    {"name": "f1500", "n": 1, "name": "again"}';
    const doc = `{\n  "rows": [\n${rows.join(',\n')}\n  ]\n}\n`;
    expect(refusal(doc)).toEqual({ message: 'duplicate key "name"', position: { line: 1503, column: 31 } });
  });
  it('refuses a number longer than 64 characters and takes one of 64', () => {
    const n64 = `1.${'5'.repeat(62)}`;
    expect(parseJsonWithPositions(`{"n": ${n64}}`).value).toEqual({ n: JSON.parse(n64) });
    expect(refusal(`{"n": ${n64}5}`).message).toMatch(/expected ',' or '}' in object/);
  });
  it('counts keys right around escaped quotes, colons in strings and "__proto__"', () => {
    const doc = '{"a\\\\": "x:\\"y\\":", "__proto__": {"b": [1, "c:d"]}, "e": {}}';
    const { value } = parseJsonWithPositions(doc);
    expect(JSON.stringify(value)).toBe(JSON.stringify(JSON.parse(doc)));
    expect(Object.hasOwn(value as object, '__proto__')).toBe(true);
    expect(refusal('{"a\\\\": "x:\\"y\\":", "__proto__": {"b": 1}, "__proto__": 2}').message).toBe('duplicate key "__proto__"');
  });
  it('reports where the syntax breaks', () => {
    try {
      parseJsonWithPositions('{\n  "a": 1,\n  "b" 2\n}');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JsonSyntaxError);
      expect((e as JsonSyntaxError).position).toEqual({ line: 3, column: 7 });
      expect((e as JsonSyntaxError).message).toMatch(/expected ':' after key "b"/);
    }
  });
});
