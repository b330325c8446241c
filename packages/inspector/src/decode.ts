/**
 * Turns system-call arguments into short readable text, driven by the normalised spec
 * (`@mvmqtt/api-spec/mvmqtt.json`): parameter and field types say which numbers are enum
 * constants (shown by name), which are handles (shown in hex) and which structs nest. A new
 * area's functions are decoded without any change here.
 */
import { createRequire } from 'node:module';
import { ENUM_NAMES } from '@mvmqtt/sdk';

interface TypeRef {
  text: string;
  base: { kind: string; name: string };
  pointer: number;
}

interface SpecField {
  kind: string;
  name: string;
  type: TypeRef;
  countedBy?: string;
}

interface SpecUnion {
  kind: 'union';
  members: { name: string; fields: SpecField[] }[];
}

interface SpecStruct {
  name: string;
  members: (SpecField | SpecUnion)[];
}

interface SpecFunction {
  name: string;
  area: string;
  params: { name: string; direction: string; type: TypeRef }[];
}

interface NormalisedSpec {
  structs: SpecStruct[];
  functions: SpecFunction[];
}

const spec = createRequire(import.meta.url)('@mvmqtt/api-spec/mvmqtt.json') as NormalisedSpec;

/** A struct's members by name (union arms flattened to pseudo-structs), and which field is a counted pointer. */
interface StructInfo {
  fields: Map<string, TypeRef | StructInfo>;
  /** Structs that are only a counted byte pointer and its count (sized strings): shown as their bytes. */
  bytesOnly: boolean;
}

function structInfo(members: (SpecField | SpecUnion)[]): StructInfo {
  const fields = new Map<string, TypeRef | StructInfo>();
  for (const m of members) {
    if (m.kind === 'union') for (const arm of (m as SpecUnion).members) fields.set(arm.name, structInfo(arm.fields));
    else fields.set((m as SpecField).name, (m as SpecField).type);
  }
  const plain = members.filter((m): m is SpecField => m.kind === 'field');
  const bytesOnly = plain.length === 2 && members.length === 2 && plain.some((f) => f.countedBy !== undefined && f.type.base.name === 'uint8_t');
  return { fields, bytesOnly };
}

const STRUCTS = new Map(spec.structs.map((s) => [s.name, structInfo(s.members)]));

export interface FunctionShape {
  area: string;
  params: { name: string; direction: string; type: TypeRef }[];
  /** Index of the by-value channel handle parameter, if the function has one (for filtering by channel). */
  channelParam: number;
}

export const FUNCTION_SHAPES: ReadonlyMap<string, FunctionShape> = new Map(
  spec.functions.map((f) => [
    f.name,
    { area: f.area, params: f.params, channelParam: f.params.findIndex((p) => p.type.base.kind === 'handle' && p.type.pointer === 0 && p.type.base.name === 'MvChannelHandle') },
  ]),
);

const MAX_ITEMS = 8;
const MAX_TEXT = 64;
const MAX_DEPTH = 4;
/** Field names whose values are never shown (credentials). */
const SECRET = /^(password|key)$/;

const enumNames = ENUM_NAMES as unknown as Record<string, Record<number, string> | undefined>;
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export interface Preview {
  /** The bytes as text when they are printable UTF-8, else undefined. */
  text?: string;
  /** The first bytes in hex (always). */
  hex: string;
  bytes: number;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A payload preview: printable UTF-8 as text, and the first bytes in hex. */
export function preview(bytes: Uint8Array, max = 96): Preview {
  const head = bytes.subarray(0, max);
  const hexParts: string[] = [];
  for (let i = 0; i < Math.min(head.length, 32); i++) hexParts.push(HEX[head[i]]);
  const hex = hexParts.join(' ');
  // Printable means no control characters other than tab and newlines. Plain ASCII (the
  // common case) is checked byte by byte; anything else goes through a strict UTF-8 decode.
  let ascii = true;
  for (let i = 0; i < head.length; i++) {
    const b = head[i];
    if (b >= 0x80) ascii = false;
    else if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) return { hex, bytes: bytes.length };
  }
  let text: string | undefined;
  if (ascii) text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  else {
    try {
      const t = textDecoder.decode(head);
      if (!/[\u0080-\u009f]/.test(t)) text = t;
    } catch {
      // Not UTF-8 (or cut inside a character): hex only.
    }
  }
  if (text !== undefined && bytes.length > max) text += '…';
  return text === undefined ? { hex, bytes: bytes.length } : { text, hex, bytes: bytes.length };
}

