/**
 * Checks a call's arguments against the generated schemas, the way the kernel reads C pointers:
 * NULL, the wrong type, or a length running past the end of its buffer is a fault; handles must
 * be live and of the right kind; versions, counts and ranges are held against the spec's limits.
 *
 * Faults in memory reached through a pointer stored inside an argument are "nested": in a call
 * whose error table has an `issued` row (LATEFAULT) they are reported by the behaviour once the
 * request has gone ahead; elsewhere they are a PARAMETERFAULT at once.
 */
import {
  FUNCTIONS,
  LIMITS,
  type MvFunctionInfo,
  MV_STATUS_CHANNELCLOSED,
  MV_STATUS_INVALIDHANDLE,
  MV_STATUS_PARAMETERFAULT,
  MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION,
  type MvFunctionName,
  type MvStatus,
} from '@mvmqtt/sdk';
import { Refusal, lateStatus, listedStatuses, unwritableStatus, type LimitSetting } from '@mvmqtt/sdk/runtime';

export type { LimitSetting };
import { STRUCT_SCHEMAS } from './generated/schemas.js';
import type { FieldSchema, ParamSchema, Shape, StructSchema } from './schema.js';
import { isBox, isObject, isUint, readPath, byteLengthOf } from './values.js';

/** An object a handle names. `kind`: checked against a parameter's `objectKind`. */
export interface HandleTarget {
  readonly kind?: number;
  readonly closed?: boolean;
}

export interface ValidationEnv {
  /** The live object of handle type `handleType` (a typedef name) named by `value`, if any. */
  lookup(handleType: string, value: unknown): HandleTarget | undefined;
  /** A limit's current setting (configurable ones may be changed or switched off: undefined). */
  limit(name: string): LimitSetting | undefined;
  /** The simulated address of a view, for alignment rules. */
  addressOf(view: ArrayBufferView): number;
  /** `Struct.path`s of enum fields whose unknown values a behaviour answers with its own status (not PARAMETERFAULT). */
  readonly behaviourEnums: ReadonlySet<string>;
}


/** A bad pointer found inside an argument; `path` names it (`request.subscriptions[1].topic.data`). */
export interface NestedFault {
  readonly path: string;
  readonly reason: string;
}

export interface Validated {
  /** The first nested fault, when the call reports it late (see above). */
  lateFault?: NestedFault;
  /** The first required element that is missing (`MvMqttConnectRequest.host`). */
  missing?: string;
}

export { Refusal, lateStatus, listedStatuses };

/** Walks one call's arguments. Throws `Refusal`; returns what the behaviour must still report. */
class Walker {
  readonly result: Validated = {};
  private readonly listed: ReadonlySet<MvStatus>;
  private readonly late: MvStatus | undefined;
  /** The call reads an item off a queue: its argument is where the item will be written. */
  private readonly consumer: boolean;
  /** What a bad pointer gets in a call that lists no PARAMETERFAULT (see `unwritableStatus`). */
  private readonly badPointer: MvStatus;

  constructor(
    fn: MvFunctionName,
    private readonly env: ValidationEnv,
  ) {
    this.listed = listedStatuses(fn);
    this.late = lateStatus(fn);
    this.consumer = (FUNCTIONS[fn] as MvFunctionInfo).consumes !== undefined;
    this.badPointer = unwritableStatus(fn);
  }

  /** The first of `statuses` this call lists (a check whose status the call cannot return is skipped). */
  private pick(...statuses: MvStatus[]): MvStatus | undefined {
    return statuses.find((s) => this.listed.has(s));
  }

  private refuse(reason: string, ...statuses: MvStatus[]): void {
    const status = this.pick(...statuses);
    if (status !== undefined) throw new Refusal(status, reason);
  }

  /** A fault at `path`, in memory the call reached through `depth` stored pointers; false: the value is unusable. */
  private fault(path: string, problem: string, depth: number): false {
    const reason = `${path} ${problem}`;
    if (depth > 0 && this.late !== undefined) this.result.lateFault ??= { path, reason };
    else this.refuse(reason, MV_STATUS_PARAMETERFAULT, this.badPointer);
    return false;
  }

