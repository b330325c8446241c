/**
 * What the host bridge sends back of memory the application lent the kernel (the notification
 * ring): whole records, because the application changes its copy between sends (it clears a
 * consumed record's type), so a new record's bytes that equal the last ones sent still matter.
 */
import { describe, expect, it } from 'vitest';
import { ByteRing, trackKeptWrites } from '@mvmqtt/sdk/runtime';
import { HostMemory } from '../src/host/marshal.js';

describe('host bridge: writes into lent memory', () => {
  it('cover whole records even when only a timestamp differs from what was last sent', () => {
    const memory = new HostMemory();
    const ring = new Uint8Array(4 * 16);
    const view = new DataView(ring.buffer);
    // Record 2 as last sent: microseconds 1000, event type 5, tag 2.
    view.setBigUint64(32, 1000n, true);
    view.setUint32(40, 5, true);
    view.setUint32(44, 2, true);
    memory.retained.set('ring', { address: 0x1000n, shadow: new Uint8Array(ring), synced: new Uint8Array(ring), unit: 16 });
    // The device writes the next record into the same slot: same type and tag, a later time.
    const r = memory.retained.get('ring')!;
    new DataView(r.shadow.buffer).setBigUint64(32, 1234567n, true);

    const writes = memory.retainedWrites();
    expect(writes).toHaveLength(1);
    expect(writes[0].address).toBe(0x1000n + 32n);
    expect([...writes[0].bytes]).toEqual([...r.shadow.subarray(32, 48)]);
    expect(new DataView(writes[0].bytes.buffer, writes[0].bytes.byteOffset).getUint32(8, true)).toBe(5);
    // Nothing changed since: nothing to send.
    expect(memory.retainedWrites()).toEqual([]);
  });

  it('byte buffers send just the changed bytes', () => {
    const memory = new HostMemory();
    memory.retained.set('rx', { address: 0x2000n, shadow: new Uint8Array(64), synced: new Uint8Array(64), unit: 1 });
    memory.retained.get('rx')!.shadow.set([1, 2, 3], 10);
    const writes = memory.retainedWrites();
    expect(writes.map((w) => [w.address, [...w.bytes]])).toEqual([[0x2000n + 10n, [1, 2, 3]]]);
  });

  it('a tracked buffer is sent after every write of the runtime\'s writers, and not compared when none wrote', () => {
    const memory = new HostMemory();
    const shadow = new Uint8Array(64);
    const writes = trackKeptWrites(shadow.buffer);
    memory.retained.set('rx', { address: 0x3000n, shadow, synced: new Uint8Array(64), unit: 1, writes });
    const ring = new ByteRing(shadow);
    ring.push(Uint8Array.of(7, 8));
    expect(memory.retainedWrites().map((w) => [w.address, [...w.bytes]])).toEqual([[0x3000n, [7, 8]]]);
    expect(memory.retainedWrites()).toEqual([]);
    ring.push(Uint8Array.of(9));
    expect(memory.retainedWrites().map((w) => [w.address, [...w.bytes]])).toEqual([[0x3000n + 2n, [9]]]);
  });
});
