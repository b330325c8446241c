/**
 * Enums → every constant as a top-level `const` (so firmware code such as `MV_STATUS_OKAY`
 * ports unchanged), a `const` object of the same name as the C enum that gathers them, and a
 * type of that name: the union of the constants' literal types.
 */
import type { Model } from '../../model/model.js';
import type { EnumModel } from '../../model/types.js';
import { wrapDoc } from '../core/typescript/doc.js';
import { constantDoc, enumDoc, sentinelDoc } from './jsdoc.js';
import type { Declaration } from '../core/typescript/printer.js';
import { exportConst, exportType } from '../core/typescript/text.js';

/** Bitmask values and sentinels read best in hex, as in the vendor header. */
function valueText(e: EnumModel, value: number, hex: boolean): string {
  return hex || e.bitmask ? `0x${value.toString(16)}` : String(value);
}

function constStatement(name: string, initializer: string, doc: string): Declaration {
  return {
    kind: 'variable',
    isExported: true,
    declarationKind: 'const',
    docs: [wrapDoc(doc)],
    declarations: [{ name, initializer }],
  };
}

export function enumStatements(e: EnumModel, model: Model): (string | Declaration)[] {
  const constants = e.constants.map((c) => constStatement(c.name, valueText(e, c.value, false), constantDoc(e, c, model)));
  // The object comes after the constants it gathers: a `const` cannot be read before it is declared.
  const object = exportConst(e.name, `{\n${e.constants.map((c) => `  ${c.name},`).join('\n')}\n} as const`, enumDoc(e, model));
  const union = `(typeof ${e.name})[keyof typeof ${e.name}]`;
  const types = e.bitmask
    ? [
        exportType(`${e.name}Flag`, union, `One \`${e.name}\` flag.`),
        exportType(e.name, 'number', `Flags of \`${e.name}\` combined with \`|\` (\`0\` when none is set).`),
      ]
    : [exportType(e.name, union, `One of the \`${e.name}\` constants (the \`__MAX\` sentinel is not a value).`)];
  const sentinel = constStatement(e.sentinel.name, valueText(e, e.sentinel.value, true), sentinelDoc(e, model));
  return [...constants, object, ...types, sentinel];
}
