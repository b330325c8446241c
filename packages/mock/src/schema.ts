/**
 * The types of the generated tables in ./generated/schemas.ts: how each argument of a syscall
 * looks at run time, as data the validator walks. The generator derives every entry from the
 * spec's C types (the mapping is the SDK's; see packages/sdk/README.md).
 */

/** How a value of one C type is passed from TypeScript. */
export type Shape =
  /** An integer by value (`bigint` for 64 bits). */
  | { readonly kind: 'int'; readonly bits: 8 | 16 | 32 | 64; readonly signed: boolean }
  /** An enum by value; `values` are the constants the spec defines. */
  | { readonly kind: 'enum'; readonly enum: string; readonly bitmask: boolean; readonly values: readonly number[] }
  /** A handle by value (a branded number; zero is never live). */
  | { readonly kind: 'handle'; readonly handle: string }
  /** A struct embedded by value: a nested object. */
  | { readonly kind: 'struct'; readonly struct: string }
  /** A pointer to one struct: an object, or null. `writes`: the kernel writes into it. */
  | { readonly kind: 'ref'; readonly struct: string; readonly writes: boolean; readonly optional: boolean }
  /** A pointer to a counted array of structs: a JS array whose length must cover the count. */
  | { readonly kind: 'array'; readonly struct: string; readonly countPath: string }
  /** A counted `uint8_t *`: a Uint8Array (or a string, when the kernel only reads it). */
  | { readonly kind: 'bytes'; readonly countPath: string; readonly unit: 'bytes' | 'elements'; readonly writes: boolean; readonly text: boolean }
  /** A counted pointer to wider integers: the matching typed array. */
  | { readonly kind: 'ints'; readonly bits: 16 | 32 | 64; readonly countPath: string; readonly unit: 'bytes' | 'elements'; readonly writes: boolean }
  /** A byte-counted buffer of records the kernel lays out in device memory (the notification ring): a Uint8Array. */
  | { readonly kind: 'records'; readonly struct: string; readonly countPath: string; readonly writes: boolean }
  /** A pointer to one scalar: an `MvOut` box, or null. */
  | { readonly kind: 'box'; readonly of: Shape; readonly writes: boolean };

export interface FieldSchema {
  /** Dotted path from the struct (`v1.notification_handle`). */
  readonly path: string;
  /** The union member (`v1`) the field belongs to, for versioned structs. */
  readonly member?: string;
  readonly shape: Shape;
  /** The element must be present (a sized string with a non-zero length). */
  readonly required?: boolean;
  /** A pointer that may be NULL. */
  readonly optional?: boolean;
  /** This field holds the length of the sibling pointer at this path. */
  readonly counts?: string;
  /** Names of the spec limits (LIMITS in @mvmqtt/sdk) that constrain this field. */
  readonly limits: readonly string[];
}

export interface StructSchema {
  /** Versioned structs: the version field, and the union member each version uses. */
  readonly version?: { readonly path: string; readonly members: Readonly<Record<number, string>> };
  readonly fields: readonly FieldSchema[];
}

export interface ParamSchema {
  readonly name: string;
  readonly direction: 'value' | 'in' | 'out' | 'inout';
  readonly shape: Shape;
  /** The handle must name an object of this kind (an enum constant's value). */
  readonly objectKind?: number;
}

export interface FunctionSchema {
  readonly params: readonly ParamSchema[];
}
