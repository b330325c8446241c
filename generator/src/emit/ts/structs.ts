/**
 * Typedef'd handles → branded numbers; structs → interfaces with the C field names in C order.
 * A versioned struct keeps its shape: `version` plus the named member(s) of the anonymous union.
 */
import type { Model } from '../../model/model.js';
import type { FieldModel, StructModel, TypedefModel, UnionModel } from '../../model/types.js';
import { fieldDoc, jsdocBlock, prose, sections, structDoc, wrapDoc } from './jsdoc.js';
import { tsMorph, type StatementStructures, type OptionalKind, type PropertySignatureStructure } from './project.js';
import { tsFieldType } from './typemap.js';
import { Imports, importsFor, MODULES } from './imports.js';

export function handleStatements(t: TypedefModel): StatementStructures[] {
  const { StructureKind } = tsMorph();
  const doc = sections(
    prose(t.doc),
    `C: \`typedef struct ${t.opaqueStruct} *${t.name};\`. Zero is never a valid handle; the kernel hands out the others.`,
  );
  return [
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: t.name,
      docs: [wrapDoc(doc)],
      type: `number & { readonly __mvHandle: '${t.name}' }`,
    },
  ];
}

function fieldType(s: StructModel, f: FieldModel, imports: Imports): string {
  const type = tsFieldType(f, s);
  importsFor(imports, f.type, type, MODULES.structs);
  return type;
}

function fieldProperty(s: StructModel, path: string, f: FieldModel, model: Model, imports: Imports): OptionalKind<PropertySignatureStructure> {
  return { name: f.name, type: fieldType(s, f, imports), docs: [wrapDoc(fieldDoc(s, path, f, model), 2)] };
}

/** The named members of a versioned struct's union; optional when there is a choice of several. */
function unionProperties(s: StructModel, u: UnionModel, model: Model, imports: Imports): OptionalKind<PropertySignatureStructure>[] {
  const choice = u.members.length > 1;
  return u.members.map((m) => {
    const fields = m.fields.map((f) => `${jsdocBlock(fieldDoc(s, `${m.name}.${f.name}`, f, model), 4)}\n${f.name}: ${fieldType(s, f, imports)};`);
    return {
      name: m.name,
      hasQuestionToken: choice,
      docs: [wrapDoc(prose(m.doc), 2)],
      type: `{\n${fields.join('\n')}\n}`,
    };
  });
}

export function structStatements(s: StructModel, model: Model, imports: Imports): StatementStructures[] {
  const { StructureKind } = tsMorph();
  const properties = s.members.flatMap((m) => (m.kind === 'field' ? [fieldProperty(s, m.name, m, model, imports)] : unionProperties(s, m, model, imports)));
  return [{ kind: StructureKind.Interface, isExported: true, name: s.name, docs: [wrapDoc(structDoc(s, model))], properties }];
}
