/**
 * The config store a device fetches from (mvSendConfigFetchRequest): what the Microvisor cloud
 * holds for the account and for this device. One parser for the device core and the mock:
 *
 *   { "device" | "account": { "config" | "secret": { "<key>": VALUE } } }
 *
 * VALUE is a string (delivered as its UTF-8 bytes) or { "file": PATH, "encoding": "raw" | "hex" | "base64" }:
 * the file is read as bytes and delivered as they are, or as hex or base64 text. Given in code
 * (not from a JSON file), a VALUE may also be a Uint8Array, delivered as it is.
 * A bad store is one `ConfigStoreError` naming the file, the JSON pointer and what is wrong.
 *
 * Files are read with node:fs unless the caller passes its own `readFile` (relative paths are the
 * working directory's). A value's relative PATH resolves against the store file's folder, or the
 * working directory for a document given in code.
 */
import {
  LIMITS,
  MV_CONFIGKEYFETCHSCOPE_ACCOUNT,
  MV_CONFIGKEYFETCHSCOPE_DEVICE,
  MV_CONFIGKEYFETCHSTORE_CONFIG,
  MV_CONFIGKEYFETCHSTORE_SECRET,
  MV_STATUS_INVALIDCONFIGKEY,
  MV_STATUS_LATEFAULT,
  MV_STATUS_UNKNOWNCONFIGSCOPE,
  MV_STATUS_UNKNOWNCONFIGSTORE,
  MvConfigKeyFetchScope,
  MvConfigKeyFetchStore,
} from '../generated/index.js';
import type { MvConfigKeyFetchParams } from '../generated/index.js';
import { isObject, isUint } from './arguments.js';
import { nodeFs } from './node-fs.js';

// The SDK builds without DOM or Node types; both runtimes provide TextEncoder and TextDecoder.
declare const TextEncoder: new () => { encode(text: string): Uint8Array };
declare const TextDecoder: new (label: string, options: { fatal: boolean }) => { decode(bytes: Uint8Array): string };
const encoder = new TextEncoder();

const SCOPE_VALUES: ReadonlySet<unknown> = new Set(Object.values(MvConfigKeyFetchScope));
const STORE_VALUES: ReadonlySet<unknown> = new Set(Object.values(MvConfigKeyFetchStore));
const latin1 = new TextDecoder('latin1', { fatal: false });
const PRINTABLE = /^[ -~]+$/;

/** mvSendConfigFetchRequest on one key to fetch: the status for a scope or a store that is no value of its enum (scope first). */
export function unknownScopeOrStore(scope: unknown, store: unknown): typeof MV_STATUS_UNKNOWNCONFIGSCOPE | typeof MV_STATUS_UNKNOWNCONFIGSTORE | undefined {
  if (!SCOPE_VALUES.has(scope)) return MV_STATUS_UNKNOWNCONFIGSCOPE;
  if (!STORE_VALUES.has(store)) return MV_STATUS_UNKNOWNCONFIGSTORE;
  return undefined;
}

/** A key to fetch as text, or undefined when it is empty or not printable ASCII (INVALIDCONFIGKEY). */
export function configKeyText(key: Uint8Array | undefined): string | undefined {
  const text = key ? latin1.decode(key) : '';
  return PRINTABLE.test(text) ? text : undefined;
}

/** A key to fetch as the kernel sent it. */
export interface ConfigKeySeen {
  scope: number;
  store: number;
  key: string;
}

/** The bytes a key's `MvSizedString` names (empty: undefined), or null when they cannot be read. */
function keyBytes(s: unknown): Uint8Array | undefined | null {
  if (!isObject(s) || !isUint(s.length, 32)) return null;
  if (s.length === 0) return undefined;
  const data = typeof s.data === 'string' ? encoder.encode(s.data) : s.data;
  return data instanceof Uint8Array && data.byteLength >= s.length ? data.subarray(0, s.length) : null;
}

/**
 * mvSendConfigFetchRequest's keys, read one by one as the kernel sends them, once the argument
 * checks passed the request: a scope or store outside its enum, or a key that is empty or not
 * printable, is that key's status; an element that cannot be read (the checks recorded it as a
 * late fault, `lateFault`) ends the read with LATEFAULT, as a late fault anywhere in the request does.
 */
