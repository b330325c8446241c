/**
 * `newMvX()` for every struct: the TypeScript counterpart of `struct MvX x = {0};`. Every number
 * is zero and every pointer `null`, except `version`, which names the union member it creates.
 */
import type { Model } from '../../model/model.js';
import type { CType, FieldModel, StructModel } from '../../model/types.js';
import { Imports, MODULES } from './imports.js';
import { wrapDoc } from '../core/typescript/doc.js';
import type { Declaration } from '../core/typescript/printer.js';
import { indent } from '../core/typescript/text.js';

export function factoryName(struct: string): string {
  return `new${struct}`;
}

/** The value of zeroed memory of this type, written the way a person would. */
function zeroValue(type: CType, model: Model, imports: Imports): string {
  if (type.pointer > 0) return 'null';
  const b = type.base;
  switch (b.kind) {
    case 'int':
      return b.bits === 64 ? '0n' : '0';
    case 'handle':
      return `0 as ${imports.type(MODULES.handles, b.name)}`;
    case 'struct':
      return `${factoryName(b.name)}()`;
    case 'enum': {
      const e = model.enum(b.name);
      if (e.bitmask) return '0';
      const zero = e.constants.find((c) => c.value === 0);
      if (zero) return imports.value(MODULES.enums, zero.name);
      return `0 as number as ${imports.type(MODULES.enums, e.name)}`;
    }
  }
}

function fieldsLiteral(fields: FieldModel[], model: Model, imports: Imports): string {
  const entries = fields.map((f) => `${f.name}: ${zeroValue(f.type, model, imports)},`);
  return `{\n${indent(entries.join('\n'))}\n}`;
}

export function factoryStatements(s: StructModel, model: Model, imports: Imports): Declaration[] {
  const newest = s.versioned ? Math.max(...s.versioned.versions) : undefined;
  const entries: string[] = [];
  for (const m of s.members) {
    if (m.kind === 'field') {
      const value = s.versioned && m.name === s.versioned.field ? String(newest) : zeroValue(m.type, model, imports);
      entries.push(`${m.name}: ${value},`);
    } else {
      // Only the newest member of a choice is created; older ones stay absent.
      const member = m.members.find((u) => u.name === `v${newest}`) ?? m.members[m.members.length - 1];
      entries.push(`${member.name}: ${fieldsLiteral(member.fields, model, imports)},`);
    }
  }
  imports.type(MODULES.structs, s.name);
  const zeroed = s.versioned ? `A zeroed \`${s.name}\` with \`${s.versioned.field}\` set to ${newest}.` : `A zeroed \`${s.name}\`: numbers 0, pointers \`null\`.`;
  return [
    {
      kind: 'function',
      isExported: true,
      name: factoryName(s.name),
      returnType: s.name,
      docs: [wrapDoc(zeroed)],
      statements: [`return {\n${indent(entries.join('\n'))}\n};`],
    },
  ];
}
