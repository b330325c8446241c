/**
 * The one ts-morph `Project` of the `ts` target, and the only place that loads ts-morph.
 * ts-morph costs most of a second to load, so it is required on first use: `mvgen validate`
 * and the other targets never pay for it.
 */
import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';

export type { StatementStructures, OptionalKind, PropertySignatureStructure, MethodSignatureStructure } from 'ts-morph';

let loaded: typeof TsMorph | undefined;

/** The ts-morph module (CommonJS, so it can be required synchronously inside `emit`). */
export function tsMorph(): typeof TsMorph {
  loaded ??= createRequire(import.meta.url)('ts-morph') as typeof TsMorph;
  return loaded;
}


export type Statement = string | TsMorph.WriterFunction | TsMorph.StatementStructures;

export interface TsPrinter {
  /** Creates the file once from its statements (a blank line between each), formats it and returns its text. */
  print(fileName: string, statements: Statement[]): string;
}

const blankLine: TsMorph.WriterFunction = (w) => {
  w.blankLineIfLastNot();
};

/** One in-memory project per generation run; every file of the target is printed through it. */
export function createTsPrinter(): TsPrinter {
  const tm = tsMorph();
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
  // Fixed formatter settings: the output must not depend on the machine or on ts-morph defaults.
  const format: TsMorph.FormatCodeSettings = {
    indentSize: 2,
    tabSize: 2,
    convertTabsToSpaces: true,
    ensureNewLineAtEndOfFile: true,
    trimTrailingWhitespace: true,
  };
  return {
    print(fileName, statements) {
      const spaced = statements.flatMap((s, i) => (i === 0 ? [s] : [blankLine, s]));
      const file = project.createSourceFile(fileName, { statements: spaced }, { overwrite: true });
      // ts-morph indents the continuation lines of multi-line types and initialisers by one
      // extra level; the TypeScript formatter, with fixed settings, puts them where a person would.
      file.formatText(format);
      return file.getFullText();
    },
  };
}
