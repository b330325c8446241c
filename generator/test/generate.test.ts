/**
 * The pipeline's promises about output: byte-identical runs, a banner naming generator and
 * spec, writes only when content changes, stale files removed, `check` catching drift, and
 * nothing written when the spec is invalid. Runs the real CLI (compiled) in a child process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copySpec, REPO, type SpecCopy } from './support/spec-copy.js';
import { GENERATOR_VERSION } from '../src/index.js';

const MVGEN = join(REPO, 'generator/bin/mvgen.js');
const mvgen = (...args: string[]) => spawnSync(process.execPath, [MVGEN, ...args], { encoding: 'utf8', cwd: REPO });

let spec: SpecCopy | undefined;
const temps: string[] = [];
afterEach(() => {
  spec?.dispose();
  spec = undefined;
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mvgen-out-'));
  temps.push(d);
  return d;
};

/** Every file under `dir` → its bytes, for byte-for-byte comparison. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'latin1'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

beforeAll(() => {
  // The CLI runs the compiled generator: make sure dist/ is current.
  execFileSync('npx', ['tsc', '-p', join(REPO, 'generator')], { stdio: 'inherit' });
}, 180_000);

describe('mvgen generate', () => {
  it('produces byte-identical output on two runs into two directories', () => {
    const [a, b] = [tempDir(), tempDir()];
    for (const out of [a, b]) expect(mvgen('generate', '--spec', join(REPO, 'api-spec/spec'), '--out', out).status).toBe(0);
    const sa = snapshot(a);
    expect(sa.size).toBeGreaterThan(0);
    expect(snapshot(b)).toEqual(sa);
  });

  it('starts every generated file with a banner naming the generator version and the spec hash', () => {
    const out = tempDir();
    expect(mvgen('generate', '--spec', join(REPO, 'api-spec/spec'), '--out', out).status).toBe(0);
    const files = snapshot(out);
    for (const [path, text] of files) {
      const head = text.split('\n').slice(0, 6).join('\n');
      expect(head, path).toContain(`mvgen ${GENERATOR_VERSION}`);
      expect(head, path).toMatch(/spec mvmqtt \d+\.\d+\.\d+ \(sha256 [0-9a-f]{16}\)/);
    }
  });

  it('writes nothing on a second run and says so', () => {
    const out = tempDir();
    expect(mvgen('generate', '--spec', join(REPO, 'api-spec/spec'), '--out', out).status).toBe(0);
    const mtimes = [...snapshot(out).keys()].map((p) => statSync(join(out, p)).mtimeMs);
    const second = mvgen('generate', '--spec', join(REPO, 'api-spec/spec'), '--out', out);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/0 written — everything already up to date/);
    expect([...snapshot(out).keys()].map((p) => statSync(join(out, p)).mtimeMs)).toEqual(mtimes);
  });

  it('rewrites only the files whose content changed', () => {
    spec = copySpec();
    expect(mvgen('generate', '--spec', spec.index, '--target', 'json').status).toBe(0);
    const file = join(spec.root, 'api-spec/generated/mvmqtt.json');
    const before = readFileSync(file, 'utf8');
    spec.edit('network.json', (d) => (d.functions[0].doc = 'A changed doc string.'));
    const run = mvgen('generate', '--spec', spec.index, '--target', 'json');
    expect(run.stdout).toMatch(/1 files, 1 written/);
    expect(readFileSync(file, 'utf8')).not.toBe(before);
    expect(readFileSync(file, 'utf8')).toContain('A changed doc string.');
  });

  it('removes a stale file from a directory the target owns', () => {
    spec = copySpec();
    expect(mvgen('generate', '--spec', spec.index, '--target', 'json').status).toBe(0);
    const stale = join(spec.root, 'api-spec/generated/old-name.json');
    writeFileSync(stale, '{}\n');
    expect(mvgen('check', '--spec', spec.index, '--target', 'json').stderr).toMatch(/extra: {3}api-spec\/generated\/old-name.json/);
    expect(mvgen('generate', '--spec', spec.index, '--target', 'json').stdout).toMatch(/1 stale removed/);
    expect(existsSync(stale)).toBe(false);
  });

  it('touches no file when the spec is invalid, and exits 1 with the diagnostics', () => {
    spec = copySpec();
    expect(mvgen('generate', '--spec', spec.index).status).toBe(0);
    const before = snapshot(spec.root);
    spec.edit('mqtt.json', (d) => (d.enums[0].constants[1].value = 0));
    const after = snapshot(spec.root);
    const run = mvgen('generate', '--spec', spec.index);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/mqtt\.json:\d+:\d+: error: value 0 of "MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED" is already used/);
    expect(run.stderr).toMatch(/nothing was written/);
    // Only the edited spec file differs from the first snapshot: no generated file moved.
    const changed = [...after.keys()].filter((k) => after.get(k) !== before.get(k));
    expect(changed).toEqual(['api-spec/spec/mqtt.json']);
    expect(snapshot(spec.root)).toEqual(after);
  });

  it('needs --out for a spec outside a repository layout', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'myspec'));
    for (const f of readdirSync(join(REPO, 'api-spec/spec'))) writeFileSync(join(dir, 'myspec', f), readFileSync(join(REPO, 'api-spec/spec', f)));
    const run = mvgen('generate', '--spec', join(dir, 'myspec'));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/give --out DIR/);
  });
});

describe('mvgen check', () => {
  it('passes on the committed generated files', () => {
    const run = mvgen('check');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('fails and names a hand-edited generated file', () => {
    spec = copySpec();
    expect(mvgen('generate', '--spec', spec.index).status).toBe(0);
    const file = join(spec.root, 'api-spec/generated/mvmqtt.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"version": "[^"]+"/, '"version": "9.9.9"'));
    const run = mvgen('check', '--spec', spec.index);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/stale: {3}api-spec\/generated\/mvmqtt\.json differs/);
  });

  it('fails when the spec changed but the output was not regenerated', () => {
    spec = copySpec();
    expect(mvgen('generate', '--spec', spec.index, '--target', 'json').status).toBe(0);
    spec.edit('index.json', (d) => (d.version = '1.0.1'));
    const run = mvgen('check', '--spec', spec.index, '--target', 'json');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/1 generated file\(s\) out of date/);
  });
});

describe('mvgen validate', () => {
  it('prints a summary for the real spec', () => {
    const run = mvgen('validate');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/mvmqtt \d+\.\d+\.\d+ is valid — 15 areas, 71 functions, 35 structs, 22 enums/);
  });
  it('exits 2 on a usage error', () => {
    expect(mvgen('generate', '--target', 'nope').status).toBe(2);
    expect(mvgen('frobnicate').status).toBe(2);
  });
});
