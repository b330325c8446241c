/**
 * A user's own spec, outside any repository: `mvgen generate --spec my-spec --out generated`
 * must give output that builds on its own, as in a project that installed the published
 * packages. The C header compiles with gcc; the TypeScript SDK compiles with tsc, taking what
 * is hand-written (the `MvOut` box) from the installed `@mvmqtt/sdk` by package name; the mock
 * compiles and runs, its engine from the installed `@mvmqtt/mock`, answering the user's own call.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTools } from '../../test/support/tools.js';
import { REPO, SPEC_DIR } from './support/spec-copy.js';

const MVGEN = join(REPO, 'generator/bin/mvgen.js');

describeWithTools(['gcc'], 'a spec outside the repository feeds every target', () => {
  let project: string;
  let out: string;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'mvgen-user-'));
    cpSync(SPEC_DIR, join(project, 'my-spec'), { recursive: true });
    // The user's edit: a new call of their own.
    const mqtt = JSON.parse(readFileSync(join(project, 'my-spec/mqtt.json'), 'utf8'));
    mqtt.functions.push({ name: 'mvAcmeBlink', doc: 'Blinks the board LED (a call of the user\'s own).', nsc_address: '0x0c1ff101', params: [], errors: [] });
    writeFileSync(join(project, 'my-spec/mqtt.json'), JSON.stringify(mqtt, null, 2));
    // A spec of their own names no command of this repository's: the banners say what they ran.
    const index = JSON.parse(readFileSync(join(project, 'my-spec/index.json'), 'utf8'));
    delete index.product.regenerate;
    writeFileSync(join(project, 'my-spec/index.json'), JSON.stringify(index, null, 2));
    // What `npm install @mvmqtt/sdk` would give the project (the workspace package, built).
    mkdirSync(join(project, 'node_modules/@mvmqtt'), { recursive: true });
    symlinkSync(join(REPO, 'packages/sdk'), join(project, 'node_modules/@mvmqtt/sdk'), 'dir');
    symlinkSync(join(REPO, 'packages/mock'), join(project, 'node_modules/@mvmqtt/mock'), 'dir');
    const r = spawnSync(process.execPath, [MVGEN, 'generate', '--spec', 'my-spec', '--out', 'generated'], { cwd: project, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    out = join(project, 'generated');
  }, 180_000);

  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('writes every target under --out and nothing beside it', () => {
    expect(readdirSync(project).sort()).toEqual(['generated', 'my-spec', 'node_modules']);
    expect(readdirSync(out).sort()).toEqual(['api-spec', 'packages']);
  });

  it('names the command the user ran in every banner', () => {
    const header = readFileSync(join(out, 'packages/c-headers/include/mvmqtt/mvmqtt.h'), 'utf8');
    expect(header).toContain('Do not edit: change the spec and run `mvgen generate`.');
    const sdk = readFileSync(join(out, 'packages/sdk/src/generated/index.ts'), 'utf8');
    expect(sdk).toContain('// Do not edit: change the spec and run `mvgen generate`.');
    expect(sdk).not.toContain('npm run generate');
  });

  it('gives a C header that compiles on its own, with the new call', () => {
    const probe = join(project, 'probe.c');
    writeFileSync(probe, '#include <mvmqtt/mvmqtt.h>\n#include <mvmqtt/mvmqtt_layout.h>\nenum MvStatus probe(void) { return mvAcmeBlink(); }\n');
    execFileSync('gcc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-pedantic', '-fsyntax-only', '-I', join(out, 'packages/c-headers/include'), probe], { stdio: 'pipe' });
  });

  it('gives TypeScript that compiles on its own, importing the hand-written box by package name', () => {
    const sdk = join(out, 'packages/sdk/src/generated');
    const imports = readdirSync(sdk).flatMap((f) => [...readFileSync(join(sdk, f), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]));
    expect(imports.filter((m) => !m.startsWith('./'))).toEqual(expect.arrayContaining(['@mvmqtt/sdk']));
    expect(imports.filter((m) => m.startsWith('../'))).toEqual([]);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', skipLibCheck: true, types: [] },
        include: ['generated/packages/sdk/src/generated/*.ts'],
      }),
    );
    const r = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', project], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 180_000);

  it('gives a mock that imports its runtime by package name, compiles, and answers calls (the user\'s own among them)', () => {
    const mock = join(out, 'packages/mock/src/generated');
    const imports = readdirSync(mock).flatMap((f) => [...readFileSync(join(mock, f), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]));
    // Nothing from the repository's hand-written mock runtime by path: the package, or the SDK generated beside it.
    expect(imports.filter((m) => m.startsWith('../') && !m.startsWith('../../../sdk/src/generated/'))).toEqual([]);
    expect(imports).toEqual(expect.arrayContaining(['@mvmqtt/mock', '../../../sdk/src/generated/index.js']));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      join(project, 'app.ts'),
      [
        "import { SpecMock } from './generated/packages/mock/src/generated/index.js';",
        "import { MV_STATUS_OKAY, MV_STATUS_PARAMETERFAULT, statusName } from './generated/packages/sdk/src/generated/index.js';",
        'const plain = new SpecMock();',
        "const blinks: number[] = [];",
        'const scripted = new SpecMock({ mvAcmeBlink: (call) => (blinks.push(call.index), MV_STATUS_OKAY) });',
        "plain.engine.force('mvGetMicroseconds', MV_STATUS_PARAMETERFAULT);",
        'const answers = {',
        '  blink: statusName(plain.mvAcmeBlink()),',
        '  forced: statusName(plain.mvGetMicroseconds({ value: 0n })),',
        '  after: statusName(plain.mvGetMicroseconds({ value: 0n })),',
        '  frozenOut: statusName(plain.mvGetMicroseconds(Object.freeze({ value: 0n }))),',
        '  scripted: statusName(scripted.mvAcmeBlink()),',
        '};',
        "let refused = '';",
        "try { plain.engine.force('mvAcmeBlink', MV_STATUS_PARAMETERFAULT); } catch (e) { refused = (e as Error).message; }",
        'console.log(JSON.stringify({ answers, calls: plain.engine.calls.map((c) => c.fn), blinks, refused }));',
      ].join('\n'),
    );
    writeFileSync(
      join(project, 'tsconfig.run.json'),
      JSON.stringify({
        compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', skipLibCheck: true, types: [], outDir: 'built', rootDir: '.' },
        include: ['app.ts', 'generated/packages/sdk/src/generated/*.ts', 'generated/packages/mock/src/generated/*.ts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(project, 'tsconfig.run.json')], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const ran = spawnSync(process.execPath, [join(project, 'built/app.js')], { cwd: project, encoding: 'utf8' });
    expect(ran.stderr).toBe('');
    expect(JSON.parse(ran.stdout)).toEqual({
      answers: { blink: 'MV_STATUS_OKAY', forced: 'MV_STATUS_PARAMETERFAULT', after: 'MV_STATUS_OKAY', frozenOut: 'MV_STATUS_PARAMETERFAULT', scripted: 'MV_STATUS_OKAY' },
      calls: ['mvAcmeBlink', 'mvGetMicroseconds', 'mvGetMicroseconds', 'mvGetMicroseconds'],
      blinks: [0],
      refused: 'SpecMock: mvAcmeBlink cannot return MV_STATUS_PARAMETERFAULT: its error table lists nothing',
    });
  }, 180_000);
});
