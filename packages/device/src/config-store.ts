/**
 * The config store a device fetches from (mvSendConfigFetchRequest): what the Microvisor cloud
 * holds for the account and for this device. Given as a JSON file or the same document as an object:
 *
 *   { "device" | "account": { "config" | "secret": { "<key>": VALUE } } }
 *
 * VALUE is a string (delivered as its UTF-8 bytes) or { "file": PATH, "encoding": "raw" | "hex" | "base64" }:
 * the file is read as bytes and delivered as they are, or as hex or base64 text. A relative PATH
 * resolves against the store file's folder (the working directory for an object).
 * A bad store is one `ConfigStoreError` naming the file, the JSON pointer and what is wrong.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LIMITS, MV_CONFIGKEYFETCHSCOPE_ACCOUNT, MV_CONFIGKEYFETCHSCOPE_DEVICE, MV_CONFIGKEYFETCHSTORE_CONFIG, MV_CONFIGKEYFETCHSTORE_SECRET } from '@mvmqtt/sdk';

/** A store file's path, or its document already parsed. */
export type ConfigStoreInput = string | ConfigStoreDocument;

export type ConfigValue = string | { file: string; encoding?: 'raw' | 'hex' | 'base64' };
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

const SCOPES = { account: MV_CONFIGKEYFETCHSCOPE_ACCOUNT, device: MV_CONFIGKEYFETCHSCOPE_DEVICE } as const;
const STORES = { secret: MV_CONFIGKEYFETCHSTORE_SECRET, config: MV_CONFIGKEYFETCHSTORE_CONFIG } as const;
const ENCODINGS = new Set(['raw', 'hex', 'base64']);
const PRINTABLE_KEY = /^[ -~]+$/;

/** Escapes one JSON pointer token (RFC 6901). */
const token = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export class ConfigStore {
  private readonly items = new Map<string, Uint8Array>();

  static empty(): ConfigStore {
    return new ConfigStore();
  }

  /** Loads and checks a store; throws `ConfigStoreError` (one problem, clearly named). */
  static load(input: ConfigStoreInput): ConfigStore {
    if (typeof input !== 'string') return ConfigStore.fromDocument(input, '<config option>', process.cwd());
    let text: string;
    try {
      text = readFileSync(input, 'utf8');
    } catch (err) {
      throw new ConfigStoreError(input, '', `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new ConfigStoreError(input, '', `not valid JSON (${(err as Error).message})`);
    }
    return ConfigStore.fromDocument(doc, input, dirname(resolve(input)));
  }

  private static fromDocument(doc: unknown, file: string, baseDir: string): ConfigStore {
    const store = new ConfigStore();
    const fail = (pointer: string, problem: string): never => {
      throw new ConfigStoreError(file, pointer, problem);
    };
    if (!isRecord(doc)) fail('', 'the store must be a JSON object with "device" and/or "account"');
    for (const [scopeName, scopeValue] of Object.entries(doc as Record<string, unknown>)) {
      const scopePtr = `/${token(scopeName)}`;
      if (!(scopeName in SCOPES)) fail(scopePtr, `unknown scope "${scopeName}" (expected "device" or "account")`);
      if (!isRecord(scopeValue)) fail(scopePtr, 'must be an object with "config" and/or "secret"');
      for (const [storeName, items] of Object.entries(scopeValue as Record<string, unknown>)) {
        const storePtr = `${scopePtr}/${token(storeName)}`;
        if (!(storeName in STORES)) fail(storePtr, `unknown store "${storeName}" (expected "config" or "secret")`);
        if (!isRecord(items)) fail(storePtr, 'must be an object of key: value');
        for (const [key, value] of Object.entries(items as Record<string, unknown>)) {
          const ptr = `${storePtr}/${token(key)}`;
          if (!PRINTABLE_KEY.test(key)) fail(ptr, 'a key must be non-empty printable ASCII');
          if (key.length > LIMITS.CONFIG_KEY_LENGTH_MAX.value) fail(ptr, `the key is ${key.length} characters; at most ${LIMITS.CONFIG_KEY_LENGTH_MAX.value} (CONFIG_KEY_LENGTH_MAX)`);
          const bytes = ConfigStore.valueBytes(value, ptr, baseDir, fail);
          if (bytes.byteLength > LIMITS.CONFIG_VALUE_LENGTH_MAX.value) {
            fail(ptr, `the value is ${bytes.byteLength} bytes; at most ${LIMITS.CONFIG_VALUE_LENGTH_MAX.value} (CONFIG_VALUE_LENGTH_MAX)`);
          }
          store.set(SCOPES[scopeName as keyof typeof SCOPES], STORES[storeName as keyof typeof STORES], key, bytes);
        }
      }
    }
    return store;
  }

  private static valueBytes(value: unknown, ptr: string, baseDir: string, fail: (pointer: string, problem: string) => never): Uint8Array {
    if (typeof value === 'string') return Buffer.from(value, 'utf8');
    if (!isRecord(value)) return fail(ptr, 'a value must be a string or { "file": PATH, "encoding": "raw" | "hex" | "base64" }');
    for (const k of Object.keys(value)) if (k !== 'file' && k !== 'encoding') fail(`${ptr}/${token(k)}`, `unknown member "${k}" (expected "file" and "encoding")`);
    if (typeof value.file !== 'string' || value.file === '') fail(`${ptr}/file`, 'must be a non-empty path');
    const encoding = value.encoding ?? 'raw';
    if (typeof encoding !== 'string' || !ENCODINGS.has(encoding)) fail(`${ptr}/encoding`, 'must be "raw", "hex" or "base64"');
    const path = resolve(baseDir, value.file as string);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      return fail(`${ptr}/file`, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    return encoding === 'raw' ? bytes : Buffer.from(bytes.toString(encoding as 'hex' | 'base64'), 'ascii');
  }

  set(scope: number, store: number, key: string, value: Uint8Array): void {
    this.items.set(`${scope}/${store}/${key}`, value);
  }

  get(scope: number, store: number, key: string): Uint8Array | undefined {
    return this.items.get(`${scope}/${store}/${key}`);
  }

  get size(): number {
    return this.items.size;
  }
}
