/**
 * What the generated argument checks (`../generated/arguments.ts`, one function per system call
 * and per struct) need at run time, shared by the device core and the mock: the runtime's view of
 * its handles, limits and memory (`ArgumentEnv`), each function's error-table facts (`CallRules`),
 * and one reusable `ArgumentCheck` that carries a call's outcome without allocating on success.
 *
 * The rules, as a kernel reads C pointers: NULL, the wrong type, or a length running past the end
 * of its buffer is a fault; handles must be live and of the right kind; versions, counts and
 * ranges are held against the spec's limits. A fault in memory reached through a pointer stored
 * inside an argument is "nested": in a call whose error table has an `issued` row (LATEFAULT) it
 * is recorded for the behaviour to report once the request has gone ahead; elsewhere it is a
 * PARAMETERFAULT at once. A check whose status the call cannot return is skipped.
 */
import { MV_STATUS_CHANNELCLOSED, MV_STATUS_INVALIDHANDLE, MV_STATUS_OKAY, MV_STATUS_PARAMETERFAULT, MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION } from '../generated/index.js';
import type { MvStatus } from '../generated/index.js';
import { unwritableStatusIn } from './statuses.js';

/**
 * What a fault check returns when the fault was recorded rather than refused (late, or a status
 * the call does not list): the value is unusable, the call goes on. Refusals are positive statuses.
 */
export const UNUSABLE = -1;

/** An object a handle names. `kind`: checked against a parameter's object kind. */
export interface HandleTarget {
  readonly kind?: number;
  readonly closed?: boolean;
}

/** What a runtime lends its argument checks. */
export interface ArgumentEnv {
  /** The live object of handle type `handleType` (a typedef name) named by `value`, if any. */
  lookup(handleType: string, value: unknown): HandleTarget | undefined;
  /** A limit's current setting (configurable ones may be changed or switched off: undefined); a `LimitBook` entry. */
  limit(name: string): { readonly kind: string; readonly value?: number; readonly min?: number; readonly max?: number; readonly status: MvStatus } | undefined;
  /** The simulated address of a view, for alignment rules. */
  addressOf(view: ArrayBufferView): number;
}

/** A bad pointer found inside an argument; `path` names it (`request.subscriptions[1].topic.data`). */
export interface NestedFault {
  readonly path: string;
  readonly reason: string;
}

/** One function's error-table facts the checks consult, computed once per function. */
export interface CallRules {
  readonly listed: ReadonlySet<MvStatus>;
  /** The status of the `issued` row (LATEFAULT), if the function has one. */
  readonly late: MvStatus | undefined;
  /** What a bad pointer gets in a call that lists no PARAMETERFAULT (see `unwritableStatusIn`). */
  readonly badPointer: MvStatus;
  /** The call reads an item off a queue: its argument is where the item will be written. */
  readonly consumer: boolean;
  /**
   * What a value parameter outside its C type gets: PARAMETERFAULT where the call lists it, else
   * the status of a call whose table lists only one, unless that one is about a handle or a
   * calling-context rule (mvPeriphPoke32: PERIPHERALACCESSFAULT). Undefined when the table has no
   * status for it (mvMqttAcknowledgeMessage): the behaviour reads the value, as C reads any bit pattern.
   */
  readonly badValue: MvStatus | undefined;
}

/** What `callRules` reads of a function's entry in the generated `FUNCTIONS` (of whichever spec the checks were generated from). */
export interface CallInfo {
  readonly errors: readonly { readonly status: number; readonly issued: boolean }[];
  readonly consumes?: unknown;
  /** The statuses of the calling-context rules (in an interrupt handler, outside application-test mode). */
  readonly notInInterrupt?: number;
  readonly testModeOnly?: number;
}

/** See `CallRules.badValue`. */
function badValueIn(info: CallInfo, names: Readonly<Record<number, string>>): MvStatus | undefined {
  const listed = [...new Set(info.errors.map((e) => e.status))];
  const parameterFault = listed.find((s) => names[s] === 'MV_STATUS_PARAMETERFAULT');
  if (parameterFault !== undefined) return parameterFault as MvStatus;
  // A call with one way to fail answers a bad value with it, unless it is about a handle or where the call was made.
  if (listed.length !== 1) return undefined;
  const only = listed[0];
  const elsewhere = ['MV_STATUS_INVALIDHANDLE', 'MV_STATUS_CHANNELCLOSED'].includes(names[only]) || only === info.notInInterrupt || only === info.testModeOnly;
  return elsewhere ? undefined : (only as MvStatus);
}

/** A function's rules from its `FUNCTIONS` entry; `names`: the spec's status names by value (`STATUS_NAMES`). */
export function callRules(info: CallInfo, names: Readonly<Record<number, string>>): CallRules {
  const errors = info.errors;
  return {
    listed: new Set(errors.map((e) => e.status as MvStatus)),
    late: errors.find((e) => e.issued)?.status as MvStatus | undefined,
    badPointer: unwritableStatusIn(errors, names) as MvStatus,
    consumer: info.consumes !== undefined,
    badValue: badValueIn(info, names),
  };
}

