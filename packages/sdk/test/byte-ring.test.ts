import { describe, expect, it } from 'vitest';
import { ByteRing } from '../src/runtime/index.js';

describe('ByteRing.pushFrom', () => {
  it('moves whole chunks, then part of one, and keeps the rest at the front of the backlog', () => {
    const ring = new ByteRing(new Uint8Array(5));
    const backlog = [Uint8Array.of(1, 2), Uint8Array.of(3, 4, 5, 6), Uint8Array.of(7)];
    expect(ring.pushFrom(backlog)).toBe(5);
    expect([...ring.takeAll()]).toEqual([1, 2, 3, 4, 5]);
    expect(backlog.map((b) => [...b])).toEqual([[6], [7]]);
    expect(ring.pushFrom(backlog)).toBe(2);
    expect(backlog).toEqual([]);
    expect([...ring.takeAll()]).toEqual([6, 7]);
  });

  it('moves nothing into a full ring', () => {
    const ring = new ByteRing(new Uint8Array(2));
    ring.push(Uint8Array.of(9, 9));
    const backlog = [Uint8Array.of(1)];
    expect(ring.pushFrom(backlog)).toBe(0);
    expect(backlog).toHaveLength(1);
  });
});
