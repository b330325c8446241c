/** The generated runtime code: the notification-ring codec, zeroed-struct factories, boxes. */
import { describe, expect, it } from 'vitest';
import * as sdk from '../src/index.js';
import {
  decodeMvNotification,
  encodeMvNotification,
  LAYOUTS,
  MV_EVENTTYPE_CHANNELDATAREADABLE,
  MV_EVENTTYPE_NETWORKSTATUSCHANGED,
  MV_MQTTAUTHENTICATIONMETHOD_NONE,
  newMvMqttConnectRequest,
  newMvMqttSubscribeResponse,
  newMvNotification,
  newMvOpenChannelParams,
  out,
  type MvNotification,
} from '../src/index.js';
import { abiOracle, oracleFieldPaths } from './support.js';

const oracle = abiOracle();

describe('MvNotification codec', () => {
  // Offsets and sizes from the arm-none-eabi-gcc measurement, not from the model.
  const fields = oracleFieldPaths(oracle.structs.MvNotification.fields);
  const recordSize = oracle.structs.MvNotification.arm32.size;

  function record(microseconds: bigint, eventType: number, tag: number): Uint8Array {
    const bytes = new Uint8Array(recordSize);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(fields.microseconds.arm32.offset, microseconds, true);
    view.setUint32(fields.event_type.arm32.offset, eventType, true);
    view.setUint32(fields.tag.arm32.offset, tag, true);
    return bytes;
  }

  it('reads a record laid out as the device writes it', () => {
    const bytes = record(0x0102030405060708n, MV_EVENTTYPE_CHANNELDATAREADABLE, 0xdeadbeef);
    expect(decodeMvNotification(bytes)).toEqual({
      microseconds: 0x0102030405060708n,
      event_type: MV_EVENTTYPE_CHANNELDATAREADABLE,
      tag: 0xdeadbeef,
    });
  });

  it('writes the bytes the device would, at any slot of a ring inside a larger buffer', () => {
    const memory = new Uint8Array(8 + 4 * recordSize);
    const ring = memory.subarray(8); // a view with a byteOffset, like a simulated address
    const value: MvNotification = { microseconds: 123456789n, event_type: MV_EVENTTYPE_NETWORKSTATUSCHANGED, tag: 7 };
    encodeMvNotification(value, ring, 2 * recordSize);
    expect([...ring.subarray(2 * recordSize, 3 * recordSize)]).toEqual([...record(123456789n, MV_EVENTTYPE_NETWORKSTATUSCHANGED, 7)]);
    expect(memory.subarray(0, 8 + 2 * recordSize).every((b) => b === 0)).toBe(true);
    expect(decodeMvNotification(ring, 2 * recordSize)).toEqual(value);
  });

  it('uses the record size of the layout table', () => {
    expect(LAYOUTS.MvNotification.arm32.size).toBe(recordSize);
    expect(() => decodeMvNotification(new Uint8Array(recordSize - 1))).toThrow(RangeError);
  });
});

describe('factories', () => {
  it('give a zeroed struct: numbers 0, pointers null, nested structs zeroed too', () => {
    const request = newMvMqttConnectRequest();
    expect(request.port).toBe(0);
    expect(request.tls_credentials).toBeNull();
    expect(request.will).toBeNull();
    expect(request.authentication.method).toBe(MV_MQTTAUTHENTICATIONMETHOD_NONE);
    expect(request.authentication.username_password.password).toEqual({ data: null, length: 0 });
    expect(newMvNotification().microseconds).toBe(0n);
  });

  it('stamp a versioned struct with the version of the member they create', () => {
    const params = newMvOpenChannelParams();
    expect(params.version).toBe(1);
    expect(params.v1.receive_buffer).toBeNull();
    expect(params.v1.endpoint).toEqual({ data: null, length: 0 });
  });

  it('leave every output pointer of a response struct NULL', () => {
    expect(newMvMqttSubscribeResponse()).toEqual({
      request_state: null,
      correlation_id: null,
      reason_codes: null,
      reason_codes_size: 0,
      reason_codes_len: null,
    });
  });

  it('exist for every struct, with the fields of the header in order', () => {
    for (const name of Object.keys(LAYOUTS)) {
      const make = (sdk as Record<string, unknown>)[`new${name}`] as () => object;
      expect(typeof make, name).toBe('function');
      const topLevel = oracle.structs[name].fields.flatMap((f) => (f.name ? [f.name] : (f.members ?? []).map((m) => m.name)));
      expect(Object.keys(make()), name).toEqual(topLevel);
      expect(make(), name).not.toBe(make());
    }
  });
});

describe('boxes', () => {
  it('hold the value a call writes', () => {
    const handle = out(0);
    handle.value = 42;
    expect(handle).toEqual({ value: 42 });
  });
});

