/**
 * Codecs for structs the kernel writes as raw memory: records in a byte buffer the application
 * handed over (a pointer whose length is counted in bytes, such as the notification ring).
 * They read and write the device layout from the model, so no runtime repeats an offset.
 */
import type { Model } from '../../model/model.js';
import type { StructModel } from '../../model/types.js';
import { Imports, MODULES } from './imports.js';
import { wrapDoc } from '../core/typescript/doc.js';
import type { Declaration } from '../core/typescript/printer.js';
import { indent } from '../core/typescript/text.js';

/** Structs that some pointer reaches as a byte-counted buffer. */
export function rawMemoryStructs(model: Model): StructModel[] {
  const names = new Set<string>();
  for (const s of model.structs)
    for (const { field } of s.fieldPaths) {
      if (field.type.pointer !== 1 || field.type.base.kind !== 'struct' || !field.countedBy) continue;
      const counter = s.fieldPaths.find((p) => p.field.name === field.countedBy);
      if (counter?.field.countUnit === 'bytes') names.add(field.type.base.name);
    }
  return model.structs.filter((s) => names.has(s.name));
}

const ACCESSORS: Record<string, Record<number, string>> = {
  unsigned: { 1: 'Uint8', 2: 'Uint16', 4: 'Uint32', 8: 'BigUint64' },
  signed: { 1: 'Int8', 2: 'Int16', 4: 'Int32', 8: 'BigInt64' },
};

interface Slot {
  path: string[];
  offset: number;
  accessor: string;
  /** The type to assert a decoded number to (enums and handles), if any. */
  cast?: string;
}

function slots(s: StructModel, model: Model, imports: Imports): Slot[] {
  const abi = model.deviceAbi.id;
  return s.fieldPaths.map(({ path, field }) => {
    const t = field.type;
    if (t.pointer > 0 || t.base.kind === 'struct')
      throw new Error(`mvgen ts: ${s.name}.${path} is a pointer or a nested struct; raw-memory codecs handle flat records only`);
    const { offset, size } = field.layout[abi];
    const signed = t.base.kind === 'int' && t.base.signed;
    const accessor = ACCESSORS[signed ? 'signed' : 'unsigned'][size];
    let cast: string | undefined;
    if (t.base.kind === 'enum') cast = imports.type(MODULES.enums, t.base.name);
    if (t.base.kind === 'handle') cast = imports.type(MODULES.handles, t.base.name);
    return { path: path.split('.'), offset, accessor, cast };
  });
}

/** Nested object literal text from dotted paths (a versioned record's `v1.x`). */
function nest(entries: { path: string[]; value: string }[]): string {
  const groups = new Map<string, { path: string[]; value: string }[]>();
  const lines: string[] = [];
  for (const e of entries) {
    if (e.path.length === 1) lines.push(`${e.path[0]}: ${e.value},`);
    else {
      const head = e.path[0];
      if (!groups.has(head)) {
        groups.set(head, []);
        lines.push(head);
      }
      groups.get(head)!.push({ path: e.path.slice(1), value: e.value });
    }
  }
  return `{\n${indent(lines.map((l) => (groups.has(l) ? `${l}: ${nest(groups.get(l)!)},` : l)).join('\n'))}\n}`;
}

export function codecStatements(s: StructModel, model: Model, imports: Imports): Declaration[] {
  const abi = model.deviceAbi.id;
  const size = s.layout[abi].size;
  imports.type(MODULES.structs, s.name);
  const fields = slots(s, model, imports);
  const view = `const view = new DataView(bytes.buffer, bytes.byteOffset + offset, ${size});`;
  const decoded = nest(
    fields.map((f) => {
      const read = `view.get${f.accessor}(${f.offset}${f.accessor.endsWith('8') ? '' : ', LITTLE_ENDIAN'})`;
      return { path: f.path, value: f.cast ? `${read} as ${f.cast}` : read };
    }),
  );
  const writes = fields.map((f) => `view.set${f.accessor}(${f.offset}, value.${f.path.join('.')}${f.accessor.endsWith('8') ? '' : ', LITTLE_ENDIAN'});`);
  const params = [
    { name: 'bytes', type: 'Uint8Array' },
    { name: 'offset', initializer: '0' },
  ];
  return [
    {
      kind: 'function',
      isExported: true,
      name: `decode${s.name}`,
      docs: [wrapDoc(`Reads one \`${s.name}\` (${size} bytes, device layout) from \`bytes\` at \`offset\`.`)],
      parameters: params,
      returnType: s.name,
      statements: [view, `return ${decoded};`],
    },
    {
      kind: 'function',
      isExported: true,
      name: `encode${s.name}`,
      docs: [wrapDoc(`Writes \`value\` as one \`${s.name}\` (${size} bytes, device layout) into \`bytes\` at \`offset\`.`)],
      parameters: [{ name: 'value', type: s.name }, ...params],
      returnType: 'void',
      statements: [view, ...writes],
    },
  ];
}
