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
