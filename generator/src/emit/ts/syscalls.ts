/**
 * The syscall interface every runtime implements, one method per spec function (C names, C
 * parameter names, spec order), and per function the union of statuses it can return.
 */
import type { Model } from '../../model/model.js';
import type { FunctionModel } from '../../model/types.js';
import { Imports, importsFor, MODULES } from './imports.js';
import { jsdocBlock, prose, sections } from '../core/typescript/doc.js';
import { cPrototype } from '../core/c-declarations.js';
import { functionDoc, statusTypeDoc } from './jsdoc.js';
import { exportType, indent } from '../core/typescript/text.js';
import type { Declaration } from '../core/typescript/printer.js';
import { tsFunctionSignature } from '../core/typescript/signature.js';
import { statusTypeName, tsParamType } from '../core/typescript/typemap.js';

/** OKAY first, then the error table in spec order. */
export function returnableStatuses(fn: FunctionModel, model: Model): string[] {
  return [model.data.successStatus, ...fn.errors.map((e) => e.status)];
}

export function statusTypeStatements(fn: FunctionModel, model: Model, imports: Imports): string[] {
  const members = returnableStatuses(fn, model).map((s) => `| typeof ${imports.type(MODULES.enums, s)}`);
  return [exportType(statusTypeName(fn.name), `\n${members.join('\n')}`, statusTypeDoc(fn, model))];
}

/** One `MvSyscalls` member: JSDoc, then the signature shared with the docs. */
export function syscallMember(fn: FunctionModel, model: Model, imports: Imports): string {
  for (const p of fn.params) importsFor(imports, p.type, tsParamType(p), MODULES.syscalls);
  const signature = tsFunctionSignature(fn, model, { indent: 2 });
  return `${jsdocBlock(functionDoc(fn, model, cPrototype(fn, { maxWidth: 100 - '   * '.length })), 2)}\n${signature};`;
}

export function syscallsInterface(members: string[], model: Model): string {
  const doc = sections(
    prose(model.spec.doc),
    `The ${model.spec.title} (spec ${model.spec.version}), one method per call of the ${model.spec.vendor.header} it mirrors.`,
    'Implemented by every runtime (the emulated device core, the mock), so application code runs on either.',
  );
  return `${jsdocBlock(doc)}\n${syscallsBody(members)}`;
}

/** `export interface MvSyscalls { ... }` around members from `syscallMember`, a blank line between each. */
export function syscallsBody(members: string[]): string {
  return `export interface MvSyscalls {\n${members.map((m) => indent(m)).join('\n\n')}\n}`;
}

export function functionNameType(): Declaration {
  return { kind: 'typeAlias', isExported: true, name: 'MvFunctionName', docs: ['The name of a syscall.'], type: 'keyof MvSyscalls' };
}
