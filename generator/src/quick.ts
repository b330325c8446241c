/**
 * The first thing `mvgen` runs: answers `generate`/`check` at once when the stamp (stamp.ts)
 * proves that nothing changed, before the CLI and its emitters are even loaded. Returns the
 * exit code when it answered, undefined when the full CLI must run (any other command, any
 * option it does not know, no stamp, or a stale one).
 */
import { performance } from 'node:perf_hooks';
import { findRepoRoot, impliedOutRoot, resolveSpecPath } from './locate.js';
import { freshStamp } from './stamp.js';

export function quickExit(argv: string[]): number | undefined {
  const [command, ...rest] = argv;
  if (command !== 'generate' && command !== 'check') return undefined;
  let spec: string | undefined;
  let out: string | undefined;
  let quiet = false;
  const targets: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = rest[i + 1];
    if ((arg === '--spec' || arg === '--out' || arg === '--target' || arg === '-t') && (value === undefined || value.startsWith('-'))) return undefined;
    if (arg === '--spec') spec = rest[++i];
    else if (arg === '--out') out = rest[++i];
    else if (arg === '--target' || arg === '-t') targets.push(...rest[++i].split(','));
    else if (arg === '--quiet' || arg === '-q') quiet = true;
    else if (!arg.startsWith('-') && spec === undefined) spec = arg;
    else return undefined;
  }
  const root = spec === undefined ? findRepoRoot() : undefined;
  const specPath = spec ?? (root ? `${root}/api-spec/spec/index.json` : undefined);
  if (!specPath) return undefined;
  const outRoot = out ?? impliedOutRoot(specPath);
  if (!outRoot) return undefined;
  const stamp = freshStamp(resolveSpecPath(specPath), outRoot, targets);
  if (!stamp) return undefined;

  const ms = `${Math.round(performance.now())} ms`;
  const files = stamp.targets.reduce((n, t) => n + t.files, 0);
  if (command === 'check') {
    console.log(`mvgen check: all ${files} generated files match ${stamp.spec.name} ${stamp.spec.version} (${ms})`);
    return 0;
  }
  if (!quiet) for (const t of stamp.targets) console.log(`  ${t.target.padEnd(6)} ${t.files} files, 0 written, ${t.files} unchanged`);
  console.log(`mvgen generate: ${files} files, 0 written — everything already up to date (${ms})`);
  return 0;
}
