/**
 * Device options. Every behaviour the vendor leaves open has a default chosen for what
 * firmware developers expect, and most can be switched here. The package README explains
 * each choice. Limits that the spec marks `configurable` default
 * to the spec's value and can be overridden under `limits`.
 */
import { LimitBook, type LimitOverrides, type OverrunPolicy } from '@mvmqtt/sdk/runtime';
import type { IrqDelivery } from './kernel/delivery.js';
import type { SystemOptions } from './system.js';
import type { TraceEvent } from './trace.js';
import type { OpaqueEndpoint } from './opaque.js';
import type { ConfigStoreInput } from './config-store.js';
import type { DeviceAreaOptions } from './generated/index.js';

export type { LimitOverrides, OverrunPolicy };
export type { CircuitBreaker, ConnackCodeMapping, MqttOptions, ReasonCodesSizeUnit } from './mqtt/options.js';

/** The generic device: handles, IRQs, notifications, limits, channels, trace. */
export interface CoreOptions extends SystemOptions {
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
  /** Enforce the receive-buffer alignment the spec infers (default true; the header checks only the send buffer). `false` is `limits: { CHANNEL_RECEIVE_BUFFER_ALIGNMENT: false }`. */
  checkReceiveBufferAlignment?: boolean;
  /** Endpoints `mvOpenChannel` accepts besides the empty one (default none). */
  knownEndpoints?: readonly string[];
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
}

export interface HttpOptions {
  /** URL schemes requests may use (default ['https:']; add 'http:' to reach plain test servers). */
  schemes?: readonly string[];
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots. */
  ca?: string | Buffer | readonly (string | Buffer)[];
}

/** Every option a device takes: the generic ones and each area's (flat keys; an area declares its own in its module under src/areas/). */
export interface DeviceOptions extends CoreOptions, DeviceAreaOptions {}

export interface ResolvedOptions extends Required<Omit<CoreOptions, keyof SystemOptions | 'limits' | 'checkReceiveBufferAlignment' | 'trace' | 'onIrqError' | 'http' | 'config'>> {
  limits: LimitBook;
  http: { schemes: readonly string[]; ca: readonly (string | Buffer)[] | undefined };
  config: ConfigStoreInput | undefined;
  /** Clocks, identity, logging, power: read by the system state (src/system.ts). */
  system: SystemOptions;
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
  // The older switch is one more limit override: the argument checks read the limit book only.
  const limits = new LimitBook(o.checkReceiveBufferAlignment === false ? { CHANNEL_RECEIVE_BUFFER_ALIGNMENT: false, ...o.limits } : o.limits);
  return {
    random: o.random ?? Math.random,
    irqDelivery: o.irqDelivery ?? 'tick',
    isUsableIrq: o.isUsableIrq ?? usableIrqs(limits),
    onIrqError: o.onIrqError ?? rethrowLater,
    overrunPolicy: o.overrunPolicy ?? 'overwrite',
    limits,
    knownEndpoints: o.knownEndpoints ?? [],
    trace: o.trace,
    debugChecks: o.debugChecks ?? process.env.NODE_ENV !== 'production',
    opaqueEndpoint: o.opaqueEndpoint ?? (() => undefined),
    http: {
      schemes: o.http?.schemes ?? ['https:'],
      ca: o.http?.ca === undefined ? undefined : ([] as (string | Buffer)[]).concat(o.http.ca as string | Buffer | (string | Buffer)[]),
    },
    config: o.config,
    configValueTooLarge: o.configValueTooLarge ?? 'error',
    system: o,
  };
}
