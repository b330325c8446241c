/**
 * Each syscall returns OKAY plus exactly the statuses of its error table. The expected unions are
 * written out here from the vendor header's documented statuses (see
 * test/fixtures/vendor/microvisor-abi.json, `functions.*.documented_error_statuses`), plus the
 * spec's inferred `MV_STATUS_WRONGDATAREQUESTED` on the MQTT read calls.
 */
import { describe, expectTypeOf, test } from 'vitest';
import type {
  MV_STATUS_CHANNELCLOSED,
  MV_STATUS_INVALIDAUTHENTICATION,
  MV_STATUS_INVALIDHANDLE,
  MV_STATUS_LATEFAULT,
  MV_STATUS_OKAY,
  MV_STATUS_PARAMETERFAULT,
  MV_STATUS_RATELIMITED,
  MV_STATUS_REQUESTALREADYSENT,
  MV_STATUS_REQUIREDELEMENTMISSING,
  MV_STATUS_REQUESTUNSUCCESSFUL,
  MV_STATUS_TOOMANYELEMENTS,
  MV_STATUS_WRONGDATAREQUESTED,
  MvMqttRequestConnectStatus,
  MvStatus,
  MvSyscalls,
  MV_STATUS__MAX,
} from '../../src/index.js';

type Returns<F extends keyof MvSyscalls> = ReturnType<MvSyscalls[F]>;

describe('per-function status types', () => {
  test('mvMqttRequestConnect returns OKAY or one of its eight documented errors', () => {
    expectTypeOf<Returns<'mvMqttRequestConnect'>>().toEqualTypeOf<
      | typeof MV_STATUS_OKAY
      | typeof MV_STATUS_PARAMETERFAULT
      | typeof MV_STATUS_LATEFAULT
      | typeof MV_STATUS_INVALIDHANDLE
      | typeof MV_STATUS_CHANNELCLOSED
      | typeof MV_STATUS_REQUESTALREADYSENT
      | typeof MV_STATUS_INVALIDAUTHENTICATION
      | typeof MV_STATUS_TOOMANYELEMENTS
      | typeof MV_STATUS_REQUIREDELEMENTMISSING
    >();
    expectTypeOf<Returns<'mvMqttRequestConnect'>>().toEqualTypeOf<MvMqttRequestConnectStatus>();
  });

  test('a read call also returns the inferred WRONGDATAREQUESTED', () => {
    expectTypeOf<Returns<'mvMqttReadConnectResponse'>>().toEqualTypeOf<
      | typeof MV_STATUS_OKAY
      | typeof MV_STATUS_PARAMETERFAULT
      | typeof MV_STATUS_LATEFAULT
      | typeof MV_STATUS_INVALIDHANDLE
      | typeof MV_STATUS_CHANNELCLOSED
      | typeof MV_STATUS_WRONGDATAREQUESTED
    >();
  });

  test('mvMqttRequestDisconnect cannot fault on a pointer: it takes none', () => {
    expectTypeOf<Returns<'mvMqttRequestDisconnect'>>().toEqualTypeOf<
      typeof MV_STATUS_OKAY | typeof MV_STATUS_INVALIDHANDLE | typeof MV_STATUS_CHANNELCLOSED | typeof MV_STATUS_RATELIMITED
    >();
    expectTypeOf<typeof MV_STATUS_PARAMETERFAULT>().not.toExtend<Returns<'mvMqttRequestDisconnect'>>();
  });

  test('a status no function returns is still an MvStatus, but not in any function type', () => {
    expectTypeOf<typeof MV_STATUS_REQUESTUNSUCCESSFUL>().toExtend<MvStatus>();
    expectTypeOf<typeof MV_STATUS_REQUESTUNSUCCESSFUL>().not.toExtend<ReturnType<MvSyscalls[keyof MvSyscalls]>>();
  });

  test('every function status type is an MvStatus', () => {
    expectTypeOf<ReturnType<MvSyscalls[keyof MvSyscalls]>>().toExtend<MvStatus>();
  });

  test('the __MAX sentinel is a constant but not a status', () => {
    expectTypeOf<typeof MV_STATUS__MAX>().toEqualTypeOf<4294967295>();
    expectTypeOf<typeof MV_STATUS__MAX>().not.toExtend<MvStatus>();
  });
});
