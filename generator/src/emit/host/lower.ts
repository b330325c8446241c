/**
 * Lowers the model to what a host build needs to forward a system call: for every function the
 * kind of each argument, and for every struct where its pointers are, what they point to and
 * which sibling field counts them, all in the host ABI's layout. The C walker (firmware side)
 * and the TypeScript decoder (device side) read these same tables, so they follow pointers in
 * the same order and agree on every byte. Nothing here knows an area: only C types.
 */
import type { Model } from '../../model/model.js';
import type { AbiId, CType, FieldModel, ParamModel, StructModel } from '../../model/types.js';

/** What one value (not a pointer) is. `struct` refers to `HostTables.structs` by index. */
export type HostScalar =
  | { kind: 'int'; size: number; signed: boolean }
  | { kind: 'enum'; size: number }
  | { kind: 'handle'; size: number }
  | { kind: 'struct'; struct: number }
  /** A pointer value the kernel writes (behind a `T **` out): an address in the application's memory. */
  | { kind: 'address'; size: number };

/** A pointer and what the kernel may do through it. */
export interface HostPointer {
  to: HostScalar;
  /** Size of one pointee element in bytes. */
  elementSize: number;
  /** The pointee is not const: the kernel may write through the pointer (checked for writability). */
  writable: boolean;
  /**
   * Who holds the length; absent: exactly one element. A struct member's count is a sibling
   * field (`offset`, `size`); a parameter's count is another argument (`arg`).
   */
  count?: { offset: number; size: number; unit: 'bytes' | 'elements'; arg?: number };
  /**
   * Memory the application lends the kernel beyond the call (a struct member the kernel may write
   * that is not an out, e.g. a notification ring or a channel buffer): the device side keeps one
   * copy per buffer and sends what the kernel writes there later.
   */
  kept?: true;
  /**
   * The device needs the application's address of this buffer (an alignment limit names it): the
   * device side's copy of it is placed at that address. Other copies may share memory.
   */
  addressed?: true;
}

export interface HostField {
  /** Dotted path as the TypeScript shape nests it (`v1.receive_buffer`). */
  path: string;
  offset: number;
  /** A value (scalar or embedded struct) or a pointer. */
  value?: HostScalar;
  pointer?: HostPointer;
  /** Only meaningful when the struct's version field holds this value (versioned unions). */
  guard?: { offset: number; size: number; value: number };
}

export interface HostStruct {
  name: string;
  size: number;
  fields: HostField[];
}

export interface HostParam {
  name: string;
  value?: HostScalar;
  pointer?: HostPointer;
}

/** Why a function cannot be forwarded yet (a shape the bridge does not marshal, e.g. `uint8_t ***`). */
export type Unsupported = string;

export interface HostFunction {
  name: string;
  /** Index used on the wire; the order of the spec. */
  id: number;
  returns: string;
  params: HostParam[];
  /** Set when the bridge cannot forward this function yet; the stub still links. */
  unsupported?: Unsupported;
}

export interface HostTables {
  abi: AbiId;
  pointerSize: number;
  structs: HostStruct[];
  functions: HostFunction[];
}

/** Parameter counts (`countedBy`), for models that carry them. */
type ParamWithCount = ParamModel & { countedBy?: { param: string; unit: 'elements' | 'bytes' } };

export function hostAbi(model: Model) {
  const abi = model.abis.find((a) => a.role === 'host');
  if (!abi) throw new Error('mvgen host: the model describes no host ABI');
  return abi;
}

