// The MQTT channel's id tables (packet ids, correlation IDs) on their own: they answer as a Map
// would, whatever the keys — in sequence, colliding on the same slot, or spilling into overflow.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertySeed } from '../../../test/support/seed.js';
import { IdTable } from '../src/mqtt/id-table.js';

describe('IdTable', () => {
  it('answers get/has/set/delete/clear as a Map does', () => {
    // Keys from a small range collide on the 8 slots often; large ones reach the 32-bit range of correlation IDs.
    const key = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 0xffffffff }));
    const op = fc.oneof(
      fc.record({ set: key, value: fc.integer() }),
      fc.record({ delete: key }),
      fc.record({ get: key }),
      fc.constant('clear' as const),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const table = new IdTable<number>(8);
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o === 'clear') {
            table.clear();
            model.clear();
          } else if ('set' in o) {
            table.set(o.set, o.value);
            model.set(o.set, o.value);
          } else if ('delete' in o) {
            expect(table.delete(o.delete)).toBe(model.delete(o.delete));
          } else {
            expect(table.get(o.get)).toBe(model.get(o.get));
            expect(table.has(o.get)).toBe(model.has(o.get));
          }
        }
        for (const [k, v] of model) expect(table.get(k)).toBe(v);
      }),
      { seed: propertySeed('id table'), numRuns: 200 },
    );
  });

  it('keeps a key in one place: re-set while its slot was freed, it is still found once deleted', () => {
    const table = new IdTable<string>(4);
    table.set(1, 'a'); // slot 1
    table.set(5, 'b'); // slot 1 taken: overflow
    table.delete(1); // slot 1 free again
    table.set(5, 'c'); // must update the overflow entry, not take the free slot as a second copy
    expect(table.delete(5)).toBe(true);
    expect(table.get(5)).toBeUndefined();
    expect(table.has(5)).toBe(false);
  });
});
