/**
 * Makes a synthetic spec N times the size of the real one, for measuring how the generator
 * scales. Every area except the status area gets N-1 renamed copies of each of its items
 * (typedefs, enums, structs, functions, limits), appended to the same area file, so each
 * generated file grows the way it would if the API grew.
 *
 * Copy `k` (2..N) renames every name the copied areas declare and rewrites every reference
 * to them inside the copies (types, error/notification/readable-data constants, limit paths,
 * even doc text), so a copy is a self-consistent second API that passes `mvgen validate`:
 *   PascalCase / camelCase names   MvChannelType      → MvChannelTypeX2
 *   enum constants (by prefix)     MV_CHANNELTYPE_MQTT → MV_CHANNELTYPE_X2_MQTT (sentinel alike)
 *   limits                         CHANNELS_OPEN_MAX  → CHANNELS_OPEN_MAX_X2
 * The status enum (index `status_enum`) is shared, as it would be in a larger real API: copies
 * keep returning the original MvStatus codes. Copied call addresses are shifted by k-1 MiB so
 * they stay distinct and odd (Thumb).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface NamedArea {
  file: string;
  data: Record<string, Json>;
}

const ITEM_LISTS = ['typedefs', 'enums', 'structs', 'functions', 'limits'] as const;

export interface ScaleResult {
  indexPath: string;
  counts: { functions: number; structs: number; enums: number; limits: number; typedefs: number };
}

/** Reads the spec at `indexPath`, writes the scaled copy under `outDir` and returns the new index path. */
export function scaleSpec(indexPath: string, factor: number, outDir: string): ScaleResult {
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`scale factor must be a positive integer, not ${factor}`);
  const index = JSON.parse(readFileSync(indexPath, 'utf8')) as Record<string, Json>;
  const specDir = dirname(indexPath);
  const areas: NamedArea[] = (index.areas as string[]).map((file) => ({ file, data: JSON.parse(readFileSync(join(specDir, file), 'utf8')) }));
  const statusEnum = index.status_enum as string;

  const names = declaredNames(areas, statusEnum);
  // Longest names first, so a name is never matched as the start of a longer one.
  const pattern = new RegExp(`\\b(?:${[...names.keys()].sort((a, b) => b.length - a.length).join('|')})\\b`, 'g');
  const scaled = areas.map((a) => (ownsStatusEnum(a, statusEnum) ? a : { file: a.file, data: scaleArea(a.data, factor, names, pattern) }));

  mkdirSync(outDir, { recursive: true });
  // `$schema` is only an editor hint; the generator finds the schema through its package.
  writeFileSync(join(outDir, 'index.json'), JSON.stringify(index, null, 2) + '\n');
  const counts = { functions: 0, structs: 0, enums: 0, limits: 0, typedefs: 0 };
  for (const a of scaled) {
    writeFileSync(join(outDir, a.file), JSON.stringify(a.data, null, 2) + '\n');
    for (const list of ITEM_LISTS) counts[list] += (a.data[list] as Json[] | undefined)?.length ?? 0;
  }
  return { indexPath: join(outDir, 'index.json'), counts };
}

function ownsStatusEnum(area: NamedArea, statusEnum: string): boolean {
  return ((area.data.enums as { name: string }[] | undefined) ?? []).some((e) => e.name === statusEnum);
}

/** What each renamable name turns into, as a function of the copy number. */
type Renamer = (k: number) => string;

/** Every name the copied areas declare (all areas share one C namespace), with its renaming rule. */
function declaredNames(areas: NamedArea[], statusEnum: string): Map<string, Renamer> {
  const names = new Map<string, Renamer>();
  const suffixed = (name: string): Renamer => (k) => `${name}X${k}`;
  const upperSuffixed = (name: string): Renamer => (k) => `${name}_X${k}`;
  for (const a of areas) {
    if (ownsStatusEnum(a, statusEnum)) continue;
    const d = a.data as Record<string, Record<string, Json>[]>;
    for (const t of d.typedefs ?? []) {
      names.set(t.name as string, suffixed(t.name as string));
      names.set(t.opaque_struct as string, suffixed(t.opaque_struct as string));
    }
    for (const e of d.enums ?? []) {
      names.set(e.name as string, suffixed(e.name as string));
      const sentinel = (e.sentinel as { name: string }).name;
      const prefix = sentinel.replace(/__MAX$/, '_'); // the validator requires every constant to start with it
      const rePrefixed = (name: string): Renamer => (k) => `${prefix}X${k}_${name.slice(prefix.length)}`;
      names.set(sentinel, (k) => `${prefix}X${k}__MAX`);
      for (const c of e.constants as { name: string }[]) names.set(c.name, rePrefixed(c.name));
    }
    for (const s of d.structs ?? []) names.set(s.name as string, suffixed(s.name as string));
    for (const f of d.functions ?? []) names.set(f.name as string, suffixed(f.name as string));
    for (const l of d.limits ?? []) names.set(l.name as string, upperSuffixed(l.name as string));
  }
  return names;
}

function scaleArea(area: Record<string, Json>, factor: number, names: Map<string, Renamer>, pattern: RegExp): Record<string, Json> {
  const out: Record<string, Json> = { ...area };
  for (const list of ITEM_LISTS) {
    const items = (area[list] as Json[] | undefined) ?? [];
    const copies: Json[] = [...items];
    for (let k = 2; k <= factor; k++) {
      const rename = (s: string) => s.replace(pattern, (name) => names.get(name)!(k));
      for (const item of items) copies.push(rewrite(item, rename, k));
    }
    if (area[list] !== undefined) out[list] = copies;
  }
  return out;
}

/** Deep copy of `value` with every string renamed; object keys are field names and stay as they are. */
function rewrite(value: Json, rename: (s: string) => string, k: number, key?: string): Json {
  if (typeof value === 'string') return key === 'nsc_address' ? shiftAddress(value, k) : rename(value);
  if (Array.isArray(value)) return value.map((v) => rewrite(v, rename, k));
  if (value && typeof value === 'object') {
    const o: Record<string, Json> = {};
    for (const [kk, v] of Object.entries(value)) o[kk] = rewrite(v, rename, k, kk);
    return o;
  }
  return value;
}

function shiftAddress(hex: string, k: number): string {
  const shifted = (parseInt(hex, 16) + (k - 1) * 0x100000) >>> 0;
  return `0x${shifted.toString(16).padStart(8, '0')}`;
}