/**
 * Enum fields (`Struct.path`) whose values outside the enum get a status of their own from the
 * behaviour (an unsupported channel type, an unknown config scope), not PARAMETERFAULT.
 */
export const BEHAVIOUR_ENUMS: ReadonlySet<string> = new Set([
  'MvOpenChannelParams.v1.channel_type',
  'MvConfigKeyToFetch.scope',
  'MvConfigKeyToFetch.store',
  'MvOpenSystemNotificationParams.notification_source',
]);

/** An unsigned integer that fits `bits` (64-bit values are bigints, as the SDK maps `uint64_t`). */
export function isUint(x: unknown, bits: number): x is number {
  if (bits === 64) return typeof x === 'bigint' && x >= 0n && x < 1n << 64n;
  if (bits === 32) return typeof x === 'number' && x >>> 0 === x;
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 2 ** bits;
}

/** A signed integer that fits `bits` (64-bit values are bigints, as the SDK maps `int64_t`). */
export function isInt(x: unknown, bits: number): x is number {
  if (bits === 64) return typeof x === 'bigint' && x >= -(1n << 63n) && x < 1n << 63n;
  if (bits === 32) return typeof x === 'number' && x >> 0 === x;
  return typeof x === 'number' && Number.isInteger(x) && x >= -(2 ** (bits - 1)) && x < 2 ** (bits - 1);
}

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/** A pointer the kernel can write one value through: an object whose `value` is assignable. */
export function isBox(x: unknown): boolean {
  return typeof x === 'object' && x !== null && !Object.isFrozen(x);
}

/** The UTF-8 length of text the application passes where C takes `const uint8_t *` (no copy made). */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 4 bytes for 2 UTF-16 units
      i++;
    } else n += 2;
  }
  return n;
}

/** The bytes a counted `uint8_t *` makes available (text: its UTF-8), or -1 when it is no such memory. */
export function byteLength(value: unknown, text: boolean): number {
  // `length` (= byteLength for bytes): V8 11 inlines it, not `byteLength`, at a site that sees Buffers and Uint8Arrays.
  if (value instanceof Uint8Array) return value.length;
  if (text && typeof value === 'string') return utf8Length(value);
  return -1;
}

/** A struct check's answer for what `ArgumentCheck.fault` returned: the refusal, or OKAY to go on. */
export function refusedOr(status: MvStatus): MvStatus {
  return status > 0 ? status : MV_STATUS_OKAY;
}

/** The value at `owner.a.b`, or undefined when a step is not an object. */
export function member(owner: unknown, name: string): unknown {
  return isObject(owner) ? owner[name] : undefined;
}

/**
 * One runtime's argument checker: `begin` then a generated check; a refusal is the status the
 * check returns (OKAY: the call may go ahead), with `reason`; `lateFault` and `missing` are what
 * the behaviour must still report. Paths in reasons are built only when something is wrong.
 */
export class ArgumentCheck {
  rules!: CallRules;
  reason: string | undefined;
  /** The first nested fault, when the call reports it late. */
  lateFault: NestedFault | undefined;
  /** The first required element that is missing (`request.host`). */
  missing: string | undefined;
  /** The object the last handle argument named: a behaviour may take it instead of looking it up again. */
  target: HandleTarget | undefined;
  /** The names of the enclosing arguments and fields (numbers: array indexes), for reasons. */
  readonly at: (string | number)[] = [];

  constructor(
    readonly env: ArgumentEnv,
    /** `Struct.path`s of enum fields whose unknown values a behaviour answers with its own status. */
    readonly behaviourEnums: ReadonlySet<string> = BEHAVIOUR_ENUMS,
  ) {}

  begin(rules: CallRules): void {
    this.rules = rules;
    this.reason = undefined;
    this.lateFault = undefined;
    this.missing = undefined;
    this.target = undefined;
  }

  /** `request.subscriptions[1].topic` for field `name` below the first `level` entries of `at`. */
  where(level: number, name?: string | number): string {
    let path = '';
    for (let i = 0; i <= level; i++) {
      const step = i < level ? this.at[i] : name;
      if (step === undefined) break;
      path += typeof step === 'number' ? `[${step}]` : path === '' ? step : `.${step}`;
    }
    return path;
  }

  /** The first of `a`, `b` this call lists (a check whose status the call cannot return is skipped: OKAY). */
  pick(a: MvStatus, b?: MvStatus): MvStatus {
    if (this.rules.listed.has(a)) return a;
    if (b !== undefined && this.rules.listed.has(b)) return b;
    return MV_STATUS_OKAY;
  }

  /** Refuses the call with the first listed of `a`, `b` (OKAY when it lists neither). */
  refuse(level: number, name: string | number | undefined, problem: string, a: MvStatus, b?: MvStatus): MvStatus {
    const status = this.pick(a, b);
    if (status !== MV_STATUS_OKAY) this.reason = `${this.where(level, name)} ${problem}`;
    return status;
  }

