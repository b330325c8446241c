/**
 * `mock` target: the generated half of the mock package (the index's `product.outputs.mock`). The tables
 * (argument shapes of every call and struct) and the syscall skeletons come from the model; the
 * behaviour (handle tables, readable queues, the notification ring) is hand-written runtime in
 * packages/mock/src/ that reads these tables. Each file is printed once from its statements.
 */
import type { Emitter, EmitContext, OutputFile } from '../emitter.js';
import type { Model } from '../../model/model.js';
import { lineCommentBanner } from '../banner.js';
import { Imports } from '../core/typescript/imports.js';
import { printTsFile, type Statement } from '../core/typescript/printer.js';
import { schemaStatements } from './schemas.js';
import { syscallStatements } from './syscalls.js';

interface MockFile {
  name: string;
  imports: Imports;
  statements: Statement[];
}

function files(model: Model): MockFile[] {
  const schemaImports = new Imports();
  const schemas = { name: 'schemas.ts', imports: schemaImports, statements: schemaStatements(model, schemaImports) };
  const syscallImports = new Imports();
  const syscalls = { name: 'syscalls.ts', imports: syscallImports, statements: syscallStatements(model, syscallImports) };
  const modules = [schemas, syscalls];
  const index = { name: 'index.ts', imports: new Imports(), statements: modules.map((m) => `export * from './${m.name.replace(/\.ts$/, '.js')}';`) };
  return [...modules, index];
}

function printFile(model: Model, ctx: EmitContext, f: MockFile): OutputFile {
  const text = printTsFile(`mock-${f.name}`, [lineCommentBanner(ctx).trimEnd(), f.imports.text(), ...f.statements]);
  return { path: `${model.product.outputs.mock}/${f.name}`, contents: text };
}

export const mockEmitter: Emitter = {
  target: 'mock',
  description: 'mock runtime tables and syscall skeletons',
  ownedDirs: (model) => [model.product.outputs.mock],
  emit(model, ctx) {
    return files(model).map((f) => printFile(model, ctx, f));
  },
};
