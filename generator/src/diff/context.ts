import type { Model } from '../model/model.js';
import type { SourceRef } from '../model/types.js';
import { ChangeLog, inNew, inOld, type Where } from './change.js';

/** The two models being compared and the log the comparers write into. */
export interface DiffContext {
  before: Model;
  after: Model;
  log: ChangeLog;
  /** File names of the two index files (usually both `index.json`). */
  indexFile: { before: string; after: string };
  /** Functions found renamed (old name → new name), so later comparers see through the rename. */
  renamedFunctions: Map<string, string>;
}

export const oldAt = (s: SourceRef, suffix = ''): Where => inOld(s.file, s.pointer + suffix);
export const newAt = (s: SourceRef, suffix = ''): Where => inNew(s.file, s.pointer + suffix);

/** The area file that declares an item, from the model's area list. */
export function areaFile(m: Model, area: string): string {
  return m.areas.find((a) => a.name === area)?.file ?? `${area}.json`;
}
