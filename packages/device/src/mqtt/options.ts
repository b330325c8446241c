/**
 * The MQTT area's options: choices the vendor leaves open for MQTT channels, and the emulator's
 * transport settings. The MQTT area takes them (`DeviceOptions` has them as flat keys, composed
 * from the areas' options) and resolves them here, so the generic kernel knows none of them.
 */
import type { ResolvedOptions } from '../options.js';

/** How `reason_codes_size` of the subscribe/unsubscribe responses is read. */
export type ReasonCodesSizeUnit = 'bytes' | 'entries' | 'lenient';

/** How a refused MQTT 3.1.1 CONNACK's return code (1-5) reaches `reason_code`. */
export type ConnackCodeMapping = 'raw' | 'v5';

export interface CircuitBreaker {
  /** Inbound messages allowed per window before the connection is dropped. */
  maxMessages: number;
  windowMs: number;
}

export interface MqttOptions {
  reasonCodesSizeUnit?: ReasonCodesSizeUnit;
  connackCodes?: ConnackCodeMapping;
  /** Session expiry (seconds) sent with an MQTT 5 connect whose clean_start is 0; default 3600. */
  sessionExpirySeconds?: number;
  /** Seconds to wait for TCP + TLS + CONNACK before reporting SOCKETERROR (default 10). */
  connectTimeoutSeconds?: number;
  /** Refuse client keys that are not RSA, as the vendor page says Microvisor does (default true). */
  rsaKeysOnly?: boolean;
  /** Use TLS even without tls_credentials (Node's bundled Mozilla roots verify the broker), as Microvisor always does. Default false: plain MQTT unless credentials are given. */
  alwaysTls?: boolean;
  /** Trip the connection circuit breaker on a flood of inbound messages (default off). */
  circuitBreaker?: CircuitBreaker;
}

export interface ResolvedMqttOptions extends Required<Omit<MqttOptions, 'circuitBreaker'>> {
  circuitBreaker: CircuitBreaker | undefined;
}

/** What an MQTT channel and its transport read: the MQTT options and the kernel's limits and trace. */
export type MqttChannelOptions = ResolvedMqttOptions & Pick<ResolvedOptions, 'limits' | 'trace'>;

export function resolveMqttOptions(o: MqttOptions): ResolvedMqttOptions {
  return {
    reasonCodesSizeUnit: o.reasonCodesSizeUnit ?? 'lenient',
    connackCodes: o.connackCodes ?? 'raw',
    sessionExpirySeconds: o.sessionExpirySeconds ?? 3600,
    connectTimeoutSeconds: o.connectTimeoutSeconds ?? 10,
    rsaKeysOnly: o.rsaKeysOnly ?? true,
    alwaysTls: o.alwaysTls ?? false,
    circuitBreaker: o.circuitBreaker,
  };
}
