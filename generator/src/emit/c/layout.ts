/**
 * Static assertions of the model's layouts: per ABI, every struct's size and alignment,
 * every member's offset and size (union members included), every enum's and handle's size;
 * and, for any ABI, every enum constant's value. A header that drifts from the spec (or a
 * vendor header that differs from it) then fails to compile, naming the member.
 */
import type { Model } from '../../model/model.js';
import type { AbiDescription, AbiId, StructModel } from '../../model/types.js';

export interface Check {
  /** Unique C identifier fragment (the C99 fallback declares a typedef with it). */
  id: string;
  expr: string;
  message: string;
}

export interface AbiChecks {
  id: AbiId;
  macro: string;
  title: string;
  role: string;
  /** Preprocessor condition that is true when the compiler targets this ABI. */
  detect: string;
  checks: Check[];
  alignChecks: Check[];
}

/**
 * How to recognise each ABI from the compiler's predefined macros. The device ABI needs
 * AAPCS short enums (`__ARM_SIZEOF_MINIMAL_ENUM == 1`), which bare-metal arm-none-eabi
 * uses and arm-linux does not; x32 is not x86_64's LP64.
 */
const DETECT: Record<AbiId, string> = {
  arm32: 'defined(__arm__) && defined(__ARM_SIZEOF_MINIMAL_ENUM) && __ARM_SIZEOF_MINIMAL_ENUM == 1',
  x86_64: 'defined(__x86_64__) && !defined(__ILP32__)',
};

export const abiMacro = (prefix: string, id: AbiId) => `${prefix}_CHECK_LAYOUT_${id.toUpperCase()}`;

const ident = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');

function structChecks(prefix: string, abi: AbiDescription, s: StructModel): { checks: Check[]; alignChecks: Check[] } {
  const t = `struct ${s.name}`;
  const at = `${abi.id}_${s.name}`;
  const checks: Check[] = [{ id: `${at}_size`, expr: `sizeof(${t}) == ${s.layout[abi.id].size}`, message: `${s.name}: size on ${abi.id} must be ${s.layout[abi.id].size}` }];
  const alignChecks: Check[] = [
    { id: `${at}_align`, expr: `${prefix}_ALIGNOF(${t}) == ${s.layout[abi.id].align}`, message: `${s.name}: alignment on ${abi.id} must be ${s.layout[abi.id].align}` },
  ];
  const member = (path: string, offset: number, size: number) => {
    const id = `${at}_${ident(path)}`;
    checks.push(
      { id: `${id}_offset`, expr: `offsetof(${t}, ${path}) == ${offset}`, message: `${s.name}.${path}: offset on ${abi.id} must be ${offset}` },
      { id: `${id}_size`, expr: `sizeof(((${t} *)0)->${path}) == ${size}`, message: `${s.name}.${path}: size on ${abi.id} must be ${size}` },
    );
  };
  for (const m of s.members) {
    if (m.kind === 'field') {
      member(m.name, m.layout[abi.id].offset, m.layout[abi.id].size);
      continue;
    }
    // The union itself has no name; its named members (v1, …) and their fields do.
    for (const u of m.members) {
      member(u.name, u.layout[abi.id].offset, u.layout[abi.id].size);
      for (const f of u.fields) member(`${u.name}.${f.name}`, f.layout[abi.id].offset, f.layout[abi.id].size);
    }
  }
  return { checks, alignChecks };
}

export function abiChecks(model: Model): AbiChecks[] {
  const prefix = model.product.macroPrefix;
  return model.abis.map((abi) => {
    const detect = DETECT[abi.id];
    if (!detect) throw new Error(`mvgen c: no compiler test for ABI "${abi.id}"; add it to DETECT in emit/c/layout.ts`);
    const checks: Check[] = [];
    const alignChecks: Check[] = [];
    for (const t of model.typedefs)
      checks.push({ id: `${abi.id}_${t.name}_size`, expr: `sizeof(${t.name}) == ${t.size[abi.id]}`, message: `${t.name}: size on ${abi.id} must be ${t.size[abi.id]}` });
    for (const e of model.enums)
      checks.push({ id: `${abi.id}_${e.name}_size`, expr: `sizeof(enum ${e.name}) == ${e.size[abi.id]}`, message: `enum ${e.name}: size on ${abi.id} must be ${e.size[abi.id]}` });
    for (const s of model.structs) {
      const c = structChecks(prefix, abi, s);
      checks.push(...c.checks);
      alignChecks.push(...c.alignChecks);
    }
    return { id: abi.id, macro: abiMacro(prefix, abi.id), title: abi.title, role: abi.role, detect, checks, alignChecks };
  });
}

export function valueChecks(model: Model): Check[] {
  return model.enums.flatMap((e) =>
    [...e.constants, e.sentinel].map((c) => ({
      id: `value_${c.name}`,
      expr: `(uint32_t)${c.name} == 0x${c.value.toString(16)}u`,
      message: `${c.name} must be 0x${c.value.toString(16)}`,
    })),
  );
}
