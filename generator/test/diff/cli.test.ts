/**
 * `mvgen diff` as a command: exit codes, --json, --changeset (the file changesets itself must
 * accept), and which packages a change reaches.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import parseChangeset from '@changesets/parse';
import { main } from '../../src/cli.js';
import { diffSpecs, packageBumps } from '../../src/index.js';
import { byName as byNameOf, copySpec, REPO, type SpecCopy } from '../support/spec-copy.js';

/** Spec JSON is untyped here: find by name, return any. */
const byName = (list: any[], name: string): any => byNameOf(list, name);

const copies: SpecCopy[] = [];
afterAll(() => copies.forEach((c) => c.dispose()));
const spec = () => {
  const c = copySpec();
  copies.push(c);
  return c;
};

/** Runs `mvgen …` in-process, capturing what it prints. */
async function mvgen(args: string[], cwd?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void (out += `${a.join(' ')}\n`));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void (err += `${a.join(' ')}\n`));
  const here = process.cwd();
  try {
    if (cwd) process.chdir(cwd);
    const code = await main(['diff', ...args]);
    return { code, out, err };
  } finally {
    process.chdir(here);
    log.mockRestore();
    write.mockRestore();
    error.mockRestore();
  }
}

/** A fake repository: the spec copy plus the real public packages' manifests. */
function withPackages(c: SpecCopy): SpecCopy {
  const dirs = ['api-spec', 'generator', ...readdirSync(join(REPO, 'packages')).map((d) => `packages/${d}`)];
  for (const d of dirs) {
    if (!existsSync(join(REPO, d, 'package.json'))) continue;
    mkdirSync(join(c.root, d), { recursive: true });
    copyFileSync(join(REPO, d, 'package.json'), join(c.root, d, 'package.json'));
  }
  return c;
}

let before: SpecCopy;
let after: SpecCopy;
beforeEach(() => {
  before = spec();
  after = withPackages(spec());
});
afterEach(() => vi.restoreAllMocks());

const dropWrongData = (s: SpecCopy) => s.edit('mqtt.json', (d) => byName(d.functions, 'mvMqttReadConnectResponse').errors.pop());

describe('mvgen diff (command)', () => {
  it('prints the lines and the bump, and exits 0 whatever the bump', async () => {
    dropWrongData(after);
    const r = await mvgen([before.specDir, after.index]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^major: mqtt\.json#\/functions\/2\/errors\/4 \(old\): mvMqttReadConnectResponse: MV_STATUS_WRONGDATAREQUESTED removed/);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe('bump: major');
  });

  it('exits 1 with the usual diagnostics when a spec is invalid, naming which one', async () => {
    after.edit('mqtt.json', (d) => (byName(d.structs, 'MvMqttWill').fields[0].type = 'struct MvNoSuchThing'));
    const r = await mvgen([before.index, after.index]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('the new spec');
    expect(r.err).toMatch(/mqtt\.json:\d+:\d+: error: "struct MvNoSuchThing" names no struct of the spec/);
    expect(r.err).toContain('[semantic/reference]');
    expect(r.out).toBe('');
  });

  it('exits 2 on usage errors', async () => {
    expect((await mvgen([before.index])).code).toBe(2);
    expect((await mvgen([before.index, after.index, '--frobnicate'])).code).toBe(2);
  });

  it('--json gives the same changes with levels, sides, pointers and package bumps', async () => {
    dropWrongData(after);
    after.edit('mqtt.json', (d) => (byName(d.functions, 'mvMqttRequestConnect').doc = 'Asks Microvisor to connect to the broker.'));
    const r = await mvgen([before.index, after.index, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.bump).toBe('major');
    expect(j.changes.map((c: { level: string; side: string; file: string; pointer: string }) => [c.level, c.side, c.file, c.pointer])).toEqual([
      ['major', 'old', 'mqtt.json', '/functions/2/errors/4'],
      ['patch', 'new', 'mqtt.json', '/functions/1/doc'],
    ]);
    expect(j.packages).toEqual({
      '@mvmqtt/api-spec': 'major',
      '@mvmqtt/c-headers': 'patch',
      '@mvmqtt/device': 'major',
      '@mvmqtt/docs': 'major',
      '@mvmqtt/generator': 'major',
      '@mvmqtt/mock': 'major',
      '@mvmqtt/sdk': 'major',
    });
  });

  it('--changeset writes a changeset that changesets parses, named after the two spec hashes', async () => {
    after.edit('mqtt.json', (d) => (byName(d.functions, 'mvMqttRequestDisconnect').nsc_address = '0x0c1fe1c9'));
    const r = await mvgen([before.index, after.index, '--changeset'], after.root);
    expect(r.code).toBe(0);
    const res = diffSpecs(before.index, after.index);
    const file = join(after.root, '.changeset', `spec-${res.before.hash.slice(0, 8)}-${res.after.hash.slice(0, 8)}.md`);
    expect(r.err).toContain('.changeset/spec-');
    const parsed = parseChangeset(readFileSync(file, 'utf8'));
    // A call address lives in the C glue and the docs; the TS packages only get the new spec hash.
    expect(parsed.releases.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: '@mvmqtt/api-spec', type: 'major' },
      { name: '@mvmqtt/c-headers', type: 'major' },
      { name: '@mvmqtt/docs', type: 'major' },
      { name: '@mvmqtt/generator', type: 'major' },
      { name: '@mvmqtt/mock', type: 'patch' },
      { name: '@mvmqtt/sdk', type: 'patch' },
    ]);
    expect(parsed.summary).toContain('- major: mqtt.json#/functions/12/nsc_address: mvMqttRequestDisconnect: call address 0x0c1fe161 → 0x0c1fe1c9');
  });

  it('--changeset writes nothing when nothing changed', async () => {
    const r = await mvgen([before.index, after.index, '--changeset'], after.root);
    expect(r.code).toBe(0);
    expect(r.out).toBe('bump: none\n');
    expect(existsSync(join(after.root, '.changeset'))).toBe(false);
  });
});

describe('packages a change reaches', () => {
  it('a doc-only change is a patch for every generated package and leaves the device alone', () => {
    after.edit('mqtt.json', (d) => (byName(d.structs, 'MvMqttWill').doc = 'The last-will message the broker publishes if the device vanishes.'));
    const bumps = packageBumps(diffSpecs(before.index, after.index).changes);
    expect(Object.fromEntries(bumps)).toEqual({
      '@mvmqtt/api-spec': 'patch',
      '@mvmqtt/generator': 'patch',
      '@mvmqtt/c-headers': 'patch',
      '@mvmqtt/sdk': 'patch',
      '@mvmqtt/mock': 'patch',
      '@mvmqtt/docs': 'patch',
    });
  });

  it('a layout change is major everywhere', () => {
    after.edit('mqtt.json', (d) => (byName(byName(d.structs, 'MvMqttWill').fields, 'retain').type = 'uint32_t'));
    const bumps = packageBumps(diffSpecs(before.index, after.index).changes);
    expect([...new Set(bumps.values())]).toEqual(['major']);
    expect(bumps.size).toBe(7);
  });

  it('no change reaches no package', () => {
    expect(packageBumps(diffSpecs(before.index, after.index).changes).size).toBe(0);
  });
});
