/**
 * Pack and install: every public package is packed with `npm pack`, the tarballs are installed
 * into a fresh project outside the workspace, and there
 * - an ESM TypeScript program that imports the SDK and the device core passes `tsc --strict`
 *   and connects and publishes to a real broker (aedes, started here);
 * - `npx mvgen` validates and regenerates from a copy of the published spec, reproducing the
 *   published C header and SDK declarations byte for byte;
 * - a C program compiles against the installed headers and agrees with the published
 *   normalised spec on every struct size.
 * The metadata of each package (name, version, license, engines, files, exports, README) is
 * checked against what the tarball really contains.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithTools } from '../support/tools.js';
import { startAedes, type AedesHarness } from '../support/brokers.js';
import { consumerEnv, createConsumer, installedVersion, packAll, publicPackages, REPO, runIn, type Packed, type WorkspacePackage } from './workspace.js';

const SLOW = 300_000;
const pkgs: WorkspacePackage[] = publicPackages();
let work: string;
let app: string; // the consumer project
let packed: Packed[] = [];
const timings: Record<string, number> = {};

/** Paths a package.json points at that must be inside the tarball. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports && typeof exports === 'object') return Object.values(exports).flatMap(exportTargets);
  return [];
}
const inTarball = (p: Packed, target: string) => {
  const path = target.replace(/^\.\//, '');
  if (!path.includes('*')) return p.files.includes(path);
  const [prefix] = path.split('*');
  return p.files.some((f) => f.startsWith(prefix));
};
const node = (dir: string) => join(app, 'node_modules', dir);

beforeAll(() => {
  let t = performance.now();
  work = mkdtempSync(join(tmpdir(), 'mvmqtt-pack-'));
  app = join(work, 'app');
  cpSync(join(import.meta.dirname, 'fixtures'), app, { recursive: true });
  packed = packAll(pkgs, work);
  timings.pack = performance.now() - t;
  t = performance.now();
  createConsumer(
    app,
    packed.map((p) => p.filename),
    [`typescript@${installedVersion('typescript')}`, `@types/node@${installedVersion('@types/node')}`],
  );
  timings.install = performance.now() - t;
}, SLOW);

afterAll(() => {
  console.log(`pack-and-install: npm pack ${Math.round(timings.pack)} ms, npm install ${Math.round(timings.install)} ms (${packed.length} packages)`);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('public packages: metadata matches what npm pack ships', () => {
  it('packs every public workspace package, and no private one', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(pkgs.map((p) => p.manifest.name).sort());
    expect(packed.map((p) => p.name)).not.toContain('@mvmqtt/test');
  });

  for (const { dir, manifest: m } of pkgs) {
    describe(m.name, () => {
      const tarball = () => packed.find((p) => p.name === m.name)!;

      it('has a scoped name, a semver version, a license, engines, a files list and public access', () => {
        expect(m.name).toMatch(/^@mvmqtt\/[a-z0-9-]+$/);
        expect(m.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
        expect(m.license).toBe('MIT');
        expect(m.engines?.node).toMatch(/^>=\d+/);
        expect(m.files?.length, `${dir}/package.json needs "files"`).toBeGreaterThan(0);
        expect(m.description).toBeTruthy();
        expect(m.publishConfig?.access, 'a scoped package is private on npm unless published with access public').toBe('public');
      });

      it('ships a README', () => {
        expect(tarball().files, `${dir}/README.md is missing from the tarball`).toContain('README.md');
      });

      it('ships everything its exports, main, types and bin point at', () => {
        const targets = [...exportTargets(m.exports), ...(m.main ? [m.main] : []), ...(m.types ? [m.types] : []), ...Object.values(m.bin ?? {})];
        for (const t of targets) expect(inTarball(tarball(), t), `${m.name}: "${t}" is not in the tarball (not built, or not in "files")`).toBe(true);
      });

      if (m.main || m.types) {
        it('exports its entry point with types first (ESM)', () => {
          const root = (m.exports ?? {})['.'] as Record<string, string> | undefined;
          expect(root, `${m.name} needs an "exports" map with "."`).toBeDefined();
          expect(m.type).toBe('module');
        });
      }

      it('gives every code entry of its exports map types first, then import and default (so require() finds it)', () => {
        for (const [entry, target] of Object.entries(m.exports ?? {})) {
          if (typeof target === 'string') continue; // a plain file (JSON, package.json)
          const conditions = target as Record<string, string>;
          expect(Object.keys(conditions), `${m.name} "${entry}"`).toEqual(['types', 'import', 'default']);
          expect(conditions.default, `${m.name} "${entry}"`).toBe(conditions.import);
        }
      });

      it('ships the sources its source maps point at', () => {
        const files = new Set(tarball().files);
        const maps = tarball().files.filter((f) => f.endsWith('.map'));
        for (const map of maps) {
          const { sources } = JSON.parse(readFileSync(node(join(m.name, map)), 'utf8')) as { sources: string[] };
          for (const source of sources) {
            const path = posix.normalize(posix.join(posix.dirname(map), source));
            expect(files.has(path), `${m.name}: ${map} points at ${path}, which is not in the tarball`).toBe(true);
          }
        }
        // Every compiled file that names a map names one that is there.
        for (const js of tarball().files.filter((f) => /\.(js|d\.ts)$/.test(f) && files.has(`${f}.map`) === false)) {
          const text = readFileSync(node(join(m.name, js)), 'utf8');
          expect(/\/\/# sourceMappingURL=(?!data:)/.test(text), `${m.name}: ${js} names a source map that is not shipped`).toBe(false);
        }
      });

      it("carries the release's one version: the spec's, which the C header and CMake package carry too", () => {
        const spec = JSON.parse(readFileSync(join(REPO, 'api-spec/spec/index.json'), 'utf8')) as { version: string };
        expect(m.version, 'npm run version-packages keeps the spec and the packages in step').toBe(spec.version);
      });

      it('depends on the other @mvmqtt packages at exactly their current versions', () => {
        for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
          const other = pkgs.find((p) => p.manifest.name === dep);
          if (other) expect(range, `${m.name} → ${dep}`).toBe(other.manifest.version);
        }
      });
    });
  }
});

describe('installed outside the workspace', () => {
  it('installs every tarball into a fresh project', () => {
    expect(app.startsWith(join(tmpdir()))).toBe(true);
    for (const p of packed) expect(existsSync(node(p.name)), p.name).toBe(true);
    // Nothing resolved from the workspace: each @mvmqtt package came from its tarball.
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string; link?: boolean }> };
    for (const p of packed) expect(lock.packages[`node_modules/${p.name}`]?.link, p.name).toBeUndefined();
  });

  describe('an ESM TypeScript program using the SDK and the device core', () => {
    let broker: AedesHarness | undefined;
    beforeAll(async () => {
      broker = await startAedes();
    });
    afterAll(async () => broker?.close());

    it('compiles with tsc --strict, published .d.ts files included', () => {
      const r = runIn(app, 'npx', ['--no-install', 'tsc', '-p', 'tsconfig.json', '--strict']);
      expect(r.status, r.output2).toBe(0);
    });

    it('loads every entry point with require() too (CommonJS consumers on Node >= 20.19)', () => {
      const entries = pkgs.flatMap(({ manifest }) =>
        Object.entries(manifest.exports ?? {})
          .filter(([, target]) => typeof target === 'object')
          .map(([entry]) => (entry === '.' ? manifest.name : `${manifest.name}/${entry.slice(2)}`)),
      );
      expect(entries).toContain('@mvmqtt/device');
      writeFileSync(
        join(app, 'require.cjs'),
        `for (const id of ${JSON.stringify(entries)}) console.log(id, Object.keys(require(id)).length);\n`,
      );
      const r = runIn(app, process.execPath, ['require.cjs']);
      expect(r.status, r.output2).toBe(0);
      const loaded = r.stdout.trim().split('\n').map((l) => l.split(' '));
      expect(loaded.map(([id]) => id)).toEqual(entries);
      for (const [id, exported] of loaded) expect(Number(exported), `${id} exports nothing through require()`).toBeGreaterThan(0);
    });

    it('connects and publishes to a real broker', async () => {
      const topic = `pack/${process.pid}`;
      const payload = `hello from the packed packages ${Date.now()}`;
      const seen = new Promise<{ topic: string; payload: string; qos: number }>((resolve) =>
        broker!.broker.on('publish', (packet, client) => {
          if (client && packet.topic === topic) resolve({ topic: packet.topic, payload: packet.payload.toString(), qos: packet.qos });
        }),
      );
      // Asynchronous on purpose: the broker lives in this process and must keep serving.
      const run = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, ['out/app.js'], { cwd: app, env: consumerEnv({ MQTT_URL: broker!.url, MQTT_TOPIC: topic, MQTT_PAYLOAD: payload }), timeout: 30_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
      const r = await run;
      expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
      expect(await seen).toEqual({ topic, payload, qos: 1 });
      const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
      const limits = (JSON.parse(readFileSync(node('@mvmqtt/api-spec/generated/mvmqtt.json'), 'utf8')) as { limits: { name: string; value?: number }[] }).limits;
      const topicsMax = limits.find((l) => l.name === 'MQTT_TOPICS_PER_REQUEST_MAX')!.value;
      expect(report).toEqual({ refused: 'MV_STATUS_INVALIDHANDLE', reasonCode: 0, topicsPerRequestMax: topicsMax });
    });
  });

  describe('npx mvgen on a copy of the published spec', () => {
    beforeAll(() => cpSync(node('@mvmqtt/api-spec/spec'), join(app, 'spec'), { recursive: true }));

    it('validates it', () => {
      const r = runIn(app, 'npx', ['--no-install', 'mvgen', 'validate', 'spec']);
      expect(r.status, r.output2).toBe(0);
      expect(r.stdout).toMatch(/is valid/);
    });

    it('regenerates everything, reproducing the published header and SDK declarations', () => {
      const r = runIn(app, 'npx', ['--no-install', 'mvgen', 'generate', '--spec', 'spec', '--out', 'gen']);
      expect(r.status, r.output2).toBe(0);
      const same = (generated: string, published: string) => expect(readFileSync(join(app, 'gen', generated), 'utf8')).toBe(readFileSync(node(published), 'utf8'));
      same('packages/c-headers/include/mvmqtt/mvmqtt.h', '@mvmqtt/c-headers/include/mvmqtt/mvmqtt.h');
      same('api-spec/generated/mvmqtt.json', '@mvmqtt/api-spec/generated/mvmqtt.json');
      same('packages/sdk/src/generated/index.ts', '@mvmqtt/sdk/src/generated/index.ts');
      const check = runIn(app, 'npx', ['--no-install', 'mvgen', 'check', '--spec', 'spec', '--out', 'gen']);
      expect(check.status, check.output2).toBe(0);
    });

    it('diffs the copy against the published spec after an edit', () => {
      const file = join(app, 'spec/mqtt.json');
      const spec = JSON.parse(readFileSync(file, 'utf8'));
      spec.limits.find((l: { name: string }) => l.name === 'MQTT_TOPICS_PER_REQUEST_MAX').value = 4;
      writeFileSync(file, JSON.stringify(spec, null, 2));
      const r = runIn(app, 'npx', ['--no-install', 'mvgen', 'diff', node('@mvmqtt/api-spec/spec'), 'spec']);
      expect(r.status, r.output2).toBe(0);
      expect(r.stdout).toMatch(/^major: mqtt\.json#\/limits\/\d+\/value: limit MQTT_TOPICS_PER_REQUEST_MAX: ≤ 8 → ≤ 4 \(stricter\)\nbump: major\n$/);
    });
  });

  describeWithTools(['gcc'], 'a C program against the installed headers', () => {
    it('compiles warning-free and agrees with the published spec on every struct size (x86_64)', () => {
      const normalised = JSON.parse(readFileSync(node('@mvmqtt/api-spec/generated/mvmqtt.json'), 'utf8')) as {
        spec: { hash: string };
        structs: { name: string; layout: { x86_64: { size: number } } }[];
      };
      const include = node('@mvmqtt/c-headers/include');
      const cc = (...args: string[]) => runIn(app, 'gcc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-pedantic', '-I', include, ...args]);
      // The prototypes: compile only, as the calls live at fixed addresses on the device.
      writeFileSync(
        join(app, 'calls.c'),
        '#include <mvmqtt/mvmqtt.h>\n' +
          'enum MvStatus (*const connect_call)(MvChannelHandle, const struct MvMqttConnectRequest *) = mvMqttRequestConnect;\n' +
          'enum MvStatus (*const publish_call)(MvChannelHandle, const struct MvMqttPublishRequest *) = mvMqttRequestPublish;\n',
      );
      const compiled = cc('-c', 'calls.c', '-o', 'calls.o');
      expect(compiled.status, compiled.output2).toBe(0);
      // The types: build and run a program that prints what the compiler made of them.
      writeFileSync(
        join(app, 'sizes.c'),
        [
          '#include <stdio.h>',
          '#include <mvmqtt/mvmqtt.h>',
          'int main(void) {',
          '  printf("hash %s\\n", MVMQTT_SPEC_HASH);',
          ...normalised.structs.map((s) => `  printf("%s %zu\\n", "${s.name}", sizeof(struct ${s.name}));`),
          '  return 0;',
          '}',
          '',
        ].join('\n'),
      );
      const build = cc('sizes.c', '-o', 'sizes');
      expect(build.status, build.output2).toBe(0);
      const out = runIn(app, join(app, 'sizes'), []);
      expect(out.status, out.output2).toBe(0);
      const got = Object.fromEntries(out.stdout.trim().split('\n').map((l) => l.split(' ')));
      expect(got.hash).toBe(normalised.spec.hash);
      for (const s of normalised.structs) expect(Number(got[s.name]), `sizeof(struct ${s.name})`).toBe(s.layout.x86_64.size);
    });
  });
});