  param(p: ParamSchema, value: unknown): void {
    const s = p.shape;
    switch (s.kind) {
      case 'handle':
        this.handle(s.handle, value, p.name, p.objectKind);
        return;
      case 'box':
        if (!isBox(value)) {
          this.fault(p.name, 'is not a valid pointer', 0);
          return;
        }
        if (p.direction === 'inout' && s.of.kind === 'handle') this.handle(s.of.handle, value.value, `*${p.name}`, p.objectKind);
        return;
      case 'ref':
        if (!isObject(value)) {
          this.fault(p.name, 'is not a valid pointer', 0);
          return;
        }
        if (p.direction === 'in') this.struct(s.struct, value, p.name, 0);
        return;
      case 'bytes':
      case 'ints':
      case 'records':
      case 'array':
        // A buffer parameter with its length in a sibling parameter (`data`, `len`).
        // It must be a real pointer even when the length is zero, as the device core requires.
        if (s.kind !== 'array' && byteLengthOf(s, value) === undefined) {
          this.fault(p.name, 'is not a valid pointer', 0);
          return;
        }
        if (this.args) this.counted(s, value, this.args, p.name, -1);
        return;
      default:
        // Integers and enums by value: C passes any bit pattern; the behaviour reads them.
        return;
    }
  }

  /** The call's arguments by parameter name, for buffer parameters whose length is another parameter. */
  args: Record<string, unknown> | undefined;

  private handle(type: string, value: unknown, what: string, objectKind?: number): void {
    const target = this.env.lookup(type, value);
    if (!target) return this.refuse(`${what} is not a live ${type}`, MV_STATUS_INVALIDHANDLE, MV_STATUS_PARAMETERFAULT);
    if (objectKind !== undefined && target.kind !== objectKind) return this.refuse(`${what} names an object of another kind`, MV_STATUS_INVALIDHANDLE);
    if (target.closed) this.refuse(`${what} names a closed channel`, MV_STATUS_CHANNELCLOSED);
  }

  private struct(name: string, value: Record<string, unknown>, what: string, depth: number): void {
    const schema: StructSchema = (STRUCT_SCHEMAS as Readonly<Record<string, StructSchema>>)[name];
    let member: string | undefined;
    if (schema.version) {
      const version = readPath(value, schema.version.path);
      if (!isUint(version, 32)) {
        this.fault(`${what}.${schema.version.path}`, 'is not a 32-bit unsigned value', depth);
        return;
      }
      member = schema.version.members[version];
      if (member === undefined) return this.refuse(`${what}.${schema.version.path} is ${version}`, MV_STATUS_UNSUPPORTEDSTRUCTUREVERSION, MV_STATUS_PARAMETERFAULT);
      if (!isObject(value[member])) {
        this.fault(`${what}.${member}`, 'is missing', depth);
        return;
      }
    }
    for (const f of schema.fields) {
      if (f.member !== undefined && f.member !== member) continue;
      if (!this.field(f, name, value, `${what}.${f.path}`, depth)) continue;
      this.limits(f, value, `${what}.${f.path}`);
    }
  }

  /** Checks one field; false when it is unusable (its limits are then not looked at). */
  private field(f: FieldSchema, struct: string, owner: Record<string, unknown>, what: string, depth: number): boolean {
    const value = readPath(owner, f.path);
    const s = f.shape;
    switch (s.kind) {
      case 'int':
        if (!isUint(value, s.bits)) {
          // A number outside the field's width is out of any range the spec sets for it.
          if (typeof value === 'number') this.limits(f, owner, what, ['range']);
          return this.fault(what, `is not a ${s.bits}-bit value`, depth);
        }
        return true;
      case 'enum':
        if (!isUint(value, 32)) return this.fault(what, `is not a ${s.enum} value`, depth);
        // A value the enum does not define is garbage, unless the call has a status of its own for it.
        if (!s.bitmask && !s.values.includes(value) && !this.env.behaviourEnums.has(`${struct}.${f.path}`)) return this.fault(what, `is not a defined ${s.enum} value`, depth);
        return true;
      case 'handle':
        // A handle stored in a struct is only looked up; zero or a stale value is the behaviour's to judge.
        if (!isUint(value, 32)) return this.fault(what, `is not a ${s.handle}`, depth);
        if (!this.env.lookup(s.handle, value)) this.refuse(`${what} is not a live ${s.handle}`, MV_STATUS_INVALIDHANDLE, MV_STATUS_PARAMETERFAULT);
        return true;
      case 'struct':
        // Missing from a request, a struct of pointers (a sized string) is a bad pointer read while sending.
        if (!isObject(value)) return this.fault(what, 'is missing', !this.consumer && hasDirectPointer(s.struct) ? depth + 1 : depth);
        this.struct(s.struct, value, what, depth);
        if (f.required && isEmpty(s.struct, value)) this.result.missing ??= what;
        return true;
      case 'ref':
        if (value === null && f.optional) return true;
        if (!isObject(value)) return this.fault(what, 'is not a valid pointer', depth + 1);
        if (!s.writes) this.struct(s.struct, value, what, depth + 1);
        return true;
      case 'box':
        if (!isBox(value)) return this.fault(what, 'is not a valid pointer', depth + 1);
        return true;
      case 'array':
      case 'bytes':
      case 'ints':
      case 'records':
        return this.counted(s, value, owner, what, depth);
    }
  }

