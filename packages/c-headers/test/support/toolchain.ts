/**
 * The compilers the headers must satisfy and small helpers to run them. Everything here
 * shells out to real tools; suites that use it declare those tools with describeWithTools.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Tool } from '../../../../test/support/tools.js';

export const REPO = resolve(import.meta.dirname, '../../../..');
export const PKG = join(REPO, 'packages/c-headers');
export const INCLUDE = join(PKG, 'include');
export const LINKER_FRAGMENT = join(PKG, 'ld/mvmqtt_nsc.ld');
export const EXAMPLES = join(PKG, 'examples');

/** Warnings that must stay silent, on every compiler. */
export const STRICT = ['-Wall', '-Wextra', '-Werror', '-pedantic'];
/** The Microvisor device: STM32U585, Cortex-M33, Thumb-2, soft-float calling convention. */
export const DEVICE = ['-mcpu=cortex-m33', '-mthumb', '-mfloat-abi=soft'];

export interface Compiler {
  /** What describeWithTools checks for. */
  tool: Tool;
  /** Command line: program, then the flags that select language and target. */
  argv: string[];
  lang: 'c' | 'c++';
  std: string;
  abi: 'arm32' | 'x86_64';
  label: string;
}

function entry(tool: Tool, program: string, lang: 'c' | 'c++', std: string, abi: Compiler['abi'], extra: string[] = []): Compiler {
  return { tool, argv: [program, '-x', lang, `-std=${std}`, ...extra], lang, std, abi, label: `${program} -std=${std}` };
}

/** The compile matrix: C99/C11/C17 and C++11/17/20 on the host compilers, C11 and C++17 on the device (plus C99 there, which exercises the negative-array checks). */
export const MATRIX: Compiler[] = [
  ...['c99', 'c11', 'c17'].flatMap((std) => [entry('gcc', 'gcc', 'c', std, 'x86_64'), entry('clang', 'clang', 'c', std, 'x86_64')]),
  ...['c++11', 'c++17', 'c++20'].flatMap((std) => [entry('g++', 'g++', 'c++', std, 'x86_64'), entry('clang++', 'clang++', 'c++', std, 'x86_64')]),
  entry('arm-none-eabi-gcc', 'arm-none-eabi-gcc', 'c', 'c11', 'arm32', DEVICE),
  entry('arm-none-eabi-gcc', 'arm-none-eabi-gcc', 'c++', 'c++17', 'arm32', DEVICE),
  entry('arm-none-eabi-gcc', 'arm-none-eabi-gcc', 'c', 'c99', 'arm32', DEVICE),
];

export const HOST_CC = entry('gcc', 'gcc', 'c', 'c11', 'x86_64');
export const DEVICE_CC = entry('arm-none-eabi-gcc', 'arm-none-eabi-gcc', 'c', 'c11', 'arm32', DEVICE);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((done) => {
    execFile(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env ?? process.env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Compiles one source file to an object (or `-o /dev/null`); returns the compiler's result. */
export function compile(cc: Compiler, source: string, extra: string[] = [], out = '/dev/null'): Promise<RunResult> {
  return run([...cc.argv, ...STRICT, `-I${INCLUDE}`, ...extra, '-c', source, '-o', out]);
}

export interface TempDir {
  path: string;
  file(name: string, text: string): string;
  dispose(): void;
}

export function tempDir(prefix = 'mvmqtt-c-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    file(name, text) {
      const p = join(path, name);
      writeFileSync(p, text);
      return p;
    },
    dispose: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** Fails with the compiler's own words when a command did not succeed. */
export function expectOk(r: RunResult, what: string): void {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
}

export const version = async (program: string) => (await run([program, '--version'])).stdout.split('\n')[0];
