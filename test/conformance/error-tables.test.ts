/**
 * Error-table coverage: for every row of every function's error table in the spec, the status is
 * provoked on the emulated device core and on the mock (see provocations.ts), unless the spec
 * records a waiver for that runtime. A row with neither fails, so a new row in the spec fails
 * here until someone writes how to provoke it.
 *
 * `npm run conformance` runs this file and prints the table (scripts/conformance.mjs).
 */
import { writeFileSync } from 'node:fs';
import { statusName, type MvFunctionName } from '@mvmqtt/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVOCATIONS, type Provocation } from './provocations.js';
import { CASES, type CaseResult, type ConformanceCase } from './support/cases.js';
import { makeRig, World, type RuntimeName } from './support/rig.js';

const RUNTIMES: readonly RuntimeName[] = ['device', 'mock'];
const world = new World();
const results: CaseResult[] = [];

beforeAll(() => world.start());

afterAll(async () => {
  await world.stop();
  const waivers = CASES.flatMap((c) => RUNTIMES.filter((rt) => c.waiver[rt]).map((rt) => `  ${c.fn} ${c.name} (${rt}): ${c.waiver[rt]}`));
  console.log(`Waivers recorded in the spec (${waivers.length}):\n${waivers.join('\n') || '  none'}`);
  const file = process.env.MVMQTT_CONFORMANCE_OUT;
  if (file) writeFileSync(file, `${JSON.stringify({ cases: CASES.length, results }, null, 2)}\n`);
});

function provocationFor(c: ConformanceCase): Provocation | undefined {
  return (PROVOCATIONS[c.fn] as Readonly<Record<string, Provocation>>)[c.name];
}

describe('the provocation table', () => {
  it('has an entry for no row the spec does not have', () => {
    const rows = new Set(CASES.map((c) => `${c.fn} ${c.name}`));
    const extra = (Object.keys(PROVOCATIONS) as MvFunctionName[]).flatMap((fn) => Object.keys(PROVOCATIONS[fn]).map((name) => `${fn} ${name}`)).filter((r) => !rows.has(r));
    expect(extra).toEqual([]);
  });

  it('covers the spec: at least one error row per function', () => {
    expect(CASES.length).toBeGreaterThan(0);
  });
});

for (const runtime of RUNTIMES) {
  describe(`error tables on the ${runtime === 'device' ? 'device core' : 'mock'}`, () => {
    for (const c of CASES) {
      it(`${c.fn} → ${c.name}`, async () => {
        const started = performance.now();
        const record = (outcome: CaseResult['outcome'], detail: string): void => {
          results.push({ fn: c.fn, name: c.name, runtime, outcome, detail, ms: Math.round(performance.now() - started) });
        };
        const waiver = c.waiver[runtime];
        if (waiver) {
          expect(waiver.trim().length, 'a waiver needs a reason').toBeGreaterThan(0);
          record('waived', waiver);
          return;
        }
        const provocation = provocationFor(c);
        if (!provocation) {
          record('missing', 'no provocation in test/conformance/provocations.ts and no waiver in the spec');
          expect.fail(`${c.fn} → ${c.name}: no provocation and no ${runtime} waiver in the spec`);
        }
        const rig = makeRig(runtime, world);
        try {
          const status = await provocation.run(rig);
          if (status !== c.status) record('failed', `${provocation.how}: got ${statusName(status)}`);
          else record(rig.forced ? 'forced' : 'triggered', provocation.how);
          expect(statusName(status), provocation.how).toBe(c.name);
        } catch (err) {
          if (!results.some((r) => r.fn === c.fn && r.name === c.name && r.runtime === runtime)) record('failed', `${provocation.how}: ${err instanceof Error ? err.message : String(err)}`);
          throw err;
        } finally {
          await rig.dispose();
        }
      });
    }
  });
}
