/**
 * Device options. Every behaviour the vendor leaves open (behaviour.md marks it OPEN) has a
 * default chosen for what firmware developers expect, and most can be switched here. The
 * package README explains each choice. Limits that the spec marks `configurable` default
 * to the spec's value and can be overridden under `limits`.
 */
import { LIMITS } from '@mvmqtt/sdk';
import type { OverrunPolicy } from '@mvmqtt/sdk/runtime';
import type { IrqDelivery } from './kernel/delivery.js';
import type { SystemOptions } from './system.js';
import type { TraceEvent } from './trace.js';
import type { OpaqueEndpoint } from './opaque.js';
import type { ConfigStoreInput } from './config-store.js';
import type { ExternalFlashOptions } from './flash.js';

/** How `reason_codes_size` of the subscribe/unsubscribe responses is read. */
export type ReasonCodesSizeUnit = 'bytes' | 'entries' | 'lenient';

/** How a refused MQTT 3.1.1 CONNACK's return code (1-5) reaches `reason_code`. */
export type ConnackCodeMapping = 'raw' | 'v5';

export type { OverrunPolicy };

export interface ConfigurableLimits {
  notificationBufferAlignment: number;
  channelReceiveBufferAlignment: number;
  publishesInFlight: number;
  acknowledgementsInFlight: number;
  disconnectsInFlight: number;
  configKeysPerRequest: number;
}

export interface CircuitBreaker {
  /** Inbound messages allowed per window before the connection is dropped. */
  maxMessages: number;
  windowMs: number;
}

export interface DeviceOptions extends SystemOptions {
  /** Random source for handles (default Math.random). Use `seededRandom(n)` for reproducible handles. */
  random?: () => number;
  /** When IRQ handlers run after the kernel pends them (default 'tick': process.nextTick). */
  irqDelivery?: IrqDelivery;
  /** Which IRQ numbers non-secure code may use (default: the spec's NOTIFICATION_IRQ_RANGE, the STM32U5 vector table's IRQ lines). */
  isUsableIrq?: (irq: number) => boolean;
  /** Called when an IRQ handler throws (default: rethrown asynchronously, which fails a test run loudly). */
  onIrqError?: (err: unknown, irq: number) => void;
  overrunPolicy?: OverrunPolicy;
  /** Overrides of the spec's configurable limits (see LIMITS[...].configurable). */
  limits?: Partial<ConfigurableLimits>;
  /** Enforce the receive-buffer alignment the spec infers (default true; the header checks only the send buffer). */
  checkReceiveBufferAlignment?: boolean;
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
  /** Endpoints `mvOpenChannel` accepts besides the empty one (default none). */
  knownEndpoints?: readonly string[];
  /** Trip the connection circuit breaker on a flood of inbound messages (default off). */
  circuitBreaker?: CircuitBreaker;
  /** Receives every system call, notification and readable item (for logs and the demo). */
  trace?: (event: TraceEvent) => void;
  /** Throw when a system call is about to return a status its error table does not list (default: on unless NODE_ENV=production). */
  debugChecks?: boolean;
  /** What raw (opaque-bytes) channels talk to (default: a sink that takes every byte and sends nothing back). */
  opaqueEndpoint?: OpaqueEndpoint;
  /** HTTP channels: which URL schemes run (default ['https:'], as Microvisor) and extra CA certificates (PEM) to trust. */
  http?: HttpOptions;
  /** The config store mvSendConfigFetchRequest reads: a JSON file path or the parsed document (default: empty). */
  config?: ConfigStoreInput;
  /** A config value longer than the application's buffer: 'error' (default; item result SERVERERROR, nothing copied) or 'truncate'. */
  configValueTooLarge?: 'error' | 'truncate';
  /** Geometry and backing of the external flash (default: 1 MiB in memory, chip id 0x00EF4017). */
  externalFlash?: ExternalFlashOptions;
}

export interface HttpOptions {
  /** URL schemes requests may use (default ['https:']; add 'http:' to reach plain test servers). */
  schemes?: readonly string[];
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots. */
  ca?: string | Buffer | readonly (string | Buffer)[];
}

export interface ResolvedOptions extends Required<Omit<DeviceOptions, keyof SystemOptions | 'limits' | 'circuitBreaker' | 'trace' | 'onIrqError' | 'http' | 'config' | 'externalFlash'>> {
  http: { schemes: readonly string[]; ca: readonly (string | Buffer)[] | undefined };
  config: ConfigStoreInput | undefined;
  externalFlash: ExternalFlashOptions;
  /** Clocks, identity, logging, power: read by the system state (src/system.ts). */
  system: SystemOptions;
  limits: ConfigurableLimits;
  circuitBreaker: CircuitBreaker | undefined;
  trace: ((event: TraceEvent) => void) | undefined;
  onIrqError: (err: unknown, irq: number) => void;
}

function rethrowLater(err: unknown): void {
  setImmediate(() => {
    throw err;
  });
}

export function resolveOptions(o: DeviceOptions = {}): ResolvedOptions {
  return {
    random: o.random ?? Math.random,
    irqDelivery: o.irqDelivery ?? 'tick',
    isUsableIrq: o.isUsableIrq ?? ((irq) => Number.isInteger(irq) && irq >= LIMITS.NOTIFICATION_IRQ_RANGE.min && irq <= LIMITS.NOTIFICATION_IRQ_RANGE.max),
    onIrqError: o.onIrqError ?? rethrowLater,
    overrunPolicy: o.overrunPolicy ?? 'overwrite',
    limits: {
      notificationBufferAlignment: LIMITS.NOTIFICATION_BUFFER_ALIGNMENT.value,
      channelReceiveBufferAlignment: LIMITS.CHANNEL_RECEIVE_BUFFER_ALIGNMENT.value,
      publishesInFlight: LIMITS.MQTT_PUBLISHES_IN_FLIGHT_MAX.value,
      acknowledgementsInFlight: LIMITS.MQTT_ACKNOWLEDGEMENTS_IN_FLIGHT_MAX.value,
      disconnectsInFlight: LIMITS.MQTT_DISCONNECTS_IN_FLIGHT_MAX.value,
      configKeysPerRequest: LIMITS.CONFIG_KEYS_PER_REQUEST_MAX.value,
      ...o.limits,
    },
    checkReceiveBufferAlignment: o.checkReceiveBufferAlignment ?? true,
    reasonCodesSizeUnit: o.reasonCodesSizeUnit ?? 'lenient',
    connackCodes: o.connackCodes ?? 'raw',
    sessionExpirySeconds: o.sessionExpirySeconds ?? 3600,
    connectTimeoutSeconds: o.connectTimeoutSeconds ?? 10,
    rsaKeysOnly: o.rsaKeysOnly ?? true,
    alwaysTls: o.alwaysTls ?? false,
    knownEndpoints: o.knownEndpoints ?? [],
    circuitBreaker: o.circuitBreaker,
    trace: o.trace,
    debugChecks: o.debugChecks ?? process.env.NODE_ENV !== 'production',
    opaqueEndpoint: o.opaqueEndpoint ?? (() => undefined),
    http: {
      schemes: o.http?.schemes ?? ['https:'],
      ca: o.http?.ca === undefined ? undefined : ([] as (string | Buffer)[]).concat(o.http.ca as string | Buffer | (string | Buffer)[]),
    },
    config: o.config,
    configValueTooLarge: o.configValueTooLarge ?? 'error',
    externalFlash: o.externalFlash ?? {},
    system: o,
  };
}
