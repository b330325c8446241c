/**
 * The release guard rails, run in a throw-away git repository shaped like this one:
 * - `changeset status` accepts .changeset/config.json (fixed group, private packages skipped);
 * - scripts/check-changeset.mjs fails on a spec change without a changeset, or with one that
 *   bumps less than `mvgen diff` says, and passes with the changeset `mvgen diff --changeset` writes.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const CHECK = join(REPO, 'scripts/check-changeset.mjs');
const MVGEN = join(REPO, 'generator/bin/mvgen.js');
const CHANGESET = join(REPO, 'node_modules/@changesets/cli/bin.js');

let dir: string;
const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};
const git = (...args: string[]) => {
  const r = run('git', args);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.out}`);
  return r.out;
};
const check = () => run(process.execPath, [CHECK, '--base', 'main']);
const editJson = (file: string, fn: (d: any) => void) => {
  const p = join(dir, file);
  const d = JSON.parse(readFileSync(p, 'utf8'));
  fn(d);
  writeFileSync(p, `${JSON.stringify(d, null, 2)}\n`);
};

beforeAll(() => {
  if (!existsSync(join(REPO, 'generator/dist/diff/index.js'))) throw new Error('build the generator first: npx tsc -p generator');
  dir = mkdtempSync(join(tmpdir(), 'mvmqtt-release-'));
  // The workspace skeleton: manifests, the spec, the changesets config.
  const rootPkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: rootPkg.name, private: true, version: '0.0.0', workspaces: rootPkg.workspaces }, null, 2));
  const manifests = ['api-spec', 'generator', 'test', ...readdirSync(join(REPO, 'packages')).map((p) => `packages/${p}`)];
  for (const m of manifests) {
    if (!existsSync(join(REPO, m, 'package.json'))) continue;
    mkdirSync(join(dir, m), { recursive: true });
    cpSync(join(REPO, m, 'package.json'), join(dir, m, 'package.json'));
  }
  cpSync(join(REPO, 'api-spec/spec'), join(dir, 'api-spec/spec'), { recursive: true });
  cpSync(join(REPO, 'api-spec/schema.json'), join(dir, 'api-spec/schema.json'));
  mkdirSync(join(dir, '.changeset'));
  for (const f of ['config.json', 'README.md']) cpSync(join(REPO, '.changeset', f), join(dir, '.changeset', f));
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  git('checkout', '-q', '-b', 'feature');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('changesets configuration', () => {
  it('`changeset status` runs: nothing changed, nothing to release', () => {
    const r = run(process.execPath, [CHANGESET, 'status']);
    expect(r.out).not.toMatch(/error/i);
    expect(r.code).toBe(0);
  });

  it('a changeset for one package releases the whole fixed group, and never the private ones', () => {
    writeFileSync(join(dir, '.changeset/sdk-fix.md'), '---\n"@mvmqtt/sdk": minor\n---\n\nA fix.\n');
    const out = join(dir, 'status.json');
    const r = run(process.execPath, [CHANGESET, 'status', '--output', 'status.json']);
    rmSync(join(dir, '.changeset/sdk-fix.md'));
    expect(r.code, r.out).toBe(0);
    const plan = JSON.parse(readFileSync(out, 'utf8')) as { releases: { name: string; type: string; newVersion: string }[] };
    rmSync(out);
    const names = plan.releases.map((x) => x.name).sort();
    expect(names).toEqual(['@mvmqtt/api-spec', '@mvmqtt/c-headers', '@mvmqtt/device', '@mvmqtt/docs', '@mvmqtt/generator', '@mvmqtt/inspector', '@mvmqtt/mock', '@mvmqtt/sdk']);
    expect(new Set(plan.releases.map((x) => x.newVersion))).toEqual(new Set(['0.2.0']));
  });
});

describe('scripts/check-changeset.mjs', () => {
  it('passes when the spec did not change', () => {
    const r = check();
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('unchanged since main');
  });

  it('fails when the spec changed without a changeset, and says how to write one', () => {
    editJson('api-spec/spec/mqtt.json', (d) => d.functions.find((f: any) => f.name === 'mvMqttReadConnectResponse').errors.pop());
    const r = check();
    expect(r.code).toBe(1);
    expect(r.out).toContain('api-spec/spec/mqtt.json');
    expect(r.out).toContain('no changeset was added');
    expect(r.out).toContain('mvgen diff');
  });

  it('fails when the changeset bumps less than mvgen diff says', () => {
    writeFileSync(join(dir, '.changeset/too-small.md'), '---\n"@mvmqtt/api-spec": patch\n"@mvmqtt/sdk": minor\n---\n\nRemoved a status.\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'spec change with a small changeset');
    const r = check();
    expect(r.code).toBe(1);
    expect(r.out).toContain('mvgen diff says major');
    expect(r.out).toContain('@mvmqtt/api-spec: needs major, has patch');
    expect(r.out).toContain('@mvmqtt/sdk: needs major, has minor');
    expect(r.out).toContain('@mvmqtt/c-headers: needs patch, has nothing');
  });

  it('passes with the changeset `mvgen diff --changeset` writes', () => {
    rmSync(join(dir, '.changeset/too-small.md'));
    const base = mkdtempSync(join(tmpdir(), 'spec-base-'));
    git('--work-tree', base, 'checkout', 'main', '--', 'api-spec/spec');
    git('reset', '-q'); // the checkout above staged main's spec; unstage it
    const d = run(process.execPath, [MVGEN, 'diff', join(base, 'api-spec/spec'), 'api-spec/spec', '--changeset']);
    rmSync(base, { recursive: true, force: true });
    expect(d.code, d.out).toBe(0);
    expect(d.out).toContain('bump: major');
    const r = check();
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/ok — mvgen diff says major \(1 change\(s\)\); covered by \.changeset\/spec-[0-9a-f]{8}-[0-9a-f]{8}\.md/);
    // and changesets itself reads it: the fixed group goes to the next major together
    const s = run(process.execPath, [CHANGESET, 'status', '--output', 'status.json']);
    expect(s.code, s.out).toBe(0);
    const plan = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as { releases: { name: string; newVersion: string }[] };
    expect(new Set(plan.releases.map((x) => x.newVersion))).toEqual(new Set(['1.0.0']));
    expect(plan.releases).toHaveLength(8);
  });
});
