/**
 * CMake glue, used the way a firmware team would: a consumer project in a scratch directory
 * pulls the package in with add_subdirectory() and with find_package(), builds and runs a
 * host program, and cross-builds a Cortex-M33 image that gets its call addresses from
 * mvmqtt::nsc_symbols.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTools } from '../../../test/support/tools.js';
import { headerFunctions } from './support/facts.js';
import { expectOk, LINKER_FRAGMENT, PKG, REPO, run, tempDir, type TempDir } from './support/toolchain.js';
import { mkdirSync, readFileSync } from 'node:fs';

const index = JSON.parse(readFileSync(join(REPO, 'api-spec/spec/index.json'), 'utf8'));

const MAIN_C = `#include <stdio.h>
#include <mvmqtt/mvmqtt.h>
#include <mvmqtt/mvmqtt_layout.h>
int main(void) {
    printf("%s %d\\n", MVMQTT_SPEC_VERSION_STRING, MVMQTT_LIMIT_MQTT_TOPICS_PER_REQUEST_MAX);
    return 0;
}
`;

function consumerCMake(include: string, extra = ''): string {
  return `cmake_minimum_required(VERSION 3.16)
project(consumer C)
${include}
add_executable(consumer main.c)
set_target_properties(consumer PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
target_compile_options(consumer PRIVATE -Wall -Wextra -Werror -pedantic)
target_link_libraries(consumer PRIVATE mvmqtt::headers)
get_target_property(fragment mvmqtt::headers INTERFACE_MVMQTT_LINKER_FRAGMENT)
file(WRITE "\${CMAKE_BINARY_DIR}/facts.txt" "variable=\${MVMQTT_LINKER_FRAGMENT}\\nproperty=\${fragment}\\nversion=\${MVMQTT_SPEC_VERSION}\\n")
${extra}
`;
}

async function configureAndBuild(src: string, build: string, args: string[] = []): Promise<void> {
  expectOk(await run(['cmake', '-S', src, '-B', build, '-G', 'Unix Makefiles', ...args]), 'cmake configure');
  expectOk(await run(['cmake', '--build', build]), 'cmake build');
}

function readFacts(build: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(join(build, 'facts.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('=') as [string, string]),
  );
}

let dir: TempDir;

describeWithTools(['cmake', 'gcc'], 'CMake consumer on the host', () => {
  beforeAll(() => {
    dir = tempDir('mvmqtt-cmake-');
  });
  afterAll(() => dir?.dispose());

  it('add_subdirectory(): mvmqtt::headers builds a strict C11 program; the fragment path is exposed', async () => {
    const src = join(dir.path, 'subdir');
    mkdirSync(src, { recursive: true });
    dir.file('subdir/CMakeLists.txt', consumerCMake(`add_subdirectory("${PKG}" mvmqtt)`));
    dir.file('subdir/main.c', MAIN_C);
    const build = join(dir.path, 'subdir-build');
    await configureAndBuild(src, build);
    const out = await run([join(build, 'consumer')]);
    expectOk(out, 'consumer');
    expect(out.stdout.trim()).toBe(`${index.version} 8`);
    expect(readFacts(build)).toEqual({ variable: LINKER_FRAGMENT, property: LINKER_FRAGMENT, version: index.version });
  });

  it('find_package(mvmqtt <major.minor> CONFIG) through CMAKE_PREFIX_PATH', async () => {
    const src = join(dir.path, 'found');
    mkdirSync(src, { recursive: true });
    const [major, minor] = index.version.split('.');
    dir.file('found/CMakeLists.txt', consumerCMake(`find_package(mvmqtt ${major}.${minor} CONFIG REQUIRED)`));
    dir.file('found/main.c', MAIN_C);
    const build = join(dir.path, 'found-build');
    await configureAndBuild(src, build, [`-DCMAKE_PREFIX_PATH=${PKG}`]);
    const out = await run([join(build, 'consumer')]);
    expect(out.stdout.trim()).toBe(`${index.version} 8`);
    expect(readFacts(build).variable).toBe(LINKER_FRAGMENT);
  });

  it('find_package() refuses another major version', async () => {
    const src = join(dir.path, 'wrong');
    mkdirSync(src, { recursive: true });
    const next = Number(index.version.split('.')[0]) + 1;
    dir.file('wrong/CMakeLists.txt', `cmake_minimum_required(VERSION 3.16)\nproject(wrong NONE)\nfind_package(mvmqtt ${next}.0 CONFIG REQUIRED)\n`);
    const r = await run(['cmake', '-S', src, '-B', join(dir.path, 'wrong-build'), `-DCMAKE_PREFIX_PATH=${PKG}`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/mvmqtt/);
    expect(r.stderr).toMatch(/version/i);
  });
});

describeWithTools(['cmake', 'arm-none-eabi-gcc', 'arm-none-eabi-nm'], 'CMake cross-build for the device', () => {
  beforeAll(() => {
    dir = tempDir('mvmqtt-cmake-arm-');
  });
  afterAll(() => dir?.dispose());

  it('mvmqtt::nsc_symbols links a Cortex-M33 image with every call at its veneer address', async () => {
    const src = join(dir.path, 'fw');
    mkdirSync(src, { recursive: true });
    dir.file(
      'fw/toolchain.cmake',
      [
        'set(CMAKE_SYSTEM_NAME Generic)',
        'set(CMAKE_SYSTEM_PROCESSOR arm)',
        'set(CMAKE_C_COMPILER arm-none-eabi-gcc)',
        'set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)',
        'set(CMAKE_C_FLAGS_INIT "-mcpu=cortex-m33 -mthumb -mfloat-abi=soft")',
        '',
      ].join('\n'),
    );
    dir.file('fw/memory.ld', 'MEMORY { FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 1024K }\nENTRY(Reset_Handler)\nSECTIONS { .text : { *(.text*) } > FLASH }\n');
    const calls = headerFunctions().map(([name, f]) => `    (void)${name}(${f.params.map((p) => `(${p.c_type})0`).join(', ')});`);
    dir.file('fw/main.c', ['#include <mvmqtt/mvmqtt.h>', '#include <mvmqtt/mvmqtt_layout.h>', 'void Reset_Handler(void);', 'void Reset_Handler(void) {', ...calls, '    for (;;) {', '    }', '}', ''].join('\n'));
    dir.file(
      'fw/CMakeLists.txt',
      `cmake_minimum_required(VERSION 3.16)
project(fw C)
add_subdirectory("${PKG}" mvmqtt)
add_executable(fw.elf main.c)
set_target_properties(fw.elf PROPERTIES C_STANDARD 11 C_EXTENSIONS OFF)
target_compile_options(fw.elf PRIVATE -Wall -Wextra -Werror -pedantic)
target_link_options(fw.elf PRIVATE -nostartfiles -nostdlib -T "\${CMAKE_CURRENT_SOURCE_DIR}/memory.ld")
target_link_libraries(fw.elf PRIVATE mvmqtt::nsc_symbols)
`,
    );
    const build = join(dir.path, 'fw-build');
    await configureAndBuild(src, build, [`-DCMAKE_TOOLCHAIN_FILE=${join(src, 'toolchain.cmake')}`]);
    const nm = await run(['arm-none-eabi-nm', join(build, 'fw.elf')]);
    expectOk(nm, 'nm');
    for (const [name, f] of headerFunctions()) expect(nm.stdout, name).toMatch(new RegExp(`^${f.nsc_address.slice(2)} A ${name}$`, 'm'));
  });
});
