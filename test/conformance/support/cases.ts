/**
 * The conformance cases, derived from the spec: every row of every function's error table, with
 * the waivers the spec records for it. Nothing here is typed by hand.
 */
import { FUNCTIONS, type MvFunctionName, type MvStatus } from '@mvmqtt/sdk';
import type { RuntimeName } from './rig.js';

export interface ConformanceCase {
  fn: MvFunctionName;
  status: MvStatus;
  name: `MV_STATUS_${string}`;
  waiver: Partial<Record<RuntimeName, string>>;
}

export const CASES: readonly ConformanceCase[] = (Object.keys(FUNCTIONS) as MvFunctionName[]).flatMap((fn) =>
  FUNCTIONS[fn].errors.map((e) => ({
    fn,
    status: e.status as MvStatus,
    name: e.name as `MV_STATUS_${string}`,
    waiver: { ...((e as { waiver?: Partial<Record<RuntimeName, string>> }).waiver ?? {}) },
  })),
);

export type Outcome = 'triggered' | 'forced' | 'waived' | 'failed' | 'missing';

export interface CaseResult {
  fn: MvFunctionName;
  name: string;
  runtime: RuntimeName;
  outcome: Outcome;
  /** How the row was provoked, the waiver's reason, or what went wrong. */
  detail: string;
  ms: number;
}
