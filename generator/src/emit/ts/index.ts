/**
 * `ts` target: the typed SDK in packages/sdk/src/generated/. Each file's statements are built
 * as text and plain structures from the model, and the file is printed once from them.
 */
import type { Emitter, EmitContext, OutputFile } from '../emitter.js';
import type { Model } from '../../model/model.js';
import { lineCommentBanner } from '../banner.js';
import { argumentStatements, ARGUMENTS_RUNTIME } from './arguments.js';
import { codecStatements, rawMemoryStructs } from './codecs.js';
import { enumStatements } from './enums.js';
import { factoryStatements } from './factories.js';
import { Imports, MODULES } from './imports.js';
import { sdkPackage } from '../core/facts.js';
import { metadataStatements } from './metadata.js';
import { printTsFile, type Statement } from '../core/typescript/printer.js';
import { handleStatements, structStatements } from './structs.js';
import { functionNameType, statusTypeStatements, syscallMember, syscallsBody, syscallsInterface } from './syscalls.js';


/** The files of the SDK, each as the statements that follow its banner and imports. */
function files(model: Model): { name: string; imports: Imports; statements: Statement[] }[] {
  const enums = { name: 'enums.ts', imports: new Imports(), statements: model.enums.flatMap((e) => enumStatements(e, model)) };
  const handles = { name: 'handles.ts', imports: new Imports(), statements: model.typedefs.flatMap((t) => handleStatements(t, model)) };

  const structsImports = new Imports();
  const structs = { name: 'structs.ts', imports: structsImports, statements: model.structs.flatMap((s) => structStatements(s, model, structsImports)) };

  const syscallsImports = new Imports();
  const members = model.functions.map((f) => syscallMember(f, model, syscallsImports));
  const syscalls = {
    name: 'syscalls.ts',
    imports: syscallsImports,
    statements: [syscallsInterface(members, model), functionNameType(), ...model.functions.flatMap((f) => statusTypeStatements(f, model, syscallsImports))],
  };

  const factoriesImports = new Imports();
  const factories = { name: 'factories.ts', imports: factoriesImports, statements: model.structs.flatMap((s) => factoryStatements(s, model, factoriesImports)) };

  const codecsImports = new Imports();
  const codecs = {
    name: 'codecs.ts',
    imports: codecsImports,
    statements: [
      `// Raw struct bytes are in the device ABI's byte order (${model.deviceAbi.title}).\nconst LITTLE_ENDIAN = ${model.deviceAbi.endianness === 'little'};`,
      ...rawMemoryStructs(model).flatMap((s) => codecStatements(s, model, codecsImports)),
    ],
  };

  const metadataImports = new Imports();
  const metadata = { name: 'metadata.ts', imports: metadataImports, statements: metadataStatements(model, metadataImports) };

  const modules = [enums, handles, structs, syscalls, factories, codecs, metadata];
  const index = {
    name: 'index.ts',
    imports: new Imports(),
    statements: modules.map((m) => `export * from './${m.name.replace(/\.ts$/, '.js')}';`),
  };
  // The argument checks belong to the runtimes: the SDK's runtime entry point exports them, not its index.
  const argumentsImports = new Imports();
  const args = { name: 'arguments.ts', imports: argumentsImports, statements: argumentStatements(model, argumentsImports) };
  return [...modules, index, args];
}

/** Prints one file: banner, imports, then its statements, a blank line between each. */
function printFile(model: Model, ctx: EmitContext, f: { name: string; imports: Imports; statements: Statement[] }): OutputFile {
  // Standalone output has no hand-written `box.ts` beside it: take `MvOut` from the published SDK.
  if (ctx.standalone) f.imports.moveModule(MODULES.box, sdkPackage(model));
  // Nor the SDK's runtime: take the argument checks' run-time half from the published SDK.
  if (ctx.standalone) f.imports.moveModule(ARGUMENTS_RUNTIME, `${sdkPackage(model)}/runtime`);
  const imports = f.imports.text();
  const text = printTsFile(f.name, [lineCommentBanner(ctx).trimEnd(), ...(imports ? [imports] : []), ...f.statements]);
  return { path: `${model.product.outputs.ts}/${f.name}`, contents: text };
}

export type TsItemKind = 'function' | 'struct' | 'enum' | 'handle';

/**
 * The TypeScript of one spec item, without banner or imports, as the SDK declares it: a function
 * as its `MvSyscalls` member and status type; a struct as its interface, factory and any codec.
 * Golden tests and docs print single declarations through this.
 */
export function renderTsItem(model: Model, kind: TsItemKind, name: string): string {
  const imports = new Imports();
  let statements: Statement[];
  switch (kind) {
    case 'function': {
      const fn = model.fn(name);
      statements = [syscallsBody([syscallMember(fn, model, imports)]), ...statusTypeStatements(fn, model, imports)];
      break;
    }
    case 'struct': {
      const s = model.struct(name);
      const raw = rawMemoryStructs(model).some((r) => r.name === name);
      statements = [...structStatements(s, model, imports), ...factoryStatements(s, model, imports), ...(raw ? codecStatements(s, model, imports) : [])];
      break;
    }
    case 'enum':
      statements = enumStatements(model.enum(name), model);
      break;
    case 'handle':
      statements = handleStatements(model.typedef(name), model);
      break;
  }
  return printTsFile(`item-${kind}-${name}.ts`, statements);
}

export const tsEmitter: Emitter = {
  target: 'ts',
  description: 'typed TypeScript SDK',
  ownedDirs: (model) => [model.product.outputs.ts],
  emit(model, ctx) {
    return files(model).map((f) => printFile(model, ctx, f));
  },
};
