import type { Position } from './json-positions.js';

/** One problem found in the spec. Every problem carries where it is and what to do about it. */
export interface Diagnostic {
  file: string; // path as given to the user (relative to cwd when possible)
  pointer: string; // JSON pointer inside that file ('' = whole document)
  position?: Position;
  message: string;
  hint?: string;
  rule: string; // 'schema/<keyword>' or 'semantic/<rule>' or 'syntax'
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.position ? `${d.file}:${d.position.line}:${d.position.column}` : d.file;
  const ptr = d.pointer === '' ? '(document root)' : d.pointer;
  let s = `${where}: error: ${d.message}\n    at ${ptr}  [${d.rule}]`;
  if (d.hint) s += `\n    hint: ${d.hint}`;
  return s;
}

export class SpecInvalidError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(`the spec has ${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'}`);
  }
}
