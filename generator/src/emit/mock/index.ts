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
import { BOX_NAMES } from '../ts/imports.js';
import { printTsFile, type Statement } from '../core/typescript/printer.js';
import { posix } from 'node:path';
import { mockPackage, RUNTIME, sdkPackage } from './modules.js';
import { schemaStatements } from './schemas.js';
import { specMockStatements, syscallStatements } from './syscalls.js';

interface MockFile {
  name: string;
  imports: Imports;
  statements: Statement[];
}

/**
 * In the repository the mock's runtime sits beside the output (src/*.ts, src/areas/). Standalone
 * (a spec outside it, `--out` elsewhere) nothing does: the output takes the schema types and the
 * engine from the published mock package by name, the spec's types and tables from the SDK
 * generated from the same spec (a relative path inside the output), and adds `SpecMock` (mock.ts).
 */
function files(model: Model, standalone: boolean): MockFile[] {
  const schemaImports = new Imports();
  const schemas = { name: 'schemas.ts', imports: schemaImports, statements: schemaStatements(model, schemaImports) };
  const syscallImports = new Imports();
  const syscalls = { name: 'syscalls.ts', imports: syscallImports, statements: syscallStatements(model, syscallImports, standalone) };
  const modules: MockFile[] = [schemas, syscalls];
  if (standalone) {
    const mockImports = new Imports();
    modules.push({ name: 'mock.ts', imports: mockImports, statements: specMockStatements(model, mockImports, mockPackage(model)) });
    const rel = posix.relative(model.product.outputs.mock, `${model.product.outputs.ts}/index.js`);
    const generatedSdk = rel.startsWith('.') ? rel : `./${rel}`;
    for (const m of modules) {
      // The generated SDK has every name of the spec; the box (MvOut) is hand-written: the published SDK's.
      m.imports.moveModule(sdkPackage(model), generatedSdk, (name) => BOX_NAMES.has(name));
      m.imports.moveModule(RUNTIME.schema, mockPackage(model));
    }
  }
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
    return files(model, ctx.standalone ?? false).map((f) => printFile(model, ctx, f));
  },
};
