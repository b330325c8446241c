/** The C → TypeScript shapes the SDK promises (packages/sdk/README.md), checked by tsc. */
import { describe, expectTypeOf, test } from 'vitest';
import type {
  LIMITS,
  MvChannelHandle,
  MvMqttConnectRequest,
  MvMqttConnectResponse,
  MvMqttMessage,
  MvMqttRequestState,
  MvMqttSubscribeRequest,
  MvMqttSubscribeResponse,
  MvMqttSubscription,
  MvNetworkHandle,
  MvNetworkReason,
  MvNotification,
  MvNotificationSetup,
  MvOpenChannelParams,
  MvOut,
  MvSizedString,
  MvSyscalls,
  MvTlsCredentials,
  MvMqttAuthenticationMethod,
  MvFunctionName,
} from '../../src/index.js';

describe('shapes', () => {
  test('handles are branded numbers that do not mix', () => {
    expectTypeOf<MvChannelHandle>().toExtend<number>();
    expectTypeOf<number>().not.toExtend<MvChannelHandle>();
    expectTypeOf<MvNetworkHandle>().not.toExtend<MvChannelHandle>();
  });

  test('bytes the application passes may be text; bytes the kernel writes may not', () => {
    expectTypeOf<MvSizedString['data']>().toEqualTypeOf<Uint8Array | string | null>();
    expectTypeOf<MvSizedString['length']>().toEqualTypeOf<number>();
    expectTypeOf<MvMqttMessage['topic']['data']>().toEqualTypeOf<Uint8Array | null>();
    expectTypeOf<MvOpenChannelParams['v1']['receive_buffer']>().toEqualTypeOf<Uint8Array | null>();
  });

  test('arrays written by the kernel are typed arrays; scalar outputs are boxes', () => {
    expectTypeOf<MvMqttSubscribeResponse['reason_codes']>().toEqualTypeOf<Uint32Array | null>();
    expectTypeOf<MvMqttSubscribeResponse['request_state']>().toEqualTypeOf<MvOut<MvMqttRequestState> | null>();
    expectTypeOf<MvMqttSubscribeResponse['reason_codes_len']>().toEqualTypeOf<MvOut<number> | null>();
    expectTypeOf<MvMqttMessage['retain']>().toEqualTypeOf<MvOut<number> | null>();
  });

  test('the notification ring is raw bytes in the device layout', () => {
    expectTypeOf<MvNotificationSetup['buffer']>().toEqualTypeOf<Uint8Array | null>();
    expectTypeOf<MvNotification['microseconds']>().toEqualTypeOf<bigint>();
  });

  test('pointers to structs: one struct, or a counted array of them', () => {
    expectTypeOf<MvMqttConnectRequest['tls_credentials']>().toEqualTypeOf<MvTlsCredentials | null>();
    expectTypeOf<MvMqttSubscribeRequest['subscriptions']>().toEqualTypeOf<readonly MvMqttSubscription[] | null>();
    expectTypeOf<MvMqttSubscribeRequest['num_subscriptions']>().toEqualTypeOf<number>();
  });

  test('a versioned struct with one version has a required v1', () => {
    expectTypeOf<MvOpenChannelParams['version']>().toEqualTypeOf<number>();
    expectTypeOf<MvOpenChannelParams>().toHaveProperty('v1');
    expectTypeOf<undefined>().not.toExtend<MvOpenChannelParams['v1']>();
  });

  test('enum types are unions of their constants; a bitmask is a number', () => {
    expectTypeOf<MvMqttAuthenticationMethod>().toEqualTypeOf<0 | 1>();
    expectTypeOf<MvNetworkReason>().toEqualTypeOf<number>();
  });

  test('syscall parameters: C names, output pointers as boxes, output structs as themselves', () => {
    expectTypeOf<Parameters<MvSyscalls['mvOpenChannel']>>().toEqualTypeOf<
      [params: MvOpenChannelParams | null, handle: MvOut<MvChannelHandle> | null]
    >();
    expectTypeOf<Parameters<MvSyscalls['mvMqttReadConnectResponse']>>().toEqualTypeOf<
      [handle: MvChannelHandle, response_data: MvMqttConnectResponse | null]
    >();
  });

  test('metadata keeps literal types', () => {
    expectTypeOf<(typeof LIMITS)['MQTT_TOPICS_PER_REQUEST_MAX']['value']>().toEqualTypeOf<8>();
    expectTypeOf<'mvMqttRequestConnect'>().toExtend<MvFunctionName>();
    expectTypeOf<'mvMqttNoSuchCall'>().not.toExtend<MvFunctionName>();
  });
});
