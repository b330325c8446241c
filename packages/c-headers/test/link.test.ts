/**
 * The linker fragment: a Cortex-M33 object that calls every system call links with
 * `-nostartfiles` against the fragment and a minimal memory map, and every symbol lands on
 * the veneer address the facts record for the vendor's mv_syscalls.o (Thumb bit set).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTools } from '../../../test/support/tools.js';
import { FACTS, headerFunctions } from './support/facts.js';
import { compile, DEVICE, DEVICE_CC, expectOk, LINKER_FRAGMENT, run, tempDir, type TempDir } from './support/toolchain.js';

let dir: TempDir;
let callsObject: string;
let memoryMap: string;

/** The application memory map of the vendor's linker script (from the facts). */
function memoryScript(): string {
  const map = (FACTS as unknown as { implementation: { app_memory_map_from_linker_script: Record<string, { origin: string; length_kib: number }> } })
    .implementation.app_memory_map_from_linker_script;
  return [
    'MEMORY',
    '{',
    `  FLASH (rx)  : ORIGIN = ${map.ROM.origin}, LENGTH = ${map.ROM.length_kib}K`,
    `  RAM   (rwx) : ORIGIN = ${map.RAM.origin}, LENGTH = ${map.RAM.length_kib}K`,
    '}',
    'ENTRY(Reset_Handler)',
    'SECTIONS',
    '{',
    '  .text : { KEEP(*(.text.Reset_Handler)) *(.text*) *(.rodata*) } > FLASH',
    '  .data : { *(.data*) } > RAM AT > FLASH',
    '  .bss  : { *(.bss*) *(COMMON) } > RAM',
    '}',
    '',
  ].join('\n');
}

/** Calls every system call once, with null/zero arguments of the vendor's parameter types. */
function callEverything(): string {
  const calls = headerFunctions().map(([name, f]) => `    (void)${name}(${f.params.map((p) => `(${p.c_type})0`).join(', ')});`);
  return [
    '#include <mvmqtt/mvmqtt.h>',
    'void Reset_Handler(void) __attribute__((section(".text.Reset_Handler"), noreturn));',
    'void Reset_Handler(void) {',
    ...calls,
    '    for (;;) {',
    '    }',
    '}',
    '',
  ].join('\n');
}

const link = (out: string, inputs: string[]) =>
  run(['arm-none-eabi-gcc', ...DEVICE, '-nostartfiles', '-nostdlib', '-T', memoryMap, ...inputs, '-o', out]);

/** `nm` lines → name → { type letter, value }. */
async function symbols(elf: string): Promise<Map<string, { type: string; value: number }>> {
  const r = await run(['arm-none-eabi-nm', elf]);
  expectOk(r, 'nm');
  return new Map(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/))
      .filter((p) => p.length === 3)
      .map(([v, t, n]) => [n, { type: t, value: parseInt(v, 16) }]),
  );
}

describeWithTools(['arm-none-eabi-gcc', 'arm-none-eabi-nm'], 'linker fragment on a Cortex-M33 image', () => {
  beforeAll(async () => {
    dir = tempDir();
    memoryMap = dir.file('memory.ld', memoryScript());
    callsObject = join(dir.path, 'calls.o');
    expectOk(await compile(DEVICE_CC, dir.file('calls.c', callEverything()), ['-Os'], callsObject), 'calls.c');
  });
  afterAll(() => dir?.dispose());

  it('without the fragment, every system call is an undefined reference', async () => {
    const r = await link(join(dir.path, 'nofragment.elf'), [callsObject]);
    expect(r.code).not.toBe(0);
    for (const [name] of headerFunctions()) expect(r.stderr).toContain(`undefined reference to \`${name}'`);
  });

  it('with the fragment, every symbol sits at its veneer address and each call branches there', async () => {
    const elf = join(dir.path, 'image.elf');
    expectOk(await link(elf, [callsObject, LINKER_FRAGMENT]), 'link');
    const syms = await symbols(elf);
    for (const [name, f] of headerFunctions()) {
      const expected = parseInt(f.nsc_address, 16);
      expect(expected & 1, `${name}: the facts' address has the Thumb bit`).toBe(1);
      expect(syms.get(name), name).toEqual({ type: 'A', value: expected });
    }
    // The veneers ld writes for the long branches load exactly those addresses.
    const dis = await run(['arm-none-eabi-objdump', '-d', elf]);
    expectOk(dis, 'objdump');
    for (const [name, f] of headerFunctions()) {
      const veneer = new RegExp(`<__${name}_veneer>:\\n(?:.*\\n){0,3}?.*\\.word\\s+${f.nsc_address}`);
      expect(dis.stdout, `${name} veneer`).toMatch(veneer);
    }
  });

  it('works when INCLUDEd from the image\'s own linker script', async () => {
    const script = dir.file('with_include.ld', `INCLUDE ${LINKER_FRAGMENT.split('/').pop()}\n${memoryScript()}`);
    const elf = join(dir.path, 'included.elf');
    const ldDir = LINKER_FRAGMENT.slice(0, LINKER_FRAGMENT.lastIndexOf('/'));
    const r = await run(['arm-none-eabi-gcc', ...DEVICE, '-nostartfiles', '-nostdlib', `-L${ldDir}`, '-T', script, callsObject, '-o', elf]);
    expectOk(r, 'link with INCLUDE');
    const [name, f] = headerFunctions()[0];
    expect((await symbols(elf)).get(name)).toEqual({ type: 'A', value: parseInt(f.nsc_address, 16) });
  });

  it('gives way to a real definition, so linking the vendor object as well is harmless', async () => {
    const [name, f] = headerFunctions().find(([n]) => n === 'mvMqttRequestConnect')!;
    const own = join(dir.path, 'own.o');
    const src = dir.file('own.c', `#include <mvmqtt/mvmqtt.h>\nenum MvStatus ${name}(${f.params.map((p, i) => `${p.c_type} a${i}`).join(', ')}) {\n${f.params.map((_, i) => `    (void)a${i};\n`).join('')}    return MV_STATUS_OKAY;\n}\n`);
    expectOk(await compile(DEVICE_CC, src, [], own), 'own.c');
    const elf = join(dir.path, 'own.elf');
    expectOk(await link(elf, [callsObject, own, LINKER_FRAGMENT]), 'link with a definition');
    const sym = (await symbols(elf)).get(name)!;
    expect(sym.type).toBe('T');
    expect(sym.value).not.toBe(parseInt(f.nsc_address, 16));
  });
});
