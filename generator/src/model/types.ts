/**
 * The typed intermediate model (IR) built from a validated spec. Plain, JSON-serialisable
 * data: items refer to each other by name, and `Model` (model.ts) offers the look-ups.
 * Every emitter and runtime reads this, never the raw spec files.
 */

export type AbiId = 'arm32' | 'x86_64';

export interface AbiDescription {
  id: AbiId;
  role: 'device' | 'host';
  title: string;
  pointerSize: number;
  /** Byte order of multi-byte values in memory (what a codec of raw struct bytes must use). */
  endianness: 'little' | 'big';
  /** true: an enum takes the smallest of 1/2/4 bytes that holds its largest value (AAPCS bare-metal). */
  shortEnums: boolean;
}

export interface Layout {
  size: number;
  align: number;
}

export interface FieldLayout {
  offset: number;
  size: number;
  align: number;
}

export type IntName = 'uint8_t' | 'uint16_t' | 'uint32_t' | 'uint64_t' | 'int8_t' | 'int16_t' | 'int32_t' | 'int64_t';

/** The base a C type names, after resolution. */
export type TypeBase =
  | { kind: 'int'; name: IntName; bits: 8 | 16 | 32 | 64; signed: boolean }
  | { kind: 'enum'; name: string }
  | { kind: 'struct'; name: string }
  | { kind: 'handle'; name: string };

export interface CType {
  /** The C spelling as in the spec, e.g. `const struct MvMqttWill *`. */
  text: string;
  base: TypeBase;
  /** Number of `*`. */
  pointer: number;
  /** `const` on the pointee (pointer types) or on the value. */
  const: boolean;
}

export interface SourceRef {
  /** Area file name, e.g. `mqtt.json`. */
  file: string;
  /** JSON pointer inside that file. */
  pointer: string;
}

export interface EnumConstant {
  name: string;
  value: number;
  doc: string;
  since?: string;
  unsolicited?: boolean;
  source: SourceRef;
}

export interface EnumModel {
  kind: 'enum';
  name: string;
  area: string;
  doc: string;
  bitmask: boolean;
  sentinel: { name: string; value: number };
  constants: EnumConstant[];
  /** Size in bytes per ABI (short enums on the device are sized by the sentinel). */
  size: Record<AbiId, number>;
  source: SourceRef;
}

export interface TypedefModel {
  kind: 'handle';
  name: string;
  area: string;
  doc: string;
  opaqueStruct: string;
  size: Record<AbiId, number>;
  source: SourceRef;
}

export interface FieldModel {
  kind: 'field';
  name: string;
  type: CType;
  doc: string;
  /** `out`: the kernel writes through this pointer member. */
  direction: 'in' | 'out';
  /** This field is the length of the named sibling pointer field. */
  counts?: string;
  countUnit?: 'elements' | 'bytes';
  /** The named sibling field holds this (pointer) field's length. */
  countedBy?: string;
  optional: boolean;
  required: boolean;
  layout: Record<AbiId, FieldLayout>;
  source: SourceRef;
}

export interface UnionMemberModel {
  name: string;
  doc: string;
  fields: FieldModel[];
  layout: Record<AbiId, FieldLayout>;
  source: SourceRef;
}

/** An anonymous union of named inner structs (the vendor's versioned-struct pattern). */
export interface UnionModel {
  kind: 'union';
  doc: string;
  members: UnionMemberModel[];
  layout: Record<AbiId, FieldLayout>;
  source: SourceRef;
}

export type MemberModel = FieldModel | UnionModel;

export interface StructModel {
  kind: 'struct';
  name: string;
  area: string;
  doc: string;
  versioned?: { field: string; versions: number[] };
  members: MemberModel[];
  /** Every leaf field with its dotted path (`v1.notification_handle`), in declaration order. */
  fieldPaths: { path: string; field: FieldModel }[];
  layout: Record<AbiId, Layout>;
  /** true when some pointer member is written by the kernel (a read-back struct). */
  kernelWrites: boolean;
  source: SourceRef;
}

