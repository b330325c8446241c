/**
 * Enums → a `const` object keyed by the C constant names, a type of the same name, and every
 * constant again as a top-level `const` so firmware code (`MV_STATUS_OKAY`) ports unchanged.
 */
import type { Model } from '../../model/model.js';
import type { EnumModel } from '../../model/types.js';
import { constantDoc, enumDoc, jsdocBlock, sentinelDoc } from './jsdoc.js';
import { tsMorph, type StatementStructures } from './project.js';

/** Bitmask values and sentinels read best in hex, as in the vendor header. */
function valueText(e: EnumModel, value: number, hex: boolean): string {
  return hex || e.bitmask ? `0x${value.toString(16)}` : String(value);
}

export function enumStatements(e: EnumModel, model: Model): (string | StatementStructures)[] {
  const { StructureKind, VariableDeclarationKind } = tsMorph();
  const members = e.constants.map((c) => `${jsdocBlock(constantDoc(e, c, model))}\n${c.name}: ${valueText(e, c.value, false)},`);
  const union = `(typeof ${e.name})[keyof typeof ${e.name}]`;
  const out: (string | StatementStructures)[] = [
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [enumDoc(e, model)],
      declarations: [{ name: e.name, initializer: `{\n${members.join('\n')}\n} as const` }],
    },
  ];
  if (e.bitmask) {
    out.push(
      { kind: StructureKind.TypeAlias, isExported: true, name: `${e.name}Flag`, type: union, docs: [`One \`${e.name}\` flag.`] },
      {
        kind: StructureKind.TypeAlias,
        isExported: true,
        name: e.name,
        type: 'number',
        docs: [`A combination of \`${e.name}Flag\` values (\`0\` when none is set).`],
      },
    );
  } else {
    out.push({
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: e.name,
      type: union,
      docs: [`One of the \`${e.name}\` constants (the \`__MAX\` sentinel is not a value).`],
    });
  }
  for (const c of e.constants) {
    out.push({
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [constantDoc(e, c, model)],
      declarations: [{ name: c.name, initializer: `${e.name}.${c.name}` }],
    });
  }
  out.push({
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [sentinelDoc(e, model)],
    declarations: [{ name: e.sentinel.name, initializer: valueText(e, e.sentinel.value, true) }],
  });
  return out;
}
