import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = join(BENCH_DIR, '..');
export const MVGEN = join(REPO_ROOT, 'generator', 'bin', 'mvgen.js');
export const REAL_SPEC = join(REPO_ROOT, 'api-spec', 'spec', 'index.json');
export const RESULTS_PATH = join(BENCH_DIR, 'results.json');
export const NOISY_RESULTS_PATH = join(BENCH_DIR, 'results.noisy.json');
