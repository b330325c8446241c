/**
 * The layout checks catch ABI drift: the checks generated from the original spec, compiled
 * against a header generated from a spec whose MvMqttWill.retain became uint32_t, fail on the
 * device compiler and name the member. (retain is the last member and the struct is already
 * 4-aligned, so the struct's size and every offset stay the same: only the member size check
 * can see this change.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTools } from '../../../test/support/tools.js';
import { generatedCopy, type Generated } from './support/generated.js';
import { compile, DEVICE_CC, expectOk, MATRIX, tempDir, type TempDir } from './support/toolchain.js';

let original: Generated;
let changed: Generated;
let dir: TempDir;

/** A unit that takes the declarations from one generation and the checks from another. */
function mixed(headerFrom: Generated, checksFrom: Generated): string {
  return [
    `#include "${join(headerFrom.include, 'mvmqtt/mvmqtt.h')}"`,
    // The layout header's own #include "mvmqtt.h" is skipped: the guard is already defined.
    `#include "${join(checksFrom.include, 'mvmqtt/mvmqtt_layout.h')}"`,
    '',
  ].join('\n');
}

describeWithTools(['arm-none-eabi-gcc'], 'a spec change against layout checks of the original spec (device compiler)', () => {
  beforeAll(() => {
    dir = tempDir();
    original = generatedCopy();
    changed = generatedCopy();
    changed.editSpec('mqtt.json', (area) => {
      const will = area.structs.find((s: { name: string }) => s.name === 'MvMqttWill');
      const retain = will.fields.find((f: { name: string }) => f.name === 'retain');
      expect(retain.type).toBe('uint8_t');
      retain.type = 'uint32_t';
    });
    changed.regenerate();
  });
  afterAll(() => {
    original?.dir.dispose();
    changed?.dir.dispose();
    dir?.dispose();
  });

  it('the changed spec really changes the header', () => {
    expect(readFileSync(join(changed.include, 'mvmqtt/mvmqtt.h'), 'utf8')).toMatch(/uint32_t retain;/);
    expect(readFileSync(join(original.include, 'mvmqtt/mvmqtt.h'), 'utf8')).toMatch(/uint8_t retain;/);
  });

  it('original header with original checks compiles (the control)', async () => {
    expectOk(await compile(DEVICE_CC, dir.file('control.c', mixed(original, original)), ['-DMVMQTT_CHECK_LAYOUT_ARM32']), 'control');
  });

  it('changed header with the original checks fails with C11 _Static_assert, naming MvMqttWill.retain', async () => {
    const r = await compile(DEVICE_CC, dir.file('drift_c11.c', mixed(changed, original)), ['-DMVMQTT_CHECK_LAYOUT_ARM32']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('MvMqttWill.retain: size on arm32 must be 1');
    // Nothing else about the layout moved.
    expect(r.stderr.match(/static assertion failed/g)).toHaveLength(1);
  });

  it('and with the C99 fallback, where the negative-size array is named after the member', async () => {
    const c99 = MATRIX.find((c) => c.abi === 'arm32' && c.std === 'c99')!;
    const r = await compile(c99, dir.file('drift_c99.c', mixed(changed, original)), ['-DMVMQTT_CHECK_LAYOUT_ARM32']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/mvmqtt_check_arm32_MvMqttWill_retain_size/);
  });

  it('the checks regenerated from the changed spec accept the changed header', async () => {
    expectOk(await compile(DEVICE_CC, dir.file('regenerated.c', mixed(changed, changed)), ['-DMVMQTT_CHECK_LAYOUT_ARM32']), 'regenerated');
  });
});
