// Simulated memory, handles and the interrupt controller, on their own.
import { describe, expect, it } from 'vitest';
import { HandleAllocator, HandleTable, seededRandom } from '@mvmqtt/sdk/runtime';
import { SimulatedMemory, overlaps } from '../src/kernel/memory.js';

describe('simulated memory', () => {
  it('gives each ArrayBuffer a 4096-aligned base and each view base + byteOffset', () => {
    const mem = new SimulatedMemory();
    const a = new Uint8Array(100);
    const b = new Uint8Array(5000);
    expect(mem.addressOf(a) % 4096).toBe(0);
    expect(mem.addressOf(b) % 4096).toBe(0);
    expect(mem.addressOf(a.subarray(3))).toBe(mem.addressOf(a) + 3);
    expect(mem.isAligned(b.subarray(512), 512)).toBe(true);
    expect(mem.isAligned(b.subarray(256), 512)).toBe(false);
    // Two views of one buffer share the base; different buffers never overlap.
    expect(mem.addressOf(new Uint8Array(a.buffer, 10))).toBe(mem.addressOf(a) + 10);
    expect(overlaps(mem.range(a, 100), mem.range(b, 5000))).toBe(false);
    expect(overlaps(mem.range(b, 100), mem.range(b.subarray(99), 10))).toBe(true);
    expect(overlaps(mem.range(b, 100), mem.range(b.subarray(100), 10))).toBe(false);
  });

  it('keeps an address stable for the life of the buffer', () => {
    const mem = new SimulatedMemory();
    const a = new Uint8Array(10);
    const first = mem.addressOf(a);
    mem.addressOf(new Uint8Array(10));
    expect(mem.addressOf(a)).toBe(first);
  });
});

describe('handles', () => {
  it('are non-zero 32-bit values, unique across every kind for the life of the device', () => {
    const alloc = new HandleAllocator(seededRandom(7));
    const a = new HandleTable<string>(alloc);
    const b = new HandleTable<string>(alloc);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const h = (i % 2 ? a : b).add('x');
      expect(h).toBeGreaterThan(0);
      expect(h).toBeLessThanOrEqual(0xffffffff);
      expect(Number.isInteger(h)).toBe(true);
      expect(seen.has(h)).toBe(false);
      seen.add(h);
    }
  });

  it('are never reissued after release, and one kind does not find another kind', () => {
    // A generator that repeats itself: the allocator must skip values it has issued before.
    const values = [0, 0.25, 0.25, 0.5, 0.25, 0.75];
    let i = 0;
    const alloc = new HandleAllocator(() => values[i++ % values.length]);
    const centres = new HandleTable<string>(alloc);
    const channels = new HandleTable<string>(alloc);
    const h1 = centres.add('centre');
    expect(h1).toBe(0x40000000); // 0 was skipped: zero is never a handle
    centres.delete(h1);
    const h2 = channels.add('channel');
    expect(h2).not.toBe(h1);
    expect(centres.get(h2)).toBeUndefined();
    expect(channels.get(h1)).toBeUndefined();
    expect(channels.get(h2)).toBe('channel');
    expect(channels.get('x')).toBeUndefined();
    expect(channels.get(0)).toBeUndefined();
  });
});
