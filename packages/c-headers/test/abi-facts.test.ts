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
import { deviceAssertions, FACTS, hostExpected, hostPrinter, typeIdentityChecks, vendorStandIn, vendorUsage } from './support/facts.js';
import { compile, DEVICE, DEVICE_CC, expectOk, HOST_CC, INCLUDE, MATRIX, run, STRICT, tempDir, type TempDir } from './support/toolchain.js';

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

describeWithTools(['gcc', 'clang++'], 'mvmqtt.h first, then the vendor header', () => {
  it('compiles: mvmqtt.h declares everything and defines the vendor guard, so the vendor header adds nothing', async () => {
    const src = dir.file('ours_first.c', ['#include <mvmqtt/mvmqtt.h>', '#include "mv_syscalls.h"', '#if MVMQTT_DECLARATIONS_FROM_VENDOR', '#error "mvmqtt.h came first"', '#endif', vendorUsage()].join('\n'));
    expectOk(await compile(HOST_CC, src, [`-I${dir.path}`]), 'gcc');
    expectOk(await compile(MATRIX.find((c) => c.label === 'clang++ -std=c++17')!, src, [`-I${dir.path}`]), 'clang++');
  });
});

describeWithTools(['gcc'], 'the header under the vendor name (include/mv_syscalls.h)', () => {
  it('serves sources that include the vendor header by name, alone and with mvmqtt.h in either order', async () => {
    // Outside the stand-in's folder, "mv_syscalls.h" resolves to ours through -I.
    const own = tempDir();
    try {
      for (const [file, text] of [
        ['alone.c', `#include "mv_syscalls.h"\n${vendorUsage()}`],
        ['drop_in_first.c', `#include "mv_syscalls.h"\n#include <mvmqtt/mvmqtt.h>\n${vendorUsage()}`],
        ['drop_in_last.c', `#include <mvmqtt/mvmqtt.h>\n#include "mv_syscalls.h"\n${vendorUsage()}`],
      ])
        expectOk(await compile(HOST_CC, own.file(file, text)), file);
    } finally {
      own.dispose();
    }
  });
});

/** Type facts per ABI (the C check cannot separate an enum from its integer type; the C++ one can). */
const TYPE_CHECKS = [
  { cc: HOST_CC, abi: 'x86_64', lang: 'c' as const },
  { cc: DEVICE_CC, abi: 'arm32', lang: 'c' as const },
  { cc: MATRIX.find((c) => c.label === 'g++ -std=c++11')!, abi: 'x86_64', lang: 'c++' as const },
  { cc: { ...DEVICE_CC, tool: 'arm-none-eabi-g++' as const, argv: ['arm-none-eabi-g++', '-x', 'c++', '-std=c++11', ...DEVICE], lang: 'c++' as const, label: 'arm-none-eabi-g++ -std=c++11' }, abi: 'arm32', lang: 'c++' as const },
];
for (const t of TYPE_CHECKS)
  describeWithTools([t.cc.tool], `exact types by identity (${t.cc.label}, ${t.abi})`, () => {
    it('every member type, prototype, handle typedef and enumerator matches the facts', async () => {
      const checks = typeIdentityChecks(t.lang);
      const src = dir.file(`types_${t.abi}_${t.lang === 'c' ? 'c' : 'cpp'}.c`, `#include <mvmqtt/mvmqtt.h>\n${checks.source}`);
      expectOk(await compile(t.cc, src), t.cc.label);
      // Reported per ABI (layout facts + type facts) in the run's output.
      const layout = t.abi === 'arm32' ? deviceAssertions().match(/_Static_assert/g)!.length : hostExpected().size;
      console.log(`facts checked on ${t.abi} (${t.lang}): ${layout} layout and value facts + ${checks.count} type facts = ${layout + checks.count}`);
      expect(checks.source.match(/ prototype"\)/g)).toHaveLength(FACTS.counts.functions_total);
      expect(checks.source.match(/ typedef"\)/g)).toHaveLength(FACTS.counts.typedefs_total);
    });
  });

describeWithTools(['g++'], 'the identity checks catch a wrong type', () => {
  it('an enum member declared as uint32_t, and a pointer that lost its const, fail the C++ checks', async () => {
    const wrong = vendorStandIn()
      .replace('    enum MvHttpResult result;', '    uint32_t result;')
      .replace('enum MvStatus mvServerLog(const uint8_t *message', 'enum MvStatus mvServerLog(uint8_t *message');
    expect(wrong).toContain('    uint32_t result;');
    const header = dir.file('wrong_types.h', wrong);
    const src = dir.file('wrong_types.cpp', `#include "${header}"\n${typeIdentityChecks('c++').source}`);
    const r = await run([...MATRIX.find((c) => c.label === 'g++ -std=c++11')!.argv, '-c', src, '-o', '/dev/null']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('MvHttpResponseData.result type');
    expect(r.stderr).toContain('mvServerLog prototype');
  });
});
