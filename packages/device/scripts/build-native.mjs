/**
 * Builds the shared-memory call channel addon (native/mvhost_shm.c) into dist/native with the
 * system C compiler and the Node-API headers of the running Node. Part of `npm run build` (and so
 * of `npm ci`'s prepare). Nothing is downloaded: when there is no compiler or no headers, it says
 * so and the host bridge uses its socket transport (slower, same behaviour).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'mvhost_shm.c');
const out = join(root, 'dist', 'native', 'mvhost_shm.node');

if (process.platform !== 'linux') {
  console.log('mvhost_shm addon: not built (Linux only); host firmware runs use the socket transport');
  process.exit(0);
}
// Headers of this very Node: <prefix>/include/node (official tarballs and distribution packages).
const headers = [join(dirname(process.execPath), '..', 'include', 'node'), process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node')]
  .filter(Boolean)
  .find((dir) => existsSync(join(dir, 'node_api.h')));
const cc = process.env.CC || 'cc';
if (!headers) {
  console.log(`mvhost_shm addon: not built, no node_api.h next to ${process.execPath}; host firmware runs use the socket transport`);
  process.exit(0);
}
mkdirSync(dirname(out), { recursive: true });
const r = spawnSync(cc, ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-fPIC', '-shared', '-fvisibility=hidden', `-I${headers}`, '-o', out, source], { encoding: 'utf8' });
if (r.error || r.status !== 0) {
  console.log(`mvhost_shm addon: not built (${cc} failed); host firmware runs use the socket transport\n${r.error?.message ?? ''}${r.stderr ?? ''}`);
  process.exit(0);
}
