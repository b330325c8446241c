/**
 * What `mvgen diff` reports: one classified change per line, with where it is in the spec files.
 * The comparers (enums.ts, structs.ts, ...) push changes into a `ChangeLog`; report.ts sorts
 * and prints them; changeset.ts turns them into a changeset.
 */

/** semver level of one change; `none` only ever appears as an overall bump. */
export type Level = 'major' | 'minor' | 'patch';
export type Bump = Level | 'none';

export const LEVELS: readonly Level[] = ['major', 'minor', 'patch'];
const RANK: Record<Bump, number> = { major: 3, minor: 2, patch: 1, none: 0 };

export function maxBump(a: Bump, b: Bump): Bump {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Which surface of the generated world a change touches; changeset.ts maps surfaces to packages.
 * - abi: the C declarations and the device ABI (names, values, layouts, prototypes, call addresses)
 * - api: the TypeScript surface (types, enum values, per-function statuses, limit constants)
 * - behaviour: what a runtime does (errors it returns, limits it enforces, items it queues)
 * - docs: prose and reference content
 */
export type Facet = 'abi' | 'api' | 'behaviour' | 'docs';

/** A type, constant, layout or signature: visible everywhere. */
export const TYPE_FACETS: readonly Facet[] = ['abi', 'api', 'behaviour', 'docs'];
/** Error tables, limits, readable-item flow: the TS types and the runtimes, not the C ABI. */
export const CONTRACT_FACETS: readonly Facet[] = ['api', 'behaviour', 'docs'];
/** Runtime behaviour with no type attached (e.g. `issued`). */
export const BEHAVIOUR_FACETS: readonly Facet[] = ['behaviour', 'docs'];
/** The call address lives in the C glue (linker script), not in any type. */
export const ADDRESS_FACETS: readonly Facet[] = ['abi', 'docs'];
export const DOC_FACETS: readonly Facet[] = ['docs'];

/** A place in one of the two specs. `side` says which spec the pointer refers to. */
export interface Where {
  side: 'old' | 'new';
  /** Spec file name, e.g. `mqtt.json` or `index.json`. */
  file: string;
  /** JSON pointer inside that file. */
  pointer: string;
}

export interface Change {
  level: Level;
  where: Where;
  message: string;
  facets: readonly Facet[];
}

export class ChangeLog {
  readonly changes: Change[] = [];

  add(level: Level, where: Where, message: string, facets: readonly Facet[]): void {
    this.changes.push({ level, where, message, facets });
  }
  major(where: Where, message: string, facets: readonly Facet[] = TYPE_FACETS): void {
    this.add('major', where, message, facets);
  }
  minor(where: Where, message: string, facets: readonly Facet[] = TYPE_FACETS): void {
    this.add('minor', where, message, facets);
  }
  patch(where: Where, message: string, facets: readonly Facet[] = DOC_FACETS): void {
    this.add('patch', where, message, facets);
  }
  /** Doc-like text that differs: one patch line. */
  text(where: Where, what: string, before: string | undefined, after: string | undefined, facets: readonly Facet[] = DOC_FACETS): void {
    if ((before ?? '') !== (after ?? '')) this.patch(where, `${what} changed`, facets);
  }
}

export const inOld = (file: string, pointer: string): Where => ({ side: 'old', file, pointer });
export const inNew = (file: string, pointer: string): Where => ({ side: 'new', file, pointer });

/** Names present on both sides, on one side only, in the new side's order (then the old's). */
export function matchByName<T>(before: readonly T[], after: readonly T[], key: (x: T) => string) {
  const oldMap = new Map(before.map((x) => [key(x), x]));
  const newMap = new Map(after.map((x) => [key(x), x]));
  return {
    removed: before.filter((x) => !newMap.has(key(x))),
    added: after.filter((x) => !oldMap.has(key(x))),
    both: after.filter((x) => oldMap.has(key(x))).map((x) => ({ before: oldMap.get(key(x))!, after: x })),
  };
}

/** true when the names common to both lists appear in a different relative order. */
export function orderChanged(before: readonly string[], after: readonly string[]): boolean {
  const common = new Set(before.filter((n) => after.includes(n)));
  const a = before.filter((n) => common.has(n));
  const b = after.filter((n) => common.has(n));
  return a.some((n, i) => n !== b[i]);
}

export const hex = (n: number) => `0x${n.toString(16)}`;
/** A call address as the spec writes it: eight hex digits. */
export const address = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