/** A string in double quotes, as written (only control characters escaped, so JSON payloads stay readable). */
export function quote(s: string): string {
  const clipped = s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
  return `"${clipped.replace(/[\u0000-\u001f]/g, (c) => (c === '\n' ? '\\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))}"`;
}

function bytesText(v: Uint8Array): string {
  const p = preview(v, MAX_TEXT);
  return p.text !== undefined ? quote(p.text) : `<${v.byteLength} bytes: ${p.hex}${v.byteLength > 32 ? ' …' : ''}>`;
}

function enumText(enumName: string, v: unknown): string {
  const name = typeof v === 'number' ? enumNames[enumName]?.[v] : undefined;
  return name ?? String(v);
}

/** One value as C-ish text, guided by its spec type when known. */
export function valueText(v: unknown, type?: TypeRef | StructInfo, depth = 0): string {
  if (v === null || v === undefined) return 'NULL';
  const ref = type && 'base' in type ? type : undefined;
  if (typeof v === 'number') {
    if (ref?.base.kind === 'enum') return enumText(ref.base.name, v);
    if (ref?.base.kind === 'handle') return `0x${(v >>> 0).toString(16)}`;
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return quote(v);
  if (typeof v !== 'object') return String(v);
  if (v instanceof Uint8Array) return bytesText(v);
  if (ArrayBuffer.isView(v)) {
    const arr = Array.from(v as unknown as ArrayLike<number>).slice(0, MAX_ITEMS);
    return `[${arr.join(', ')}${(v as unknown as ArrayLike<number>).length > MAX_ITEMS ? ', …' : ''}]`;
  }
  if (depth >= MAX_DEPTH) return '{…}';
  const elementType = ref && ref.pointer > 0 ? ({ ...ref, pointer: ref.pointer - 1 } as TypeRef) : ref;
  if (Array.isArray(v)) {
    const items = v.slice(0, MAX_ITEMS).map((x) => valueText(x, elementType, depth + 1));
    return `[${items.join(', ')}${v.length > MAX_ITEMS ? ', …' : ''}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  // An out-parameter box: what the kernel wrote (or the value passed in, for in-out).
  if (keys.length === 1 && keys[0] === 'value') return `&${valueText(o.value, elementType, depth)}`;
  const struct = type && !('base' in type) ? type : ref?.base.kind === 'struct' ? STRUCTS.get(ref.base.name) : undefined;
  if (struct?.bytesOnly || (keys.length === 2 && 'data' in o && 'length' in o)) {
    const data = o.data;
    if (data === null || data === undefined || o.length === 0) return '""';
    return typeof data === 'string' ? quote(data) : data instanceof Uint8Array ? bytesText(data.subarray(0, Number(o.length) || data.length)) : valueText(data);
  }
  const parts: string[] = [];
  for (const k of keys.slice(0, MAX_ITEMS + 2)) {
    parts.push(`${k}: ${SECRET.test(k) && o[k] !== null ? '…' : valueText(o[k], struct?.fields.get(k), depth + 1)}`);
  }
  return `{${parts.join(', ')}${keys.length > MAX_ITEMS + 2 ? ', …' : ''}}`;
}

export interface DecodedArg {
  name: string;
  direction: string;
  text: string;
}

/** A call's arguments by parameter, as the kernel left them (out-parameters hold what it wrote). */
export function decodeArgs(fn: string, args: readonly unknown[]): DecodedArg[] {
  const shape = FUNCTION_SHAPES.get(fn);
  return args.map((a, i) => {
    const p = shape?.params[i];
    return { name: p?.name ?? `arg${i}`, direction: p?.direction ?? 'in', text: valueText(a, p?.type) };
  });
}

/** Text of a sized string as passed to a system call (`{ data, length }`, data a string or bytes). */
export function sizedText(v: unknown): string | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const { data, length } = v as { data?: unknown; length?: unknown };
  if (typeof data === 'string') return data;
  if (data instanceof Uint8Array) return new TextDecoder().decode(data.subarray(0, typeof length === 'number' ? length : data.length));
  return undefined;
}
