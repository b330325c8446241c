import { INT_TYPES } from './abi.js';
import type { IntName } from './types.js';

/** A C type string split into its parts; names are not resolved yet. */
export interface ParsedCType {
  text: string;
  const: boolean;
  pointer: number;
  base: { kind: 'int'; name: IntName } | { kind: 'enum' | 'struct' | 'name'; name: string };
}

// One space, then a `*` per pointer level: `uint8_t *`, `uint8_t **`.
const CTYPE = /^(const )?(?:(enum|struct) )?([A-Za-z_][A-Za-z0-9_]*)(?: (\*+))?$/;

export function parseCType(text: string): ParsedCType | undefined {
  const m = CTYPE.exec(text);
  if (!m) return undefined;
  const [, konst, tag, name, stars] = m;
  const pointer = stars?.length ?? 0;
  let base: ParsedCType['base'];
  if (tag === 'enum' || tag === 'struct') base = { kind: tag, name };
  else if (Object.hasOwn(INT_TYPES, name)) base = { kind: 'int', name: name as IntName };
  else base = { kind: 'name', name };
  return { text, const: Boolean(konst), pointer, base };
}
