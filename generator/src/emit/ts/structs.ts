/**
 * Typedef'd handles → branded numbers; structs → interfaces with the C field names in C order.
 * A versioned struct keeps its shape: `version` plus the named member(s) of the anonymous union.
 */
import type { Model } from '../../model/model.js';
import type { FieldModel, StructModel, TypedefModel, UnionModel } from '../../model/types.js';
import { Imports, importsFor, MODULES } from './imports.js';
import { prose, sections, wrapDoc } from '../core/typescript/doc.js';
import { fieldDoc, structDoc } from './jsdoc.js';
import type { Declaration } from '../core/typescript/printer.js';
import { exportInterface, typeLiteral, type MemberText } from '../core/typescript/text.js';
import { tsFieldType } from '../core/typescript/typemap.js';

export function handleStatements(t: TypedefModel, model: Model): Declaration[] {
  const size = t.size[model.deviceAbi.id];
  const doc = sections(prose(t.doc), `C: \`typedef struct ${t.opaqueStruct} *${t.name};\`, ${size} bytes on the device.`);
  return [
    {
      kind: 'typeAlias',
      isExported: true,
      name: t.name,
      docs: [wrapDoc(doc)],
      type: `number & { readonly __mvHandle: '${t.name}' }`,
    },
  ];
}

function fieldMember(s: StructModel, path: string, f: FieldModel, model: Model, imports: Imports): MemberText {
  const type = tsFieldType(f, s);
  importsFor(imports, f.type, type, MODULES.structs);
  return { name: f.name, type, doc: fieldDoc(s, path, f, model) };
}

/** The named members of a versioned struct's union; optional when there is a choice of several. */
function unionMembers(s: StructModel, u: UnionModel, model: Model, imports: Imports): MemberText[] {
  return u.members.map((m) => ({
    name: m.name,
    optional: u.members.length > 1,
    doc: prose(m.doc),
    type: typeLiteral(
      m.fields.map((f) => fieldMember(s, `${m.name}.${f.name}`, f, model, imports)),
      2,
    ),
  }));
}

export function structStatements(s: StructModel, model: Model, imports: Imports): string[] {
  const members = s.members.flatMap((m) => (m.kind === 'field' ? [fieldMember(s, m.name, m, model, imports)] : unionMembers(s, m, model, imports)));
  return [exportInterface(s.name, members, structDoc(s, model))];
}
