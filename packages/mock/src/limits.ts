/**
 * The spec's limits as the mock applies them. Field limits (sizes, counts, ranges, alignment)
 * are checked by the validator through the schemas; the limits on calls themselves (objects
 * alive, call rate, requests in flight, requests per object) are checked here, by kind, so the
 * behaviours name no number. Limits the spec marks configurable can be changed per mock.
 */
import { FUNCTIONS, LIMITS, type LimitName, type MvFunctionName, type MvStatus } from '@mvmqtt/sdk';
import type { LimitSetting } from './validate.js';

export type LimitOverrides = Partial<Record<LimitName, number | false>>;

interface LimitInfo extends LimitSetting {
  readonly windowMs?: number;
  readonly configurable: boolean;
}

const SPEC_LIMITS = LIMITS as unknown as Readonly<Record<LimitName, LimitInfo>>;

/** What the call-level limits of one call are measured against. */
export interface CallMeasures {
  /** Objects of the kind the call creates that are alive now. */
  objects?: number;
  /** Requests of this call on the object still waiting for their outcome. */
  inFlight?: number;
  /** Requests of this call ever accepted on the object. */
  issued?: number;
  /** Times (ms) of the earlier calls that count towards a rate limit. */
  recentCalls?: readonly number[];
  now: number;
}

export class LimitBook {
  private readonly settings = new Map<string, LimitInfo | undefined>();

  constructor(overrides: LimitOverrides = {}) {
    for (const [name, l] of Object.entries(SPEC_LIMITS) as [LimitName, LimitInfo][]) {
      const o = overrides[name];
      if (o === undefined) this.settings.set(name, l);
      else if (!l.configurable) throw new Error(`@mvmqtt/mock: limit ${name} is not configurable in the spec`);
      else if (o === false) this.settings.set(name, undefined);
      else if (l.value === undefined) throw new Error(`@mvmqtt/mock: limit ${name} has no single value to override`);
      else this.settings.set(name, { ...l, value: o });
    }
    for (const name of Object.keys(overrides)) if (!(name in SPEC_LIMITS)) throw new Error(`@mvmqtt/mock: the spec has no limit named ${name}`);
  }

  /** The current setting, or undefined when switched off. */
  get(name: string): LimitSetting | undefined {
    return this.settings.get(name);
  }

  /**
   * The status of the first call-level limit of `fn` the measures exceed, in the order the spec
   * lists the function's limits, or undefined when the call may go ahead.
   */
  check(fn: MvFunctionName, m: CallMeasures): MvStatus | undefined {
    for (const name of FUNCTIONS[fn].limits) {
      const l = this.settings.get(name) as LimitInfo | undefined;
      if (!l || l.value === undefined || l.status === undefined) continue;
      const exceeded =
        (l.kind === 'max_objects' && m.objects !== undefined && m.objects >= l.value) ||
        (l.kind === 'in_flight' && m.inFlight !== undefined && m.inFlight >= l.value) ||
        (l.kind === 'per_object' && m.issued !== undefined && m.issued >= l.value) ||
        (l.kind === 'rate' && m.recentCalls !== undefined && m.recentCalls.filter((t) => m.now - t < l.windowMs!).length >= l.value);
      if (exceeded) return l.status;
    }
    return undefined;
  }
}
