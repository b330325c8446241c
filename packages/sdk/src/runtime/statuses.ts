/**
 * What a system call may return, from the spec's error tables, and how an exception raised while
 * a call runs becomes one of those statuses. Shared by the device core and the mock.
 */
import { FUNCTIONS, MV_STATUS_OKAY, MV_STATUS_PARAMETERFAULT, STATUS_NAMES } from '../generated/index.js';
import type { MvFunctionName, MvStatus } from '../generated/index.js';

interface ErrorTable {
  /** The statuses the function's error table lists. */
  listed: ReadonlySet<MvStatus>;
  /** OKAY and the listed statuses: everything the function may return. */
  allowed: ReadonlySet<MvStatus>;
  /** The status of the row marked `issued` (the request went ahead before the fault was found), if any. */
  late: MvStatus | undefined;
}

const TABLES = new Map<MvFunctionName, ErrorTable>();
for (const fn of Object.keys(FUNCTIONS) as MvFunctionName[]) {
  const errors = FUNCTIONS[fn].errors as readonly { status: MvStatus; issued: boolean }[];
  const listed = new Set(errors.map((e) => e.status));
  TABLES.set(fn, { listed, allowed: new Set<MvStatus>([MV_STATUS_OKAY, ...listed]), late: errors.find((e) => e.issued)?.status });
}

export function listedStatuses(fn: MvFunctionName): ReadonlySet<MvStatus> {
  return TABLES.get(fn)!.listed;
}

export function allowedStatuses(fn: MvFunctionName): ReadonlySet<MvStatus> {
  return TABLES.get(fn)!.allowed;
}

export function lateStatus(fn: MvFunctionName): MvStatus | undefined {
  return TABLES.get(fn)!.late;
}

/** A call refused with a specific status (thrown from deep inside a decoder). */
export class Refusal {
  constructor(
    readonly status: MvStatus,
    readonly reason = '',
  ) {}
}

/** The application's memory could not be read or written as the call needs. */
export class Fault {
  constructor(
    /** true: found after the kernel had started acting on the request (the `issued` row). */
    readonly late: boolean,
    readonly reason: string,
  ) {}
}

export function fault(reason: string, late = false): never {
  throw new Fault(late, reason);
}

/**
 * The status a call returns when `err` escaped while it ran: a listed refusal as it is; a late
 * fault as the function's `issued` row; anything else (a bad pointer the decoders did not
 * anticipate, a getter that threw) as PARAMETERFAULT. Undefined when the function lists none of
 * these: a call taking only values cannot fault, so the exception is a runtime bug.
 */
export function statusForException(fn: MvFunctionName, err: unknown): MvStatus | undefined {
  const table = TABLES.get(fn)!;
  if (err instanceof Refusal && table.listed.has(err.status)) return err.status;
  if (err instanceof Fault && err.late && table.late !== undefined) return table.late;
  return table.listed.has(MV_STATUS_PARAMETERFAULT) ? MV_STATUS_PARAMETERFAULT : undefined;
}

/**
 * The status for an output the kernel cannot write: PARAMETERFAULT where the call lists it;
 * otherwise INVALIDHANDLE for a call that takes a handle by pointer (mvExternalFlashClose), or
 * else the one fault the call lists (mvPeriphPeek32: PERIPHERALACCESSFAULT).
 */
export function unwritableStatus(fn: MvFunctionName): MvStatus {
  return unwritableStatusIn(FUNCTIONS[fn].errors, STATUS_NAMES) as MvStatus;
}

/**
 * The same rule over any spec's tables (a mock generated from a user's own spec): `errors` is one
 * function's error table, `names` its status names by value (the generated `STATUS_NAMES`).
 */
export function unwritableStatusIn(errors: readonly { readonly status: number }[], names: Readonly<Record<number, string>>): number {
  const byName = (name: string) => errors.find((e) => names[e.status] === name)?.status;
  const parameterFault = Object.keys(names).find((v) => names[Number(v)] === 'MV_STATUS_PARAMETERFAULT');
  return byName('MV_STATUS_PARAMETERFAULT') ?? byName('MV_STATUS_INVALIDHANDLE') ?? errors[0]?.status ?? Number(parameterFault);
}
