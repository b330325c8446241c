/** The spec files' shapes as the JSON Schema admits them (before resolution). */

/** The targets whose output directory the index names. */
export type OutputTarget = 'json' | 'c' | 'ts' | 'mock' | 'docs' | 'device' | 'host';

export type RawUint = number | string;

export interface RawIndex {
  spec: string;
  version: string;
  title: string;
  doc: string;
  vendor: { name: string; sdk_version: string; header: string; include_guard: string; repository: string; commit: string; header_sha256?: string; complete?: boolean };
  product?: { macro_prefix?: string; npm_scope?: string; regenerate?: string; outputs?: Partial<Record<OutputTarget, string>> };
  status_enum: string;
  success_status: string;
  areas: string[];
  errata: { id: number; item: string; vendor_page: string; header: string; resolution: string }[];
}

export interface RawTypedef {
  name: string;
  kind: 'handle';
  opaque_struct: string;
  doc: string;
}

export interface RawEnum {
  name: string;
  doc: string;
  bitmask?: boolean;
  sentinel: { name: string; value: string };
  constants: { name: string; value: RawUint; doc: string; since?: string; unsolicited?: boolean }[];
}

export interface RawField {
  name: string;
  type: string;
  doc: string;
  direction?: 'in' | 'out';
  counts?: string;
  count_unit?: 'elements' | 'bytes';
  optional?: boolean;
  required?: boolean;
}

export interface RawUnion {
  union: { name: string; doc: string; fields: RawField[] }[];
  doc: string;
}

export interface RawStruct {
  name: string;
  doc: string;
  versioned?: { field: string; versions: number[] };
  fields: (RawField | RawUnion)[];
}

export interface RawFunction {
  name: string;
  doc: string;
  nsc_address: string;
  params: RawParam[];
  errors: { status: string; when: string; issued: boolean; source?: 'header' | 'inferred'; waiver?: { device?: string; mock?: string } }[];
  notifications?: { event: string; when: string }[];
  produces?: string[];
  consumes?: string;
  peeks?: string;
  not_in_interrupt?: string;
  test_mode_only?: string;
  no_return?: boolean;
}

export interface RawParam {
  name: string;
  type: string;
  direction: 'value' | 'in' | 'out' | 'inout';
  doc: string;
  object_kind?: string;
  counts?: string;
  count_unit?: 'elements' | 'bytes';
}

export interface RawLimit {
  name: string;
  doc: string;
  kind: 'max' | 'min' | 'range' | 'multiple_of' | 'alignment' | 'max_objects' | 'rate' | 'in_flight' | 'per_object';
  value?: number;
  min?: number;
  max?: number;
  window_ms?: number;
  unit: 'bytes' | 'elements' | 'objects' | 'calls' | 'requests' | 'value';
  applies_to?: string[];
  functions: string[];
  /** What the call returns on a breach; absent when the breach is reported later through `result`. */
  status?: string;
  result?: string;
  source: 'header' | 'vendor_page' | 'demo' | 'inferred';
  configurable?: boolean;
}

export interface RawArea {
  area: string;
  title: string;
  doc: string;
  typedefs: RawTypedef[];
  enums: RawEnum[];
  structs: RawStruct[];
  functions: RawFunction[];
  limits: RawLimit[];
}

export function isUnion(f: RawField | RawUnion): f is RawUnion {
  return Object.hasOwn(f, 'union');
}

export function uintValue(v: RawUint): number {
  return typeof v === 'number' ? v : parseInt(v, 16);
}