export interface ParamModel {
  name: string;
  type: CType;
  direction: 'value' | 'in' | 'out' | 'inout';
  doc: string;
  /** The handle must refer to an object of this kind (an enum constant name). */
  objectKind?: string;
  /** This parameter is the length of the named sibling pointer parameter. */
  counts?: string;
  countUnit?: 'elements' | 'bytes';
  /** The sibling parameter that holds this (pointer) parameter's length, and its unit. */
  countedBy?: { param: string; unit: 'elements' | 'bytes' };
  /**
   * For an `out` pointer to a versioned struct: the field the application sets before the call
   * (the version), so the kernel knows which layout to fill in.
   */
  appSets?: string[];
}

export interface ErrorRow {
  status: string;
  value: number;
  when: string;
  issued: boolean;
  source: 'header' | 'inferred';
  waiver?: { device?: string; mock?: string };
  at: SourceRef;
}

export interface NotificationRow {
  event: string;
  when: string;
}

export type LimitKind = 'max' | 'min' | 'range' | 'multiple_of' | 'alignment' | 'max_objects' | 'rate' | 'in_flight' | 'per_object';

export interface LimitModel {
  name: string;
  area: string;
  doc: string;
  kind: LimitKind;
  value?: number;
  min?: number;
  max?: number;
  windowMs?: number;
  unit: 'bytes' | 'elements' | 'objects' | 'calls' | 'requests' | 'value';
  /** `Struct.field` and `function.parameter` paths the limit constrains. */
  appliesTo: string[];
  functions: string[];
  /** What the call returns on a breach. Absent when the call accepts the value and the outcome reports it (`result`). */
  status?: string;
  /** The enum constant that reports the breach later in the outcome the application reads. */
  result?: string;
  source: 'header' | 'vendor_page' | 'demo' | 'inferred';
  configurable: boolean;
}

export interface FunctionModel {
  kind: 'function';
  name: string;
  area: string;
  doc: string;
  nscAddress: number;
  returns: CType;
  params: ParamModel[];
  /** Error table, in spec order. Never contains the success status. */
  errors: ErrorRow[];
  notifications: NotificationRow[];
  produces: string[];
  consumes?: string;
  peeks?: string;
  /** Names of the limits that list this function. */
  limits: string[];
  /** Called from an interrupt handler, the call returns this status and does nothing. */
  notInInterrupt?: string;
  /** Outside application-test mode, the call returns this status and does nothing. */
  testModeOnly?: string;
  /** On success control does not come back to the caller. */
  noReturn: boolean;
  source: SourceRef;
}

export interface AreaModel {
  name: string;
  title: string;
  doc: string;
  file: string;
  typedefs: string[];
  enums: string[];
  structs: string[];
  functions: string[];
  limits: string[];
}

export interface Erratum {
  id: number;
  item: string;
  vendorPage: string;
  header: string;
  resolution: string;
}

export interface ProductModel {
  /** Prefix of every generated C macro and CMake variable. */
  macroPrefix: string;
  /** npm scope of the packages (`@scope`). */
  npmScope: string;
  /** The command that rewrites the generated files, named in their banners. */
  regenerate: string;
  /** Output directory of each target, relative to the output root (`host`: its TypeScript half; its C half goes beside `c`). */
  outputs: Record<'json' | 'c' | 'ts' | 'mock' | 'docs' | 'device' | 'host', string>;
}

export interface ModelData {
  spec: {
    name: string;
    version: string;
    title: string;
    doc: string;
    /** sha256 of the spec files (see load.ts). */
    hash: string;
    vendor: { name: string; sdkVersion: string; header: string; includeGuard: string; repository: string; commit: string; headerSha256?: string; complete: boolean };
    /** The product's identity in generated output (file names come from `name`). */
    product: ProductModel;
  };
  statusEnum: string;
  successStatus: string;
  abis: AbiDescription[];
  areas: AreaModel[];
  typedefs: TypedefModel[];
  enums: EnumModel[];
  structs: StructModel[];
  functions: FunctionModel[];
  limits: LimitModel[];
  errata: Erratum[];
}
