/**
 * The limit book: every limit of the spec as one runtime applies it, shared by the device core
 * and the mock. Both take the same overrides, keyed by the spec's limit names: a limit the spec
 * marks configurable can be given another value, or `false` to switch it off. Call-level limits
 * (objects alive, call rate, requests in flight, requests per object) can be checked here by
 * kind, so behaviours name no number.
 */
import { FUNCTIONS, LIMITS } from '../generated/index.js';
import type { LimitName, MvFunctionName, MvStatus } from '../generated/index.js';

export type LimitOverrides = Partial<Record<LimitName, number | false>>;

/** A limit as the runtime applies it (a field of the spec's `LIMITS` entry, possibly overridden). */
export interface LimitSetting {
  readonly kind: string;
  readonly value?: number;
  readonly min?: number;
  readonly max?: number;
  readonly status: MvStatus;
}

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

type Settings = ReadonlyMap<string, LimitInfo | undefined>;

function settingsWith(overrides: LimitOverrides): Settings {
  const settings = new Map<string, LimitInfo | undefined>();
  for (const [name, l] of Object.entries(SPEC_LIMITS) as [LimitName, LimitInfo][]) {
    const o = overrides[name];
    if (o === undefined) settings.set(name, l);
    else if (!l.configurable) throw new RangeError(`limit ${name} is not configurable in the spec`);
    else if (o === false) settings.set(name, undefined);
    else if (l.value === undefined) throw new RangeError(`limit ${name} has no single value to override`);
    else settings.set(name, { ...l, value: o });
  }
  for (const name of Object.keys(overrides)) if (!Object.hasOwn(SPEC_LIMITS, name)) throw new RangeError(`the spec has no limit named ${name}`);
  return settings;
}

/** The spec's own settings, built once and shared (read-only) by every book without overrides: a fleet runs thousands. */
let specSettings: Settings | undefined;

export class LimitBook {
  private readonly settings: Settings;

  constructor(overrides: LimitOverrides = {}) {
    this.settings = Object.keys(overrides).length === 0 ? (specSettings ??= settingsWith({})) : settingsWith(overrides);
  }

  /** The current setting, or undefined when switched off. */
  get(name: string): LimitSetting | undefined {
    return this.settings.get(name);
  }

  /** The limit's single value as configured, or undefined when it is switched off. */
  value(name: LimitName): number | undefined {
    return this.settings.get(name)?.value;
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
