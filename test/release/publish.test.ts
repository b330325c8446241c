/**
 * Publish for real. On a throw-away copy of the repository (the real tree is never versioned):
 * a changeset is added, `npm run version-packages` (changeset version, spec version, regenerate)
 * and the build run, and `changeset publish` publishes every public package to a local npm
 * registry (verdaccio, started here on 127.0.0.1 with a temporary storage and a port chosen at
 * run time). A fresh project then installs the packages from that registry, as a user would
 * with `@mvmqtt:registry` pointing at it, and there
 * - the smoke app (test/pack/fixtures) compiles with tsc --strict and publishes to a real broker;
 * - a C program compiles against the installed header, which carries the released version;
 * - CMake finds the package at exactly that version.
 */
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runServer } from 'verdaccio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerEnv, installedVersion, publicPackages, REPO, runIn } from '../pack/workspace.js';
import { startAedes } from '../support/brokers.js';
import { describeWithTools } from '../support/tools.js';

const SLOW = 600_000;
const PUBLIC = publicPackages().map((p) => p.manifest.name);
let work: string;
let repo: string; // the copy that is versioned and published
let app: string; // the consumer project
let registry: Server | undefined;
let registryUrl: string;
let released: string; // the version the release gave every package
const timings: Record<string, number> = {};

/** Runs a command in `cwd`, throwing with its output when it fails. */
function must(cwd: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = consumerEnv()): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}) in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * The same, without blocking this process: the registry runs in it, and a synchronous child that
 * talks to the registry would wait forever for an answer this process cannot give.
 */
function mustAsync(cwd: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = consumerEnv()): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

async function timed<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const t = performance.now();
  if (process.env.MVMQTT_PUBLISH_TRACE) console.error(`publish test: ${name} …`);
  try {
    return await fn();
  } finally {
    timings[name] = Math.round(performance.now() - t);
  }
}

/** The repository's tracked files, copied (never the real tree), with a node_modules of links. */
function copyRepository(dest: string): void {
  const files = must(REPO, 'git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard']).split('\0').filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(REPO, f))) continue; // deleted in the working tree
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    cpSync(join(REPO, f), join(dest, f));
  }
  // The release step runs the generator as built in the workspace (its dist/ is not tracked, and
  // reads its version from package.json at run time, so it is published as built).
  cpSync(join(REPO, 'generator/dist'), join(dest, 'generator/dist'), { recursive: true });
  // Third-party packages are linked from the workspace install; @mvmqtt/* point into the copy.
  const modules = join(dest, 'node_modules');
  mkdirSync(join(modules, '@mvmqtt'), { recursive: true });
  for (const entry of readdirSync(join(REPO, 'node_modules'))) {
    if (entry === '@mvmqtt' || entry === '.cache') continue;
    symlinkSync(join(REPO, 'node_modules', entry), join(modules, entry));
  }
  for (const { dir, manifest } of [...publicPackages(), ...['test', 'bench'].map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(REPO, dir, 'package.json'), 'utf8')) }))])
    symlinkSync(join(dest, dir), join(modules, manifest.name));
  // Git: changesets tags the release, and the generator finds the repository root through it.
  const env = { ...consumerEnv(), GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  must(dest, 'git', ['init', '-q', '-b', 'main'], env);
  must(dest, 'git', ['add', '-A'], env);
  must(dest, 'git', ['commit', '-q', '-m', 'copy'], env);
}

/** Starts verdaccio on 127.0.0.1 (a free port) with its storage in `dir`; @mvmqtt/* only, no uplink. */
async function startRegistry(dir: string): Promise<{ server: Server; url: string }> {
  const server = (await runServer({
    self_path: dir,
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 10 } },
    uplinks: {},
    packages: { '@mvmqtt/*': { access: '$all', publish: '$authenticated' }, '**': { access: '$all' } },
    web: { enable: false },
    log: { type: 'stdout', format: 'pretty', level: 'error' },
  } as never)) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mvmqtt-publish-'));
  repo = join(work, 'repo');
  app = join(work, 'app');
  ({ server: registry, url: registryUrl } = await timed('registry', () => startRegistry(join(work, 'registry'))));

  // A publisher account, and an npm config that publishes to the local registry with its token.
  const user = await fetch(`${registryUrl}-/user/org.couchdb.user:release`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'release', password: 'release-password' }),
  });
  const { token } = (await user.json()) as { token: string };
  const npmrc = join(work, 'publisher.npmrc');
  writeFileSync(npmrc, `registry=${registryUrl}\n${registryUrl.replace(/^http:/, '')}:_authToken=${token}\n`);
  const publisher = consumerEnv({ npm_config_userconfig: npmrc, npm_config_registry: registryUrl });

  await timed('copy', () => copyRepository(repo));
  // A minor release: the changeset a contributor would have written.
  writeFileSync(join(repo, '.changeset/release-test.md'), '---\n"@mvmqtt/sdk": minor\n---\n\nA feature for the release test.\n');
  await timed('version', () => must(repo, process.execPath, ['scripts/version-packages.mjs']));
  released = JSON.parse(readFileSync(join(repo, 'packages/sdk/package.json'), 'utf8')).version;
  await timed('build', () => must(repo, process.execPath, ['node_modules/turbo/bin/turbo', 'run', 'build', '--only', '--filter=!@mvmqtt/bench', '--filter=!@mvmqtt/test', '--filter=!@mvmqtt/generator', '--output-logs=errors-only'], { ...consumerEnv(), TURBO_TELEMETRY_DISABLED: '1' }));
  await timed('publish', () => mustAsync(repo, process.execPath, ['node_modules/@changesets/cli/bin.js', 'publish'], publisher));

  // The user's project: @mvmqtt from the local registry, everything else as usual (here: the npm cache).
  mkdirSync(app);
  cpSync(join(REPO, 'test/pack/fixtures'), app, { recursive: true });
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'mvmqtt-user', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  writeFileSync(join(app, '.npmrc'), `@mvmqtt:registry=${registryUrl}\n`);
  await timed('install', () =>
    mustAsync(app, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', '@mvmqtt/sdk', '@mvmqtt/device', '@mvmqtt/c-headers', `typescript@${installedVersion('typescript')}`, `@types/node@${installedVersion('@types/node')}`]),
  );
}, SLOW);

