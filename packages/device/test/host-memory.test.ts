/**
 * What the host bridge sends back of memory the application lent the kernel (the notification
 * ring): whole records, because the application changes its copy between sends (it clears a
 * consumed record's type), so a new record's bytes that equal the last ones sent still matter.
 */
import { describe, expect, it } from 'vitest';
import { ByteRing, trackKeptWrites } from '@mvmqtt/sdk/runtime';
import { HostMemory } from '../src/host/marshal.js';
import { HOST_TABLES } from '../src/host/generated/tables.js';
import type { MemoryWrite } from '../src/host/protocol.js';

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

/** A request as the C runtime writes it: header, u64 arguments, then each region (bytes when readable). */
function request(name: string, args: bigint[], regions: { address: bigint; bytes?: Uint8Array; length?: number; writable?: boolean }[]): Buffer {
  const fn = HOST_TABLES.functions.findIndex((f) => f.name === name);
  const parts: Buffer[] = [];
  const header = Buffer.alloc(16 + 8 * args.length);
  header.writeUInt32LE(fn, 4);
  header.writeUInt32LE(args.length, 8);
  header.writeUInt32LE(regions.length, 12);
  args.forEach((a, i) => header.writeBigUInt64LE(a, 16 + 8 * i));
  parts.push(header);
  for (const r of regions) {
    const h = Buffer.alloc(16);
    h.writeBigUInt64LE(r.address, 0);
    h.writeUInt32LE(r.bytes?.length ?? r.length ?? 0, 8);
    h.writeUInt32LE((r.bytes ? 1 : 0) | (r.writable ? 2 : 0), 12);
    parts.push(h);
    if (r.bytes) parts.push(Buffer.from(r.bytes), Buffer.alloc((8 - (r.bytes.length % 8)) % 8));
  }
  const all = Buffer.concat(parts);
  all.writeUInt32LE(all.length, 0);
  return all;
}

const le32 = (...words: number[]) => new Uint8Array(new Uint32Array(words).buffer);

