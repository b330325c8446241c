/**
 * The hand-written half of a mock generated from a spec other than this repository's (`mvgen
 * generate --spec my-spec --out DIR`, where the area behaviours of MockMicrovisor do not exist):
 * the generated `SpecMock` (DIR/…/mock/src/generated/mock.ts) hands every call here with the
 * spec's own tables. It records each call, answers an output it cannot write with the status the
 * function's table gives for that (the rule MockMicrovisor uses), plays statuses a test forced
 * (only ones the table lists), runs the test's behaviour for the function if it gave one, and
 * otherwise answers OKAY. Argument shapes are checked by MockMicrovisor only, against this
 * repository's spec.
 */
import { unwritableStatusIn } from '@mvmqtt/sdk/runtime';
import { snapshot } from './snapshot.js';

/** What the engine reads from a spec's generated `FUNCTIONS` metadata. */
export interface SpecFunctionTable {
  readonly errors: readonly { readonly status: number }[];
}

export interface SpecCallRecord<F extends string = string> {
  readonly index: number;
  readonly fn: F;
  /** The arguments as they were at the time of the call (copied). */
  readonly args: readonly unknown[];
  readonly status: number;
  readonly statusName: string;
  /** The status came from `force()`. */
  readonly forced: boolean;
}

export class SpecMockEngine<F extends string> {
  private readonly records: SpecCallRecord<F>[] = [];
  private readonly forced = new Map<F, { status: number; times: number }[]>();

  constructor(
    /** The spec's `FUNCTIONS` (generated SDK metadata). */
    private readonly functions: Readonly<Record<F, SpecFunctionTable>>,
    /** The spec's `STATUS_NAMES` (generated SDK metadata). */
    private readonly statusNames: Readonly<Record<number, string>>,
    /** The spec's OKAY value. */
    private readonly okay: number,
  ) {}

  /** One call: recorded, then answered (see the module comment). `behaviour` gets the call's index. */
  dispatch(fn: F, args: readonly unknown[], outputsWritable: boolean, behaviour: ((index: number) => number) | undefined): number {
    const index = this.records.length;
    const copied = args.map((a) => snapshot(a));
    const forced = this.takeForced(fn);
    let status: number;
    if (forced !== undefined) status = forced;
    else if (!outputsWritable) status = unwritableStatusIn(this.functions[fn].errors, this.statusNames);
    else status = behaviour ? behaviour(index) : this.okay;
    this.records.push({ index, fn, args: copied, status, statusName: this.statusName(status), forced: forced !== undefined });
    return status;
  }

  /** The next `times` calls of `fn` (default 1; Infinity: until `unforce`) return `status`, which the function's table must list. */
  force(fn: F, status: number, times = 1): void {
    const table = this.functions[fn];
    if (!table) throw new Error(`SpecMock: the spec has no function ${String(fn)}`);
    if (status !== this.okay && !table.errors.some((e) => e.status === status))
      throw new Error(`SpecMock: ${fn} cannot return ${this.statusName(status)}: its error table lists ${table.errors.map((e) => this.statusName(e.status)).join(', ') || 'nothing'}`);
    const queue = this.forced.get(fn) ?? [];
    queue.push({ status, times });
    this.forced.set(fn, queue);
  }

  unforce(fn?: F): void {
    if (fn === undefined) this.forced.clear();
    else this.forced.delete(fn);
  }

  /** Every call so far, in order. */
  get calls(): readonly SpecCallRecord<F>[] {
    return this.records;
  }

  callsTo(fn: F): SpecCallRecord<F>[] {
    return this.records.filter((r) => r.fn === fn);
  }

  private statusName(status: number): string {
    return this.statusNames[status] ?? `MvStatus(${status})`;
  }

  private takeForced(fn: F): number | undefined {
    const queue = this.forced.get(fn);
    const head = queue?.[0];
    if (!head) return undefined;
    if (--head.times <= 0) queue!.shift();
    return head.status;
  }
}
