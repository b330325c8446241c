/**
 * Device options. Every behaviour the vendor leaves open (behaviour.md marks it OPEN) has a
 * default chosen for what firmware developers expect, and most can be switched here. The
 * package README explains each choice. Limits that the spec marks `configurable` default
 * to the spec's value and can be overridden under `limits`.
 */
import { LimitBook, type LimitOverrides, type OverrunPolicy } from '@mvmqtt/sdk/runtime';
import type { IrqDelivery } from './kernel/delivery.js';
import type { TraceEvent } from './trace.js';

/** How `reason_codes_size` of the subscribe/unsubscribe responses is read. */
export type ReasonCodesSizeUnit = 'bytes' | 'entries' | 'lenient';

/** How a refused MQTT 3.1.1 CONNACK's return code (1-5) reaches `reason_code`. */
export type ConnackCodeMapping = 'raw' | 'v5';

export type { LimitOverrides, OverrunPolicy };


export interface CircuitBreaker {
  /** Inbound messages allowed per window before the connection is dropped. */
  maxMessages: number;
  windowMs: number;
}

export interface DeviceOptions {
  /** Random source for handles (default Math.random). Use `seededRandom(n)` for reproducible handles. */
  random?: () => number;
  /** When IRQ handlers run after the kernel pends them (default 'tick': process.nextTick). */
  irqDelivery?: IrqDelivery;
  /** Which IRQ numbers non-secure code may use (default: the spec's NOTIFICATION_IRQ_RANGE, the STM32U5 vector table's IRQ lines). */
  isUsableIrq?: (irq: number) => boolean;
  /** Called when an IRQ handler throws (default: rethrown asynchronously, which fails a test run loudly). */
  onIrqError?: (err: unknown, irq: number) => void;
  overrunPolicy?: OverrunPolicy;
  /** Overrides of the limits the spec marks configurable, by spec name (`{ MQTT_PUBLISHES_IN_FLIGHT_MAX: 3 }`); `false` switches one off. The mock takes the same. */
  limits?: LimitOverrides;
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
}

export interface ResolvedOptions extends Required<Omit<DeviceOptions, 'limits' | 'circuitBreaker' | 'trace' | 'onIrqError'>> {
  limits: LimitBook;
  circuitBreaker: CircuitBreaker | undefined;
  trace: ((event: TraceEvent) => void) | undefined;
  onIrqError: (err: unknown, irq: number) => void;
}

function rethrowLater(err: unknown): void {
  setImmediate(() => {
    throw err;
  });
}

/** The IRQ lines the limit book allows (any line when NOTIFICATION_IRQ_RANGE is switched off). */
function usableIrqs(limits: LimitBook): (irq: number) => boolean {
  const range = limits.get('NOTIFICATION_IRQ_RANGE');
  if (!range) return Number.isInteger;
  return (irq) => Number.isInteger(irq) && irq >= range.min! && irq <= range.max!;
}

export function resolveOptions(o: DeviceOptions = {}): ResolvedOptions {
  const limits = new LimitBook(o.limits);
  return {
    random: o.random ?? Math.random,
    irqDelivery: o.irqDelivery ?? 'tick',
    isUsableIrq: o.isUsableIrq ?? usableIrqs(limits),
    onIrqError: o.onIrqError ?? rethrowLater,
    overrunPolicy: o.overrunPolicy ?? 'overwrite',
    limits,
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
  };
}