  /**
   * A fault in memory the call reached through `depth` stored pointers: refused now (the status),
   * or recorded for the behaviour to report late, or not reportable by this call (`UNUSABLE` both).
   */
  fault(level: number, name: string | number | undefined, problem: string, depth: number): MvStatus {
    if (depth > 0 && this.rules.late !== undefined) {
      if (this.lateFault === undefined) {
        const path = this.where(level, name);
        this.lateFault = { path, reason: `${path} ${problem}` };
      }
      return UNUSABLE as MvStatus;
    }
    const status = this.refuse(level, name, problem, MV_STATUS_PARAMETERFAULT, this.rules.badPointer);
    return status === MV_STATUS_OKAY ? (UNUSABLE as MvStatus) : status;
  }

  /** A handle argument (or the handle an `inout` pointer holds): live, of `kind` when given, not a closed channel. */
  handle(handleType: string, value: unknown, name: string, kind: number | undefined): MvStatus {
    const target = this.env.lookup(handleType, value);
    if (target === undefined) return this.refuse(0, name, `is not a live ${handleType}`, MV_STATUS_INVALIDHANDLE, MV_STATUS_PARAMETERFAULT);
    let status: MvStatus = MV_STATUS_OKAY;
    if (kind !== undefined && target.kind !== kind) status = this.refuse(0, name, 'names an object of another kind', MV_STATUS_INVALIDHANDLE);
    // A call that can be made on a closed channel (its closure reason, closing it) does not list CHANNELCLOSED: it goes ahead.
    else if (target.closed === true) status = this.refuse(0, name, 'names a closed channel', MV_STATUS_CHANNELCLOSED);
    if (status === MV_STATUS_OKAY) this.target = target;
    return status;
  }

  /** A handle stored in a struct is only looked up; zero or a stale value is the behaviour's to judge. */
  storedHandle(handleType: string, value: unknown, level: number, name: string): MvStatus {
    if (this.env.lookup(handleType, value) === undefined) return this.refuse(level, name, `is not a live ${handleType}`, MV_STATUS_INVALIDHANDLE, MV_STATUS_PARAMETERFAULT);
    return MV_STATUS_OKAY;
  }

  /** A value parameter outside its C type (`CallRules.badValue`; OKAY when the call has no status for it). */
  badValue(name: string, problem: string): MvStatus {
    const status = this.rules.badValue;
    if (status === undefined) return MV_STATUS_OKAY;
    this.reason = `${name} ${problem}`;
    return status;
  }

  /** A version the struct does not define. */
  unsupportedVersion(level: number, name: string, version: number): MvStatus {
    return this.refuse(level, name, `is ${version}`, MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION, MV_STATUS_PARAMETERFAULT);
  }

  /**
   * Holds a field's value against the spec limit `limit` (as configured); `onlyRange`: a number
   * outside the field's width is checked against ranges only. OKAY when it passes or does not apply.
   */
  limit(limit: string, value: unknown, level: number, name: string, onlyRange = false): MvStatus {
    const l = this.env.limit(limit);
    // A limit reported later in a result (not a status) is not the checker's to refuse.
    if (l === undefined || l.status === undefined || (onlyRange && l.kind !== 'range')) return MV_STATUS_OKAY;
    if (l.kind === 'alignment') {
      if (ArrayBuffer.isView(value) && this.env.addressOf(value) % l.value! !== 0) {
        this.reason = `${this.where(level, name)} is not ${l.value}-byte aligned (${limit})`;
        return l.status;
      }
      return MV_STATUS_OKAY;
    }
    if (typeof value !== 'number') return MV_STATUS_OKAY;
    if (
      (l.kind === 'max' && value > l.value!) ||
      (l.kind === 'min' && value < l.value!) ||
      (l.kind === 'multiple_of' && value % l.value! !== 0) ||
      (l.kind === 'range' && (value < l.min! || value > l.max!))
    ) {
      this.reason = `${this.where(level, name)} is ${value} (${limit})`;
      return l.status;
    }
    return MV_STATUS_OKAY;
  }

  /**
   * A pointer to `count` elements of `elementBytes` (bytes: 1) at `value`; `length` is what the
   * memory holds (-1: no such memory). `writes`: the kernel writes into it, so it must exist even
   * when asked for nothing. OKAY when it holds enough; otherwise as `fault`.
   */
  counted(value: unknown, length: number, count: unknown, elementBytes: number, writes: boolean, level: number, name: string, depth: number): MvStatus {
    if (writes && length < 0) return this.fault(level, name, 'is not a valid pointer', depth);
    // An unreadable count is reported at the count field itself.
    if (!isUint(count, 32) || count === 0) return MV_STATUS_OKAY;
    if (length < 0) return this.fault(level, name, 'is not a valid pointer', depth);
    const needed = count * elementBytes;
    if (length < needed) return this.fault(level, name, `(${length} bytes) is shorter than ${needed} bytes`, depth);
    return MV_STATUS_OKAY;
  }
}
