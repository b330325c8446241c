/**
 * The workspace's public packages, packed with `npm pack` and installed into a fresh project
 * outside the workspace, the way a user gets them from the registry.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');

export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  description?: string;
  type?: string;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  files?: string[];
  engines?: { node?: string };
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  publishConfig?: { access?: string };
}

export interface WorkspacePackage {
  dir: string; // relative to the repo
  manifest: Manifest;
}

/** Workspace directories from the root `workspaces` globs (`dir` or `dir/*`). */
export function workspacePackages(): WorkspacePackage[] {
  const root = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { workspaces: string[] };
  const dirs = root.workspaces.flatMap((w) =>
    w.endsWith('/*')
      ? readdirSync(join(REPO, w.slice(0, -2)), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => `${w.slice(0, -2)}/${e.name}`)
      : [w],
  );
  return dirs
    .filter((d) => existsSync(join(REPO, d, 'package.json')))
    .sort()
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(REPO, dir, 'package.json'), 'utf8')) as Manifest }));
}

export const publicPackages = () => workspacePackages().filter((p) => !p.manifest.private);

export interface Packed {
  name: string;
  version: string;
  filename: string; // absolute path of the tarball
  files: string[]; // paths inside the package
}

/** `npm pack` every given package into `dest`, in one npm run. */
export function packAll(pkgs: WorkspacePackage[], dest: string): Packed[] {
  const out = execFileSync('npm', ['pack', ...pkgs.map((p) => `./${p.dir}`), '--pack-destination', dest, '--json', '--silent'], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const json = JSON.parse(out) as { name: string; version: string; filename: string; files: { path: string }[] }[];
  return json.map((p) => ({ name: p.name, version: p.version, filename: join(dest, p.filename), files: p.files.map((f) => f.path) }));
}

/** The version of a dependency as installed in the workspace (so it is in the npm cache). */
export function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The environment for npm and npx in the consumer project. Under `npm test` the parent process
 * carries npm lifecycle variables (`npm_config_local_prefix`, `npm_package_*`, ...) that would
 * point npm back at the workspace; only the cache, registry and user config are kept.
 */
export function consumerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || keep.has(k.toLowerCase())));
  return { ...env, ...extra };
}

/** A fresh ESM project in `dir` with the tarballs and the given registry packages installed. */
export function createConsumer(dir: string, tarballs: string[], registryDeps: string[]): void {
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'mvmqtt-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  // --prefer-offline: every dependency is already in the npm cache from the workspace install.
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs, ...registryDeps], {
    cwd: dir,
    encoding: 'utf8',
    env: consumerEnv(),
  });
  if (r.status !== 0) throw new Error(`npm install failed in ${dir}:\n${r.stdout}\n${r.stderr}`);
}

/** Runs a command in the consumer project; never throws, returns status and output. */
export function runIn(dir: string, cmd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): SpawnSyncReturns<string> & { output2: string } {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: consumerEnv(env), timeout: timeoutMs });
  return Object.assign(r, { output2: `${r.stdout ?? ''}${r.stderr ?? ''}` });
}
