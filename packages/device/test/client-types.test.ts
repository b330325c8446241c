/**
 * The client's public types as an application compiles them: tsc over a usage file under
 * `strict` and `exactOptionalPropertyTypes`, against the package's published declarations.
 * Every `@ts-expect-error` in it must be needed, so wrong types fail too.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const USAGE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'client-types', 'usage.ts');

it('compiles an application under strict and exactOptionalPropertyTypes', () => {
  const program = ts.createProgram({
    rootNames: [USAGE],
    options: {
      strict: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ['node'],
      // The declarations of dependencies are not what is under test (and checking them all takes long).
      skipLibCheck: true,
    },
  });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
    return `${where} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(problems).toEqual([]);
}, 120_000);