export function configKeysToFetch(request: MvConfigKeyFetchParams, lateFault: boolean): ConfigKeySeen[] | typeof MV_STATUS_LATEFAULT | typeof MV_STATUS_INVALIDCONFIGKEY | typeof MV_STATUS_UNKNOWNCONFIGSCOPE | typeof MV_STATUS_UNKNOWNCONFIGSTORE {
  const list: readonly unknown[] = Array.isArray(request.keys_to_fetch) ? request.keys_to_fetch : [];
  const keys: ConfigKeySeen[] = [];
  for (let i = 0; i < request.num_items; i++) {
    const item = list[i];
    if (!isObject(item)) return MV_STATUS_LATEFAULT;
    const unknown = unknownScopeOrStore(item.scope, item.store);
    if (unknown !== undefined) return unknown;
    const bytes = keyBytes(item.key);
    if (bytes === null) return MV_STATUS_LATEFAULT;
    const key = configKeyText(bytes);
    if (key === undefined) return MV_STATUS_INVALIDCONFIGKEY;
    keys.push({ scope: item.scope as number, store: item.store as number, key });
  }
  return lateFault ? MV_STATUS_LATEFAULT : keys;
}

export type ConfigValue = string | Uint8Array | { file: string; encoding?: 'raw' | 'hex' | 'base64' };
export type ConfigStoreDocument = {
  [scope in 'device' | 'account']?: { [store in 'config' | 'secret']?: Record<string, ConfigValue> };
};

export class ConfigStoreError extends Error {
  constructor(
    readonly file: string,
    readonly pointer: string,
    readonly problem: string,
  ) {
    super(`${file}: ${pointer || '/'}: ${problem}`);
    this.name = 'ConfigStoreError';
  }
}

/** Reads a file as bytes (a relative path is the working directory's); throws an error with a `code` when it cannot. */
export type ConfigFileReader = (path: string) => Uint8Array;

/** What `ConfigStore.load` takes: a store file's path, its document already parsed, or a store already loaded. */
export type ConfigStoreInput = string | ConfigStoreDocument | ConfigStore;

const SCOPES: Readonly<Record<string, number>> = { account: MV_CONFIGKEYFETCHSCOPE_ACCOUNT, device: MV_CONFIGKEYFETCHSCOPE_DEVICE };
const STORES: Readonly<Record<string, number>> = { secret: MV_CONFIGKEYFETCHSTORE_SECRET, config: MV_CONFIGKEYFETCHSTORE_CONFIG };
const ENCODINGS = new Set(['raw', 'hex', 'base64']);
const PRINTABLE_KEY = /^[ -~]+$/;

/** Escapes one JSON pointer token (RFC 6901). */
const token = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array);
const own = (table: Readonly<Record<string, number>>, name: string): number | undefined => (Object.hasOwn(table, name) ? table[name] : undefined);

const HEX = '0123456789abcdef';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function hexText(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX[b >> 4] + HEX[b & 15];
  return s;
}

function base64Text(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < bytes.length ? B64[n & 63] : '=');
  }
  return s;
}

/** `path` seen from the folder of `file` (POSIX paths; an absolute `path` stays as it is). */
function besideFile(file: string, path: string): string {
  if (path.startsWith('/')) return path;
  const slash = file.lastIndexOf('/');
  return slash < 0 ? path : `${file.slice(0, slash + 1)}${path}`;
}

const storeKey = (scope: number, store: number, key: string): string => `${scope}/${store}/${key}`;

export class ConfigStore {
  private readonly items = new Map<string, Uint8Array>();
  private fallback: ConfigStore | undefined;

  static empty(): ConfigStore {
    return new ConfigStore();
  }

  /**
   * Loads and checks a store (`--config FILE`, a device's or the mock's `config` option);
   * throws `ConfigStoreError` (one problem, naming the file and the JSON pointer).
   */
  static load(input: ConfigStoreInput, readFile: ConfigFileReader = (path) => nodeFs('a config store file').readFileSync(path)): ConfigStore {
    if (input instanceof ConfigStore) return input;
    if (typeof input !== 'string') return ConfigStore.fromDocument(input, '<config option>', readFile);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(readFile(input));
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new ConfigStoreError(input, '', code ? `cannot read the file (${code})` : 'not valid UTF-8');
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (err) {
      throw new ConfigStoreError(input, '', `not valid JSON (${(err as Error).message})`);
    }
    return ConfigStore.fromDocument(doc, input, (path) => readFile(besideFile(input, path)));
  }

