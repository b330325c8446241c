/**
 * The committed header against the facts measured from the vendor header
 * (test/fixtures/vendor/microvisor-abi.json): a host program prints every size, offset and value
 * and must match the x86_64 column; the Cortex-M33 compiler must accept static assertions
 * of the arm32 column. Then the header next to a stand-in of the vendor header, in both
 * include orders.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithTools } from '../../../test/support/tools.js';
import { deviceAssertions, FACTS, hostExpected, hostPrinter, vendorStandIn, vendorUsage } from './support/facts.js';
import { compile, DEVICE_CC, expectOk, HOST_CC, INCLUDE, MATRIX, run, STRICT, tempDir, type TempDir } from './support/toolchain.js';

let dir: TempDir;
beforeAll(() => {
  dir = tempDir();
  dir.file('mv_syscalls.h', vendorStandIn());
});
afterAll(() => dir?.dispose());

describeWithTools(['gcc'], 'x86_64 column of the facts', () => {
  it('a host program prints exactly the facts for every size, offset and constant', async () => {
    const src = dir.file('print_layout.c', hostPrinter());
    const exe = join(dir.path, 'print_layout');
    expectOk(await run([...HOST_CC.argv, ...STRICT, `-I${INCLUDE}`, src, '-o', exe]), 'host printer');
    const r = await run([exe]);
    expectOk(r, 'print_layout');
    const printed = new Map(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => {
          const i = l.lastIndexOf(' ');
          return [l.slice(0, i), Number(l.slice(i + 1))] as const;
        }),
    );
    const expected = hostExpected();
    expect(printed.size).toBe(expected.size);
    expect(Object.fromEntries(printed)).toEqual(Object.fromEntries(expected));
  });
});

describeWithTools(['arm-none-eabi-gcc'], 'arm32 column of the facts', () => {
  it('every size, alignment, offset and constant holds on the Cortex-M33 compiler', async () => {
    const asserts = deviceAssertions();
    expect(asserts.match(/_Static_assert/g)!.length).toBeGreaterThan(300);
    const src = dir.file('device_facts.c', `#include <mvmqtt/mvmqtt.h>\n${asserts}`);
    expectOk(await compile(DEVICE_CC, src), 'device facts');
  });
});

describe('include guard', () => {
  it('the header recognises the vendor header by the guard the facts record', () => {
    const header = readFileSync(join(INCLUDE, 'mvmqtt/mvmqtt.h'), 'utf8');
    expect(header).toContain(`#if defined(${FACTS.header.include_guard})`);
  });
});

const vendorFirst = (extra = '') =>
  [
    '#include "mv_syscalls.h"',
    '#include <mvmqtt/mvmqtt.h>',
    '#include <mvmqtt/mvmqtt_layout.h>',
    '#if !MVMQTT_DECLARATIONS_FROM_VENDOR',
    '#error "the vendor declarations should have been used"',
    '#endif',
    extra,
    vendorUsage(),
  ].join('\n');

for (const cc of [MATRIX.find((c) => c.label === 'gcc -std=c11')!, MATRIX.find((c) => c.label === 'clang++ -std=c++17')!, DEVICE_CC]) {
  describeWithTools([cc.tool], `vendor header first, then mvmqtt.h (${cc.label}, ${cc.abi})`, () => {
    it('compiles warning-free: mvmqtt.h adds its macros and the layout checks hold for the vendor declarations', async () => {
      const src = dir.file(`vendor_first_${cc.abi}_${cc.lang === 'c' ? 'c' : 'cpp'}.c`, vendorFirst(`int limit = MVMQTT_LIMIT_MQTT_TOPICS_PER_REQUEST_MAX;`));
      expectOk(await compile(cc, src, [`-I${dir.path}`]), cc.label);
    });
  });
}

describeWithTools(['gcc'], 'mvmqtt.h first, then the vendor header', () => {
  it('fails to compile, as the README documents: the vendor header redeclares the types', async () => {
    const src = dir.file('ours_first.c', '#include <mvmqtt/mvmqtt.h>\n#include "mv_syscalls.h"\n');
    const r = await compile(HOST_CC, src, [`-I${dir.path}`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/(redeclaration|redefinition|nested redefinition) of .?(enum|struct) Mv/);
  });
});
