/**
 * The TypeScript printer (src/emit/core/typescript/printer.ts) prints declarations without
 * loading a compiler. It replaced ts-morph plus the TypeScript formatter, which stay here as the
 * reference: every file the targets print for the real spec, and structures using every feature
 * of the printer, must come out byte for byte as ts-morph prints and the formatter lays them out.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as TsMorph from 'ts-morph';
import { loadModel, renderTargets, TARGETS } from '../src/index.js';
import { printStatements, withTsPrinter, type Declaration, type Statement } from '../src/emit/core/typescript/printer.js';
import { SPEC_DIR } from './support/spec-copy.js';

const tm = createRequire(import.meta.url)('ts-morph') as typeof TsMorph;

const project = new tm.Project({
  useInMemoryFileSystem: true,
  skipFileDependencyResolution: true,
  manipulationSettings: {
    indentationText: tm.IndentationText.TwoSpaces,
    quoteKind: tm.QuoteKind.Single,
    newLineKind: tm.NewLineKind.LineFeed,
    useTrailingCommas: true,
    insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true,
  },
});
const FORMAT: TsMorph.FormatCodeSettings = { indentSize: 2, tabSize: 2, convertTabsToSpaces: true, ensureNewLineAtEndOfFile: true, trimTrailingWhitespace: true };

const KINDS: Record<Declaration['kind'], TsMorph.StructureKind> = {
  interface: tm.StructureKind.Interface,
  class: tm.StructureKind.Class,
  function: tm.StructureKind.Function,
  typeAlias: tm.StructureKind.TypeAlias,
  variable: tm.StructureKind.VariableStatement,
};

/** The same statements through ts-morph (field names match; only `kind` is ts-morph's enum), then formatted. */
function reference(fileName: string, statements: Statement[]): string {
  const blankLine: TsMorph.WriterFunction = (w) => {
    w.blankLineIfLastNot();
  };
  const converted = statements.map((s) => (typeof s === 'string' ? s : ({ ...s, kind: KINDS[s.kind] } as unknown as TsMorph.StatementStructures)));
  const spaced = converted.flatMap((s, i) => (i === 0 ? [s] : [blankLine, s]));
  const file = project.createSourceFile(`/ref/${fileName}`, { statements: spaced }, { overwrite: true });
  file.formatText(FORMAT);
  return file.getFullText();
}

describe('the TypeScript printer', () => {
  it('prints every file of every target for the real spec as ts-morph and the formatter do', () => {
    const model = loadModel(join(SPEC_DIR, 'index.json'));
    const ours = renderTargets(model, TARGETS);
    let printed = 0;
    const theirs = withTsPrinter(
      (fileName, statements) => {
        printed++;
        return reference(fileName, statements);
      },
      () => renderTargets(model, TARGETS),
    );
    expect(printed).toBeGreaterThan(10);
    const files = (rendered: typeof ours) => new Map([...rendered.values()].flat().map((f) => [f.path, f.contents]));
    const a = files(ours);
    const b = files(theirs);
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [path, text] of a) expect(text, path).toBe(b.get(path));
  });

  const doc = 'A documented item.';
  const longDoc = '\nFirst line of a longer comment.\n\n- a list item\n  continued';
  const features: [string, Statement[]][] = [
    ['text statements, blank lines and the final line break', ['// banner', '', 'import type { A } from \'./a.js\';', 'export const x = 1;\n', 'export const y = 2;\n\n', 'export const z = 3;']],
    [
      'an interface with properties and methods',
      [
        {
          kind: 'interface',
          isExported: true,
          name: 'Shape',
          docs: [longDoc],
          typeParameters: [{ name: 'T', constraint: 'object' }, { name: 'U' }],
          extends: ['Base', 'Other<T>'],
          properties: [
            { name: 'plain', type: 'number' },
            { name: 'kept', type: 'string', isReadonly: true, hasQuestionToken: true, docs: [doc] },
            { name: 'nested', type: '{\n  a: number;\n  b: string;\n}', docs: [longDoc] },
          ],
          methods: [
            { name: 'call', docs: [doc], typeParameters: [{ name: 'F', constraint: 'keyof T' }], parameters: [{ name: 'fn', type: 'F' }, { name: 'args', type: 'readonly unknown[]' }], returnType: 'void' },
            { name: 'bare', parameters: [] },
          ],
        },
        { kind: 'interface', name: 'Empty' },
        { kind: 'interface', name: 'OnlyMethods', methods: [{ name: 'm', returnType: 'number' }] },
      ],
    ],
    [
      'a class with properties, abstract and concrete methods',
      [
        {
          kind: 'class',
          isExported: true,
          isAbstract: true,
          name: 'Base',
          docs: [doc],
          typeParameters: [{ name: 'T' }],
          extends: 'Root<T>',
          implements: ['One', 'Two'],
          properties: [
            { name: 'a', scope: 'protected', isAbstract: true, isReadonly: true, type: 'number' },
            { name: 'b', docs: [doc], scope: 'private', isStatic: true, type: 'string', initializer: "'x'" },
            { name: 'c', initializer: '{\n  k: 1,\n}' },
          ],
          methods: [
            { name: 'hook', docs: [doc], scope: 'protected', isAbstract: true, parameters: [{ name: 'n', type: 'number' }], returnType: 'number' },
            {
              name: 'run',
              parameters: [{ name: 'n', type: 'number' }, { name: 'm', initializer: '2' }],
              returnType: 'number',
              statements: ['let r = 0;', 'try {\n  r = this.hook(n);\n} catch (e) {\n  r = -1;\n}', 'if (r) {\n  r++;\n}\n', 'return r + m;'],
            },
            { name: 'nothing', isStatic: true, statements: [] },
          ],
        },
        { kind: 'class', name: 'Plain', methods: [{ name: 'm', statements: ['return;'] }] },
        { kind: 'class', name: 'Fields', properties: [{ name: 'x', type: 'number' }] },
      ],
    ],
    [
      'functions, type aliases and variable statements',
      [
        { kind: 'function', isExported: true, name: 'f', docs: [doc], parameters: [{ name: 'bytes', type: 'Uint8Array' }, { name: 'offset', initializer: '0' }], returnType: 'void', statements: ['const v = bytes[offset];', 'return {\n  v,\n};'] },
        { kind: 'function', name: 'g', typeParameters: [{ name: 'T' }], statements: [] },
        { kind: 'typeAlias', isExported: true, name: 'Handle', docs: [doc], type: "number & { readonly __brand: 'h' }" },
        { kind: 'typeAlias', name: 'Pair', typeParameters: [{ name: 'A' }, { name: 'B', constraint: 'string' }], type: '[A, B]' },
        { kind: 'variable', isExported: true, declarationKind: 'const', docs: [doc], declarations: [{ name: 'TABLE', initializer: '{\n  a: 1,\n  b: [1, 2],\n} as const' }] },
        { kind: 'variable', declarationKind: 'let', declarations: [{ name: 'a', type: 'number', initializer: '1' }, { name: 'b', initializer: "'two'" }] },
        { kind: 'variable', declarationKind: 'const', docs: ['Ends with a space. '], declarations: [{ name: 'c', initializer: '3' }] },
      ],
    ],
  ];
  for (const [what, statements] of features)
    it(`prints ${what} as ts-morph and the formatter do`, () => {
      expect(printStatements(statements)).toBe(reference('feature.ts', statements));
    });
});