  /** Checks a parsed store document; `file` names it in errors, `readFile` reads its file values. */
  private static fromDocument(doc: unknown, file: string, readFile: ConfigFileReader): ConfigStore {
    const store = new ConfigStore();
    const fail = (pointer: string, problem: string): never => {
      throw new ConfigStoreError(file, pointer, problem);
    };
    if (!isRecord(doc)) fail('', 'the store must be a JSON object with "device" and/or "account"');
    for (const [scopeName, scopeValue] of Object.entries(doc as Record<string, unknown>)) {
      const scopePtr = `/${token(scopeName)}`;
      const scope = own(SCOPES, scopeName) ?? fail(scopePtr, `unknown scope "${scopeName}" (expected "device" or "account")`);
      if (!isRecord(scopeValue)) fail(scopePtr, 'must be an object with "config" and/or "secret"');
      for (const [storeName, items] of Object.entries(scopeValue as Record<string, unknown>)) {
        const storePtr = `${scopePtr}/${token(storeName)}`;
        const kind = own(STORES, storeName) ?? fail(storePtr, `unknown store "${storeName}" (expected "config" or "secret")`);
        if (!isRecord(items)) fail(storePtr, 'must be an object of key: value');
        for (const [key, value] of Object.entries(items as Record<string, unknown>)) {
          const ptr = `${storePtr}/${token(key)}`;
          if (!PRINTABLE_KEY.test(key)) fail(ptr, 'a key must be non-empty printable ASCII');
          const keyMax = LIMITS.CONFIG_KEY_LENGTH_MAX.value;
          if (key.length > keyMax) fail(ptr, `the key is ${key.length} characters; at most ${keyMax} (CONFIG_KEY_LENGTH_MAX)`);
          const bytes = ConfigStore.valueBytes(value, ptr, readFile, fail);
          const valueMax = LIMITS.CONFIG_VALUE_LENGTH_MAX.value;
          if (bytes.byteLength > valueMax) fail(ptr, `the value is ${bytes.byteLength} bytes; at most ${valueMax} (CONFIG_VALUE_LENGTH_MAX)`);
          store.set(scope, kind, key, bytes);
        }
      }
    }
    return store;
  }

  private static valueBytes(value: unknown, ptr: string, readFile: ConfigFileReader, fail: (pointer: string, problem: string) => never): Uint8Array {
    if (typeof value === 'string') return encoder.encode(value);
    if (value instanceof Uint8Array) return value.slice();
    if (!isRecord(value)) return fail(ptr, 'a value must be a string or { "file": PATH, "encoding": "raw" | "hex" | "base64" }');
    for (const k of Object.keys(value)) if (k !== 'file' && k !== 'encoding') fail(`${ptr}/${token(k)}`, `unknown member "${k}" (expected "file" and "encoding")`);
    if (typeof value.file !== 'string' || value.file === '') fail(`${ptr}/file`, 'must be a non-empty path');
    const encoding = value.encoding ?? 'raw';
    if (typeof encoding !== 'string' || !ENCODINGS.has(encoding)) fail(`${ptr}/encoding`, 'must be "raw", "hex" or "base64"');
    let bytes: Uint8Array;
    try {
      bytes = readFile(value.file as string);
    } catch (err) {
      const { code, path } = err as { code?: string; path?: string };
      return fail(`${ptr}/file`, `cannot read ${path ?? (value.file as string)} (${code ?? String(err)})`);
    }
    if (encoding === 'hex') return encoder.encode(hexText(bytes));
    if (encoding === 'base64') return encoder.encode(base64Text(bytes));
    return bytes;
  }

  /**
   * Keys this store lacks are looked up in `fallback` (a default store behind a user's file);
   * returns this store.
   */
  withFallback(fallback: ConfigStore): this {
    this.fallback = fallback;
    return this;
  }

  set(scope: number, store: number, key: string, value: Uint8Array): void {
    this.items.set(storeKey(scope, store, key), value);
  }

  get(scope: number, store: number, key: string): Uint8Array | undefined {
    return this.items.get(storeKey(scope, store, key)) ?? this.fallback?.get(scope, store, key);
  }

  /** Keys held by this store itself (not its fallback). */
  get size(): number {
    return this.items.size;
  }
}
