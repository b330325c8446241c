/**
 * `schemas.ts` of the mock: how every argument of every syscall is checked, as data. The SDK's
 * metadata already carries the error tables and limits; this adds what a validator needs on top:
 * the run-time shape of each parameter and struct field, which fields are required or counted,
 * and which limits constrain each field.
 */
import type { Model } from '../../model/model.js';
import type { FunctionModel, StructModel } from '../../model/types.js';
import { code, printLiteral, type Literal } from '../core/typescript/literal.js';
import type { Declaration } from '../core/typescript/printer.js';
import { fieldShape, limitsByField, paramShape } from '../core/shapes.js';
import { sdkPackage, RUNTIME } from './modules.js';
import type { Imports } from '../core/typescript/imports.js';

/** `{ 1: 'v1' }`: the union member a versioned struct uses for each version. */
function versionMembers(s: StructModel): Literal | undefined {
  if (!s.versioned) return undefined;
  const union = s.members.find((m) => m.kind === 'union');
  const names = new Set(union?.kind === 'union' ? union.members.map((m) => m.name) : []);
  const members: Record<string, string> = {};
  for (const v of s.versioned.versions) {
    const name = `v${v}`;
    if (!names.has(name)) throw new Error(`mvgen mock: ${s.name} version ${v} has no union member "${name}"`);
    members[String(v)] = name;
  }
  return { path: s.versioned.field, members };
}

function structEntry(s: StructModel, model: Model, limits: Map<string, string[]>): Literal {
  const counts = new Map<string, { path: string; unit: string }>();
  return {
    version: versionMembers(s),
    fields: s.fieldPaths.map(({ path, field }) => {
      const dot = path.lastIndexOf('.');
      const counted = field.counts ? `${dot < 0 ? '' : path.slice(0, dot + 1)}${field.counts}` : undefined;
      if (counted) counts.set(path, { path: counted, unit: field.countUnit ?? 'elements' });
      return {
        path,
        member: dot < 0 ? undefined : path.slice(0, path.indexOf('.')),
        shape: fieldShape(path, field, s, model),
        required: field.required || undefined,
        optional: field.optional || undefined,
        counts: counted,
        limits: limits.get(`${s.name}.${path}`) ?? [],
      };
    }),
  };
}

function functionEntry(fn: FunctionModel, model: Model, imports: Imports): Literal {
  return {
    params: fn.params.map((p) => ({
      name: p.name,
      direction: p.direction,
      shape: paramShape(p, model),
      objectKind: p.objectKind ? code(imports.value(sdkPackage(model), p.objectKind)) : undefined,
    })),
  };
}

function constStatement(name: string, value: Literal, doc: string, satisfies: string): Declaration {
  return {
    kind: 'variable',
    isExported: true,
    declarationKind: 'const',
    docs: [doc],
    declarations: [{ name, initializer: `${printLiteral(value)} as const satisfies ${satisfies}` }],
  };
}

export function schemaStatements(model: Model, imports: Imports): Declaration[] {
  const limits = limitsByField(model);
  imports.type(sdkPackage(model), 'MvFunctionName');
  imports.type(RUNTIME.schema, 'StructSchema');
  imports.type(RUNTIME.schema, 'FunctionSchema');
  return [
    constStatement(
      'STRUCT_SCHEMAS',
      Object.fromEntries(model.structs.map((s) => [s.name, structEntry(s, model, limits)])),
      'Every struct of the spec: its fields by dotted path, with the run-time shape the validator checks.',
      'Readonly<Record<string, StructSchema>>',
    ),
    constStatement(
      'FUNCTION_SCHEMAS',
      Object.fromEntries(model.functions.map((f) => [f.name, functionEntry(f, model, imports)])),
      'Every syscall of the spec: its parameters, in order, with the run-time shape the validator checks.',
      '{ readonly [F in MvFunctionName]: FunctionSchema }',
    ),
  ];
}
