/**
 * tsc over the SDK: the package (everything generated included) under `strict`, and the type
 * tests with their `@ts-expect-error` fixture. Run through the compiler API so a failure lists
 * each diagnostic.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { SDK_DIR } from './support.js';

interface Problem {
  file: string;
  line: number;
  code: number;
  message: string;
}

/** Compiles a tsconfig without emitting; `replace` swaps the text of some files (or adds them) first. */
function compile(configPath: string, replace: Record<string, string> = {}): { problems: Problem[]; options: ts.CompilerOptions } {
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, { noEmit: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
  if (!parsed) throw new Error(`cannot read ${configPath}`);
  const host = ts.createCompilerHost(parsed.options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => replace[f] ?? readFile(f);
  host.fileExists = (f) => f in replace || fileExists(f);
  const rootNames = [...new Set([...parsed.fileNames, ...Object.keys(replace)])];
  const program = ts.createProgram({ rootNames, options: parsed.options, host });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => ({
    file: d.file?.fileName ?? '',
    line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0,
    code: d.code,
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  }));
  return { problems, options: parsed.options };
}

describe('tsc', () => {
  it('compiles the package, generated code included, under strict', () => {
    const { problems, options } = compile(join(SDK_DIR, 'tsconfig.json'));
    expect(options.strict).toBe(true);
    expect(problems).toEqual([]);
  });

  it('compiles the type tests, where every @ts-expect-error meets an error', () => {
    expect(compile(join(SDK_DIR, 'test/types/tsconfig.json')).problems).toEqual([]);
  });

  it('compiles the example in the README', () => {
    const readme = readFileSync(join(SDK_DIR, 'README.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)![1].replaceAll("from '@mvmqtt/sdk'", "from '../../src/index.js'");
    const file = join(SDK_DIR, 'test/types/readme-example.ts');
    expect(compile(join(SDK_DIR, 'test/types/tsconfig.json'), { [file]: example }).problems).toEqual([]);
  });

  it('rejects exactly the impossible status checks once the directives are removed', () => {
    const fixture = join(SDK_DIR, 'test/types/switch-on-status.ts');
    const lines = readFileSync(fixture, 'utf8').split('\n');
    // Each directive guards the line after it; blank the directive so line numbers stay put.
    const guarded = lines.flatMap((l, i) => (l.trim().startsWith('// @ts-expect-error') ? [i + 2] : []));
    const stripped = lines.map((l) => (l.trim().startsWith('// @ts-expect-error') ? '' : l)).join('\n');
    expect(guarded.length).toBe(2);

    const { problems } = compile(join(SDK_DIR, 'test/types/tsconfig.json'), { [fixture]: stripped });
    expect(problems.map((p) => ({ file: p.file, line: p.line, code: p.code }))).toEqual([
      // TS2678: type '12' is not comparable to the function's status union (a `case`).
      { file: fixture, line: guarded[0], code: 2678 },
      // TS2367: the comparison can never be true (`===`).
      { file: fixture, line: guarded[1], code: 2367 },
    ]);
    expect(problems[0].message).toContain('MvMqttRequestDisconnectStatus');
  });
});