afterAll(async () => {
  console.log(`publish test: ${Object.entries(timings).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
  if (registry) await new Promise<void>((resolve) => registry!.close(() => resolve()));
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('changeset version + changeset publish to a local registry', () => {
  it('released one new version for every public package, the spec included, and left the real tree alone', () => {
    const before = JSON.parse(readFileSync(join(REPO, 'packages/sdk/package.json'), 'utf8')).version as string;
    expect(released).not.toBe(before);
    const [major, minor] = before.split('.').map(Number);
    expect(released).toBe(`${major}.${minor + 1}.0`);
    expect(JSON.parse(readFileSync(join(repo, 'api-spec/spec/index.json'), 'utf8')).version).toBe(released);
    expect(existsSync(join(repo, '.changeset/release-test.md'))).toBe(false);
    expect(existsSync(join(REPO, '.changeset/release-test.md'))).toBe(false);
  });

  it('the registry serves every public package at that version', async () => {
    for (const name of PUBLIC) {
      const meta = (await (await fetch(`${registryUrl}${name.replace('/', '%2f')}`)).json()) as { 'dist-tags'?: { latest?: string } };
      expect(meta['dist-tags']?.latest, name).toBe(released);
    }
  });

  it('installed them from the registry, at that version', () => {
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; resolved?: string }> };
    for (const name of ['@mvmqtt/sdk', '@mvmqtt/device', '@mvmqtt/c-headers']) {
      const entry = lock.packages[`node_modules/${name}`];
      expect(entry?.version, name).toBe(released); // a version that exists only in the local registry
    }
  });

  it('the smoke app compiles with tsc --strict and publishes to a real broker', async () => {
    const tsc = runIn(app, 'npx', ['--no-install', 'tsc', '-p', 'tsconfig.json', '--strict']);
    expect(tsc.status, tsc.output2).toBe(0);
    const broker = await startAedes();
    try {
      const topic = `publish/${process.pid}`;
      const seen = new Promise<string>((resolve) =>
        broker.broker.on('publish', (packet, client) => {
          if (client && packet.topic === topic) resolve(packet.payload.toString());
        }),
      );
      const r = await new Promise<{ code: number; out: string }>((resolve) =>
        execFile(process.execPath, ['out/app.js'], { cwd: app, env: consumerEnv({ MQTT_URL: broker.url, MQTT_TOPIC: topic, MQTT_PAYLOAD: `release ${released}` }), timeout: 30_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? 1 : 0, out: `${stdout}${stderr}` }),
        ),
      );
      expect(r.code, r.out).toBe(0);
      expect(await seen).toBe(`release ${released}`);
    } finally {
      await broker.close();
    }
  });
});

describeWithTools(['gcc'], 'C from the installed @mvmqtt/c-headers', () => {
  it('compiles warning-free against the header, which names the released version', () => {
    writeFileSync(join(app, 'version.c'), '#include <stdio.h>\n#include <mvmqtt/mvmqtt.h>\nint main(void) { puts(MVMQTT_SPEC_VERSION_STRING); return 0; }\n');
    const cc = runIn(app, 'gcc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-pedantic', '-I', 'node_modules/@mvmqtt/c-headers/include', 'version.c', '-o', 'version']);
    expect(cc.status, cc.output2).toBe(0);
    const out = runIn(app, join(app, 'version'), []);
    expect(out.stdout.trim()).toBe(released);
  });
});

describeWithTools(['cmake', 'gcc'], 'CMake from the installed @mvmqtt/c-headers', () => {
  it('find_package(mvmqtt <released> EXACT CONFIG) finds it', () => {
    const src = join(app, 'cmake-user');
    mkdirSync(src);
    writeFileSync(
      join(src, 'CMakeLists.txt'),
      `cmake_minimum_required(VERSION 3.16)\nproject(user C)\nfind_package(mvmqtt ${released} EXACT CONFIG REQUIRED)\nmessage(STATUS "mvmqtt version \${mvmqtt_VERSION}")\n`,
    );
    const r = runIn(app, 'cmake', ['-S', src, '-B', join(src, 'build'), `-DCMAKE_PREFIX_PATH=${join(app, 'node_modules/@mvmqtt/c-headers')}`]);
    expect(r.status, r.output2).toBe(0);
    expect(r.stdout).toContain(`mvmqtt version ${released}`);
    expect(lstatSync(join(src, 'build')).isDirectory()).toBe(true);
  });
});