describe('host bridge: decoding requests', () => {
  it('a publish request: the handle, the struct, and its two counted buffers as copies', () => {
    const struct = new Uint8Array(48);
    const v = new DataView(struct.buffer);
    v.setUint32(0, 77, true); // correlation_id
    v.setBigUint64(8, 0x5000n, true); // topic.data
    v.setUint32(16, 3, true); // topic.length
    v.setBigUint64(24, 0x6000n, true); // payload.data
    v.setUint32(32, 2, true); // payload.length
    v.setUint32(40, 1, true); // desired_qos
    const req = request('mvMqttRequestPublish', [0x1_0000_0007n, 0x4000n], [
      { address: 0x4000n, bytes: struct },
      { address: 0x5000n, bytes: Buffer.from('a/b') },
      { address: 0x6000n, bytes: Uint8Array.of(9, 8) },
    ]);
    const call = new HostMemory().decode(req);
    expect(call.fn).toBe(HOST_TABLES.functions.findIndex((f) => f.name === 'mvMqttRequestPublish'));
    const [handle, publish] = call.args as [number, Record<string, { data: Uint8Array; length: number }> & Record<string, unknown>];
    expect(handle).toBe(0x1_0000_0007);
    expect(publish.correlation_id).toBe(77);
    expect(Buffer.from(publish.topic.data).toString()).toBe('a/b');
    expect(publish.topic.length).toBe(3);
    expect([...publish.payload.data]).toEqual([9, 8]);
    expect(publish.desired_qos).toBe(1);
    expect(publish.retain).toBe(0);
    // Copies: the request area is the next call's.
    req.fill(0);
    expect([...publish.payload.data]).toEqual([9, 8]);
    const writes: MemoryWrite[] = [];
    call.finish(writes);
    expect(writes).toEqual([]);
  });

  it('an out parameter is written back only when the device changed it, and only to writable memory', () => {
    const memory = new HostMemory();
    const call = memory.decode(request('mvMqttGetNextReadableDataType', [5n, 0x7000n], [{ address: 0x7000n, bytes: le32(0), writable: true }]));
    const box = call.args[1] as { value: number };
    expect(box.value).toBe(0);
    box.value = 6;
    const writes: MemoryWrite[] = [];
    call.finish(writes);
    expect(writes.map((w) => [w.address, [...w.bytes]])).toEqual([[0x7000n, [6, 0, 0, 0]]]);

    const unchanged = memory.decode(request('mvMqttGetNextReadableDataType', [5n, 0x7000n], [{ address: 0x7000n, bytes: le32(6), writable: true }]));
    const none: MemoryWrite[] = [];
    unchanged.finish(none);
    expect(none).toEqual([]);
    // Read-only memory behind an out pointer: the kernel sees NULL (and answers PARAMETERFAULT).
    expect(memory.decode(request('mvMqttGetNextReadableDataType', [5n, 0x7000n], [{ address: 0x7000n, bytes: le32(0) }])).args[1]).toBeNull();
    // Memory the application could not read at all: NULL too.
    expect(memory.decode(request('mvMqttGetNextReadableDataType', [5n, 0x7000n], [{ address: 0x7000n, length: 4, writable: true }])).args[1]).toBeNull();
  });

  it('places a copy at the application\'s address only where the device uses the address (an alignment limit names the buffer)', () => {
    const placed: [number, number][] = [];
    const memory = new HostMemory((buffer, address) => placed.push([buffer.byteLength, address]));
    // mvServerLoggingInit's buffer: LOG_BUFFER_ALIGNMENT applies, so the device sees where it is.
    const log = memory.decode(request('mvServerLoggingInit', [0x4200n, 32n], [{ address: 0x4200n, bytes: new Uint8Array(32), writable: true }]));
    const logBuffer = log.args[0] as Uint8Array;
    expect(placed).toEqual([[32, 0x4200]]);
    expect(logBuffer.byteOffset).toBe(0);
    expect(logBuffer.buffer.byteLength).toBe(32);
    // A publish's topic and payload: copies that share memory, placed nowhere.
    const struct = new Uint8Array(48);
    const v = new DataView(struct.buffer);
    v.setBigUint64(8, 0x5000n, true);
    v.setUint32(16, 1, true);
    v.setBigUint64(24, 0x6000n, true);
    v.setUint32(32, 3, true);
    const publish = memory.decode(request('mvMqttRequestPublish', [1n, 0x4000n], [{ address: 0x4000n, bytes: struct }, { address: 0x5000n, bytes: Buffer.from('t') }, { address: 0x6000n, bytes: Uint8Array.of(1, 2, 3) }]));
    const { topic, payload } = publish.args[1] as Record<string, { data: Uint8Array }>;
    expect(placed).toHaveLength(1);
    expect([...topic.data]).toEqual([0x74]);
    expect([...payload.data]).toEqual([1, 2, 3]);
    expect(payload.data.buffer).toBe(topic.data.buffer);
    // Each copy is its own: a later one does not overwrite an earlier one the device may keep.
    const again = memory.decode(request('mvMqttRequestPublish', [1n, 0x4000n], [{ address: 0x4000n, bytes: struct }, { address: 0x5000n, bytes: Buffer.from('u') }, { address: 0x6000n, bytes: Uint8Array.of(7, 8, 9) }]));
    expect([...(again.args[1] as Record<string, { data: Uint8Array }>).payload.data]).toEqual([7, 8, 9]);
    expect([...payload.data]).toEqual([1, 2, 3]);
  });

  it('a versioned struct has its version arm only when the version matches', () => {
    const memory = new HostMemory();
    const params = (version: number) => {
      const b = new Uint8Array(24);
      const v = new DataView(b.buffer);
      v.setUint32(0, version, true);
      v.setBigUint64(8, 3n, true);
      v.setUint32(16, 9, true);
      return b;
    };
    const one = memory.decode(request('mvRequestNetwork', [0x8000n, 0x9000n], [{ address: 0x8000n, bytes: params(1) }, { address: 0x9000n, bytes: le32(0, 0), writable: true }]));
    expect(one.args[0]).toEqual({ version: 1, v1: { notification_handle: 3, notification_tag: 9 } });
    const two = memory.decode(request('mvRequestNetwork', [0x8000n, 0x9000n], [{ address: 0x8000n, bytes: params(2) }, { address: 0x9000n, bytes: le32(0, 0), writable: true }]));
    expect(two.args[0]).toEqual({ version: 2 });
  });

  it('refuses requests out of step with the tables', () => {
    const memory = new HostMemory();
    const out = { bytes: le32(0), writable: true };
    // A region for another address than the pointer's.
    expect(() => memory.decode(request('mvMqttGetNextReadableDataType', [5n, 0x7000n], [{ address: 0x7008n, ...out }]))).toThrow(/out of step/);
    // No region for a non-NULL pointer.
    expect(() => memory.decode(request('mvMqttGetNextReadableDataType', [5n, 0x7000n], []))).toThrow(/out of step/);
    // A region too many.
    expect(() => memory.decode(request('mvMqttGetNextReadableDataType', [5n, 0x7000n], [{ address: 0x7000n, ...out }, { address: 0x7100n, ...out }]))).toThrow(/2 regions, the tables account for 1/);
    // Too few arguments, and an unknown function.
    expect(() => memory.decode(request('mvMqttGetNextReadableDataType', [5n], []))).toThrow(/sent 1 arguments/);
    const unknown = request('mvMqttGetNextReadableDataType', [5n, 0n], []);
    unknown.writeUInt32LE(9999, 4);
    expect(() => memory.decode(unknown)).toThrow(/unknown function #9999/);
    // A region whose bytes run past the end of the request (the area beyond holds older requests).
    const long = Buffer.concat([request('mvMqttGetNextReadableDataType', [5n, 0x7000n], [{ address: 0x7000n, ...out }]), Buffer.alloc(64)]);
    long.writeUInt32LE(64, 16 + 16 + 8); // the region's length
    expect(() => memory.decode(long.subarray(0, long.readUInt32LE(0)))).toThrow(/beyond the end of the request/);
    // A scalar out of a region too short for it.
    expect(() => memory.decode(request('mvMqttGetNextReadableDataType', [5n, 0x7000n], [{ address: 0x7000n, bytes: Uint8Array.of(1, 2), writable: true }]))).toThrow(RangeError);
  });
});
