/**
 * The C example on every function page compiles, warning-free, against the generated header
 * (packages/c-headers, which declares the vendor API; nothing but what the package ships is on the include path) with gcc and clang in C99 and C11, and
 * for the device with arm-none-eabi-gcc when it is installed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTools } from '../../../test/support/tools.js';
import { type Page, readJson, readReference, REPO } from './support/reference.js';

const HEADERS = join(REPO, 'packages/c-headers/include');

let dir: string;
let files: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mvdocs-c-'));
  // No stand-in headers: the examples must compile against what @mvmqtt/c-headers ships.
  const pages: Map<string, Page> = readReference();
  for (const [path, page] of pages) {
    const m = /^functions\/(\w+)\.md$/.exec(path);
    if (!m) continue;
    const block = /## Example\n\n```c\n([\s\S]*?)\n```/.exec(page.source);
    if (!block) throw new Error(`${path} has no C example`);
    const file = join(dir, `${m[1]}.c`);
    writeFileSync(file, `${block[1]}\n`);
    files.push(file);
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const compile = (cc: string, std: string, extra: string[] = []) => {
  expect(existsSync(join(HEADERS, 'mvmqtt/mvmqtt.h')), 'the c target has generated packages/c-headers').toBe(true);
  for (const f of files)
    execFileSync(cc, [`-std=${std}`, '-Wall', '-Wextra', '-Werror', '-pedantic', '-Wshadow', '-I', dir, '-I', HEADERS, ...extra, '-c', f, '-o', `${f}.${cc}.${std}.o`], {
      stdio: 'pipe',
    });
};

describeWithTools(['gcc', 'clang'], 'function page examples compile on the host', () => {
  it('one example per function', () => {
    expect(files.length).toBe(readJson(join(REPO, 'api-spec/generated/mvmqtt.json')).functions.length);
  });
  for (const cc of ['gcc', 'clang']) for (const std of ['c99', 'c11']) it(`${cc} -std=${std} -Wall -Wextra -Werror -pedantic`, () => compile(cc, std));
});

describeWithTools(['arm-none-eabi-gcc'], 'function page examples compile for the device', () => {
  it('arm-none-eabi-gcc -mcpu=cortex-m33 -std=c11 -Wall -Wextra -Werror', () => compile('arm-none-eabi-gcc', 'c11', ['-mcpu=cortex-m33', '-mthumb', '-mfloat-abi=soft']));
});