  /** A pointer with a length in a sibling field: the memory must hold that many bytes or elements. */
  private counted(s: Extract<Shape, { countPath: string }>, value: unknown, owner: Record<string, unknown>, what: string, depth: number): boolean {
    const count = readPath(owner, s.countPath);
    const nested = depth + 1;
    // Memory the kernel writes into must exist even when it is asked for no bytes.
    if ((s.kind === 'bytes' || s.kind === 'records') && s.writes && byteLengthOf(s, value) === undefined) return this.fault(what, 'is not a valid pointer', nested);
    // An unreadable count is reported at the count field itself.
    if (!isUint(count, 32) || count === 0) return true;
    if (s.kind === 'array') {
      if (!Array.isArray(value) || value.length < count) return this.fault(what, `holds fewer than ${count} elements`, nested);
      for (let i = 0; i < count; i++) {
        const item: unknown = value[i];
        if (!isObject(item)) return this.fault(`${what}[${i}]`, 'is not a valid element', nested);
        this.struct(s.struct, item, `${what}[${i}]`, nested);
      }
      return true;
    }
    const length = byteLengthOf(s, value);
    if (length === undefined) return this.fault(what, 'is not a valid pointer', nested);
    const needed = s.kind === 'ints' && s.unit === 'elements' ? count * (s.bits / 8) : count;
    if (length < needed) return this.fault(what, `(${length} bytes) is shorter than ${needed} bytes`, nested);
    return true;
  }

  private limits(f: FieldSchema, owner: Record<string, unknown>, what: string, kinds?: readonly string[]): void {
    const value = readPath(owner, f.path);
    for (const name of f.limits) {
      const l = this.env.limit(name);
      // A limit reported later in a result (not a status) is not the validator's to refuse.
      if (!l || l.status === undefined || (kinds && !kinds.includes(l.kind))) continue;
      if (l.kind === 'alignment') {
        if (ArrayBuffer.isView(value) && this.env.addressOf(value) % l.value! !== 0) throw new Refusal(l.status, `${what} is not ${l.value}-byte aligned (${name})`);
        continue;
      }
      if (typeof value !== 'number') continue;
      if (
        (l.kind === 'max' && value > l.value!) ||
        (l.kind === 'min' && value < l.value!) ||
        (l.kind === 'multiple_of' && value % l.value! !== 0) ||
        (l.kind === 'range' && (value < l.min! || value > l.max!))
      )
        throw new Refusal(l.status, `${what} is ${value} (${name})`);
    }
  }
}

/** The struct has a pointer among its own fields (not only inside nested structs). */
function hasDirectPointer(struct: string): boolean {
  const schema: StructSchema = (STRUCT_SCHEMAS as Readonly<Record<string, StructSchema>>)[struct];
  return schema.fields.some((f) => !f.path.includes('.') && !['int', 'enum', 'handle', 'struct'].includes(f.shape.kind));
}

/** A struct passed by value is "missing" when every length in it is zero (an empty sized string). */
function isEmpty(struct: string, value: Record<string, unknown>): boolean {
  const schema: StructSchema = (STRUCT_SCHEMAS as Readonly<Record<string, StructSchema>>)[struct];
  const counts = schema.fields.filter((f) => f.counts !== undefined);
  return counts.length > 0 && counts.every((f) => readPath(value, f.path) === 0);
}

/** Checks the arguments of `fn`: throws `Refusal`, or returns what the behaviour still has to report. */
export function validateArguments(fn: MvFunctionName, params: readonly ParamSchema[], args: readonly unknown[], env: ValidationEnv): Validated {
  const walker = new Walker(fn, env);
  walker.args = Object.fromEntries(params.map((p, i) => [p.name, args[i]]));
  params.forEach((p, i) => walker.param(p, args[i]));
  return walker.result;
}

/** Every limit the spec defines, as the validator reads it (before any option overrides it). */
export function specLimit(name: string): LimitSetting | undefined {
  return (LIMITS as unknown as Readonly<Record<string, LimitSetting>>)[name];
}