export function lowerForHost(model: Model): HostTables {
  const abi = hostAbi(model);
  const structIndex = new Map(model.structs.map((s, i) => [s.name, i]));

  const scalarOf = (t: CType): HostScalar => {
    const b = t.base;
    switch (b.kind) {
      case 'int':
        return { kind: 'int', size: b.bits / 8, signed: b.signed };
      case 'enum':
        return { kind: 'enum', size: model.enum(b.name).size[abi.id] };
      case 'handle':
        return { kind: 'handle', size: model.typedef(b.name).size[abi.id] };
      case 'struct': {
        const i = structIndex.get(b.name);
        if (i === undefined) throw new Error(`mvgen host: unknown struct "${b.name}"`);
        return { kind: 'struct', struct: i };
      }
    }
  };
  const sizeOf = (s: HostScalar): number => (s.kind === 'struct' ? model.structs[s.struct].layout[abi.id].size : s.size);

  /** Whether an alignment limit names `path` (`Struct.field.path` or `function.param`). */
  const aligned = (path: string) => model.limitsOn(path).some((l) => l.kind === 'alignment');
  const pointerOf = (t: CType, path: string, count?: HostPointer['count']): HostPointer => {
    if (t.pointer !== 1) throw new Error(`mvgen host: no host marshalling for "${t.text}" (pointer depth ${t.pointer})`);
    const to = scalarOf(t);
    return { to, elementSize: sizeOf(to), writable: !t.const, ...(count ? { count } : {}), ...(aligned(path) ? { addressed: true as const } : {}) };
  };

  const lowerStruct = (s: StructModel): HostStruct => {
    const version = s.versioned ? s.fieldPaths.find((p) => p.path === s.versioned!.field) : undefined;
    const fields = s.fieldPaths.map(({ path, field }): HostField => {
      const offset = field.layout[abi.id].offset;
      const prefix = path.includes('.') ? path.slice(0, path.lastIndexOf('.') + 1) : '';
      const guard = guardFor(s, path, version?.field, abi.id);
      if (field.type.pointer === 0) return { path, offset, value: scalarOf(field.type), ...(guard ? { guard } : {}) };
      // A pointer to a pointer is passed through as the address it holds, never followed.
      if (field.type.pointer > 1) return { path, offset, value: { kind: 'int', size: abi.pointerSize, signed: false }, ...(guard ? { guard } : {}) };
      const counter = field.countedBy ? s.fieldPaths.find((p) => p.path === prefix + field.countedBy) : undefined;
      if (field.countedBy && !counter) throw new Error(`mvgen host: ${s.name}.${path} is counted by "${field.countedBy}", which is not a sibling`);
      const count = counter
        ? { offset: counter.field.layout[abi.id].offset, size: counter.field.layout[abi.id].size, unit: counter.field.countUnit ?? ('elements' as const) }
        : undefined;
      const pointer = pointerOf(field.type, `${s.name}.${path}`, count);
      if (pointer.writable && field.direction !== 'out') pointer.kept = true;
      return { path, offset, pointer, ...(guard ? { guard } : {}) };
    });
    return { name: s.name, size: s.layout[abi.id].size, fields };
  };

  return {
    abi: abi.id,
    pointerSize: abi.pointerSize,
    structs: model.structs.map(lowerStruct),
    functions: model.functions.map((f, id): HostFunction => {
      // An out parameter `T **` receives an address (into memory the application lent the kernel).
      const addressOut = (p: ParamModel) => p.type.pointer === 2 && p.direction === 'out';
      const unsupported = f.params.filter((p) => p.type.pointer > 1 && !addressOut(p)).map((p) => `${p.name} is a pointer to a pointer (${p.type.text})`);
      const params = f.params.map((p): HostParam => {
        if (p.type.pointer === 0) return { name: p.name, value: scalarOf(p.type) };
        if (addressOut(p)) return { name: p.name, pointer: { to: { kind: 'address', size: abi.pointerSize }, elementSize: abi.pointerSize, writable: true } };
        // Forwarded as a raw address, never followed: the function is marked unsupported.
        if (p.type.pointer > 1) return { name: p.name, value: { kind: 'int', size: 8, signed: false } };
        const countedBy = (p as ParamWithCount).countedBy;
        const arg = countedBy ? f.params.findIndex((q) => q.name === countedBy.param) : -1;
        if (countedBy && arg < 0) throw new Error(`mvgen host: ${f.name}.${p.name} is counted by "${countedBy.param}", which is not a parameter`);
        return { name: p.name, pointer: pointerOf(p.type, `${f.name}.${p.name}`, countedBy ? { offset: 0, size: 0, unit: countedBy.unit, arg } : undefined) };
      });
      return { name: f.name, id, returns: f.returns.text, params, ...(unsupported.length ? { unsupported: unsupported.join('; ') } : {}) };
    }),
  };
}

/** Fields inside member `vN` of a versioned struct count only when the version field says N. */
function guardFor(s: StructModel, path: string, versionField: FieldModel | undefined, abi: AbiId): HostField['guard'] {
  if (!s.versioned || !versionField || !path.includes('.')) return undefined;
  const member = path.slice(0, path.indexOf('.'));
  const union = s.members.find((m) => m.kind === 'union');
  if (!union || union.kind !== 'union') return undefined;
  const index = union.members.findIndex((m) => m.name === member);
  if (index < 0) return undefined;
  const value = s.versioned.versions[index];
  if (value === undefined) throw new Error(`mvgen host: ${s.name} has no version number for member "${member}"`);
  return { offset: versionField.layout[abi].offset, size: versionField.layout[abi].size, value };
}
