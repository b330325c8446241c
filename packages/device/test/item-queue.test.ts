// The channel's queue of readable items on its own: first in, first out, whatever the mix of
// pushes and reads (it reuses its array and compacts it in place, so long runs matter).
import fc from 'fast-check';
import { MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE, MV_MQTTREQUESTSTATE_REQUESTCOMPLETED } from '@mvmqtt/sdk';
import { describe, expect, it } from 'vitest';
import { propertySeed } from '../../../test/support/seed.js';
import { ItemQueue, type ReadableItem } from '../src/mqtt/items.js';

const item = (correlationId: number): ReadableItem => ({ type: MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE, requestState: MV_MQTTREQUESTSTATE_REQUESTCOMPLETED, correlationId, reasonCode: 0 });

describe('ItemQueue', () => {
  it('reads items in the order they were pushed, through empty spells, long backlogs and clear()', () => {
    // A step: push this many, then read that many (more than are queued reads nothing extra), or clear.
    const step = fc.oneof(
      fc.record({ push: fc.integer({ min: 0, max: 3000 }), read: fc.integer({ min: 0, max: 3000 }) }),
      fc.constant('clear' as const),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        const queue = new ItemQueue();
        const model: ReadableItem[] = [];
        let next = 1;
        for (const s of steps) {
          if (s === 'clear') {
            queue.clear();
            model.length = 0;
            continue;
          }
          for (let i = 0; i < s.push; i++) {
            const it = item(next++);
            queue.push(it);
            model.push(it);
          }
          for (let i = 0; i < s.read; i++) {
            // Plain comparisons in the loop (an expect() per item would take minutes); the message says where.
            const [peeked, read, wanted] = [queue.peek(), queue.shift(), model.shift()];
            if (peeked !== wanted || read !== wanted || queue.length !== model.length) {
              expect({ peeked, read, length: queue.length }).toEqual({ peeked: wanted, read: wanted, length: model.length });
            }
          }
        }
        expect(queue.length).toBe(model.length);
        const rest: ReadableItem[] = [];
        for (let it = queue.shift(); it; it = queue.shift()) rest.push(it);
        expect(rest).toEqual(model);
        expect(queue.peek()).toBeUndefined();
        expect(queue.length).toBe(0);
      }),
      { seed: propertySeed('item queue'), numRuns: 60 },
    );
  });
});
