/**
 * The compile matrix: the committed header and its layout checks, with code written against
 * the vendor header, under -Wall -Wextra -Werror -pedantic on every compiler and standard of
 * the matrix (support/toolchain.ts). Host compilers check the x86_64 layout, the Cortex-M33 compiler the device layout;
 * a second compile selects the other ABI's checks and must fail, so the checks are live.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTools } from '../../../test/support/tools.js';
import { vendorUsage } from './support/facts.js';
import { compile, expectOk, MATRIX, tempDir, type TempDir } from './support/toolchain.js';

let dir: TempDir;
let source: string;
let otherAbi: string;

beforeAll(() => {
  dir = tempDir();
  source = dir.file(
    'use_everything.c',
    ['#include <mvmqtt/mvmqtt.h>', '#include <mvmqtt/mvmqtt_layout.h>', '', vendorUsage()].join('\n'),
  );
  otherAbi = dir.file('other_abi.c', '#include <mvmqtt/mvmqtt.h>\n#include <mvmqtt/mvmqtt_layout.h>\n');
});
afterAll(() => dir?.dispose());

const abiMacro = (abi: string) => `-DMVMQTT_CHECK_LAYOUT_${abi.toUpperCase()}`;

for (const cc of MATRIX) {
  const other = cc.abi === 'arm32' ? 'x86_64' : 'arm32';
  describeWithTools([cc.tool], `${cc.label}${cc.abi === 'arm32' ? ' (Cortex-M33)' : ''}`, () => {
    it(`compiles clean with the ${cc.abi} layout and value checks`, async () => {
      expectOk(await compile(cc, source, ['-DMVMQTT_CHECK_VALUES', abiMacro(cc.abi)]), cc.label);
    });

    it('picks the same checks by itself when none is selected', async () => {
      expectOk(await compile(cc, source), cc.label);
    });

    it(`rejects the ${other} layout, naming the member`, async () => {
      const r = await compile(cc, otherAbi, [abiMacro(other)]);
      expect(r.code).not.toBe(0);
      // A pointer-sized member differs between the two ABIs; the diagnostic names it.
      expect(r.stderr).toMatch(/MvNotificationSetup[._]buffer/);
    });
  });
}
