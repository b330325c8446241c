/**
 * The few node:fs functions the shared runtime uses (a config store's files, a file-backed flash),
 * loaded only when needed: the SDK builds without Node's types and loads where there is no file system.
 */
export interface RuntimeFs {
  readFileSync(path: string): Uint8Array;
  existsSync(path: string): boolean;
  openSync(path: string, flags: string): number;
  fstatSync(fd: number): { size: number };
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
}

declare const process: { getBuiltinModule?(id: string): unknown } | undefined;

/** node:fs (Node.js 20.16 or later); `what` names the option that needs it in the error elsewhere. */
export function nodeFs(what: string): RuntimeFs {
  const fs = typeof process === 'object' ? (process?.getBuiltinModule?.('node:fs') as RuntimeFs | undefined) : undefined;
  if (!fs) throw new Error(`${what} needs Node.js (20.16 or later): there is no file system here`);
  return fs;
}
