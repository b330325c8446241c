/**
 * The ts-morph `Project` behind every TypeScript target (one per run), and the only place that
 * loads ts-morph. Loading it costs a noticeable part of a run, so it is required on first use:
 * `mvgen validate` and the targets that print no TypeScript never pay for it.
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

export interface TsPrinterOptions {
  /**
   * Run the TypeScript formatter over each file (default). ts-morph re-indents multi-line text
   * nested inside a structure (a type literal, an object initialiser); the formatter repairs it,
   * at a cost of a few hundred milliseconds per run. The SDK lays such declarations out itself
   * (text.ts) and turns this off.
   */
  format?: boolean;
}

/** One in-memory project per generation run; every file of the target is printed through it. */
export function createTsPrinter(options: TsPrinterOptions = {}): TsPrinter {
  const tm = tsMorph();
  const format: TsMorph.FormatCodeSettings | undefined =
    options.format === false
      ? undefined
      : { indentSize: 2, tabSize: 2, convertTabsToSpaces: true, ensureNewLineAtEndOfFile: true, trimTrailingWhitespace: true };
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
  return {
    print(fileName, statements) {
      const spaced = statements.flatMap((s, i) => (i === 0 ? [s] : [blankLine, s]));
      const file = project.createSourceFile(fileName, { statements: spaced }, { overwrite: true });
      // Fixed settings, so the output never depends on the machine or on ts-morph defaults.
      if (format) file.formatText(format);
      return file.getFullText();
    },
  };
}
