/**
 * `mvgen diff --changeset`: which packages a spec change affects, at which level, written as a
 * changeset (https://github.com/changesets/changesets) into the repository's `.changeset/`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maxBump, type Bump, type Change, type Facet, type Level } from './change.js';
import { formatChange, type DiffResult } from './diff.js';

export interface PackageRole {
  name: string;
  /** Surfaces whose changes reach the package at their own level. */
  facets: readonly Facet[];
  /** Ships generated files; each carries the spec hash in its banner, so any spec change is at least a patch. */
  generated: boolean;
}

const ALL: readonly Facet[] = ['abi', 'api', 'behaviour', 'docs'];

/** What each public package ships, as far as the spec is concerned. */
export const PACKAGE_ROLES: readonly PackageRole[] = [
  { name: '@mvmqtt/api-spec', facets: ALL, generated: true }, // the spec itself and the normalised JSON
  { name: '@mvmqtt/generator', facets: ALL, generated: false }, // generates everything from it (and depends on api-spec)
  { name: '@mvmqtt/c-headers', facets: ['abi'], generated: true }, // C declarations, layout asserts, call addresses
  { name: '@mvmqtt/sdk', facets: ['api'], generated: true }, // TS types, enums, per-call statuses, limits
  { name: '@mvmqtt/mock', facets: ['api', 'behaviour'], generated: true }, // implements the SDK interface, scripted from the spec
  { name: '@mvmqtt/device', facets: ['api', 'behaviour'], generated: false }, // implements the SDK interface, reads limits and errors from the model
  { name: '@mvmqtt/docs', facets: ['docs'], generated: true }, // reference pages for every item
];

/** The level each package must be bumped by for these changes (packages left out: untouched). */
export function packageBumps(changes: readonly Change[], roles: readonly PackageRole[] = PACKAGE_ROLES): Map<string, Level> {
  const out = new Map<string, Level>();
  if (!changes.length) return out;
  for (const role of roles) {
    let bump: Bump = role.generated ? 'patch' : 'none';
    for (const c of changes) if (c.facets.some((f) => role.facets.includes(f))) bump = maxBump(bump, c.level);
    if (bump !== 'none') out.set(role.name, bump);
  }
  return out;
}

/** Deterministic: the same pair of specs always gives the same file name. */
export function changesetFileName(r: DiffResult): string {
  return `spec-${r.before.hash.slice(0, 8)}-${r.after.hash.slice(0, 8)}.md`;
}

export function renderChangeset(r: DiffResult, bumps: Map<string, Level>): string {
  const names = [...bumps.keys()].sort();
  const version = r.before.version === r.after.version ? `${r.after.name} ${r.after.version}` : `${r.after.name} ${r.before.version} → ${r.after.version}`;
  const counts = (['major', 'minor', 'patch'] as const).map((l) => [l, r.changes.filter((c) => c.level === l).length] as const).filter(([, n]) => n);
  return [
    '---',
    ...names.map((n) => `"${n}": ${bumps.get(n)}`),
    '---',
    '',
    `Spec change (${version}): ${r.bump} — ${counts.map(([l, n]) => `${n} ${l}`).join(', ')} (from \`mvgen diff\`).`,
    '',
    ...r.changes.map((c) => `- ${formatChange(c)}`),
    '',
  ].join('\n');
}

/** Public workspace packages of the repository at `root` (changesets rejects unknown names). */
export function workspacePackages(root: string): Set<string> {
  const dirs = ['api-spec', 'generator'].map((d) => join(root, d));
  const pkgs = join(root, 'packages');
  if (existsSync(pkgs)) for (const d of readdirSync(pkgs).sort()) dirs.push(join(pkgs, d));
  const names = new Set<string>();
  for (const d of dirs) {
    const file = join(d, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; private?: boolean };
    if (pkg.name && !pkg.private) names.add(pkg.name);
  }
  return names;
}

/** Writes the changeset into `<root>/.changeset/`; returns its path, or undefined when nothing changed. */
export function writeChangeset(r: DiffResult, root: string): { path: string; bumps: Map<string, Level> } | undefined {
  const present = workspacePackages(root);
  const bumps = new Map([...packageBumps(r.changes)].filter(([name]) => present.has(name)));
  if (r.bump === 'none' || !bumps.size) return undefined;
  const dir = join(root, '.changeset');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, changesetFileName(r));
  writeFileSync(path, renderChangeset(r, bumps));
  return { path, bumps };
}
