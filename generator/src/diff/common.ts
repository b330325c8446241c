import type { SourceRef } from '../model/types.js';
import { newAt, type DiffContext } from './context.js';

/**
 * An item moved to another area file. Conservatively major: per-area outputs (one header,
 * module or reference page per area) may declare it somewhere else now.
 */
export function areaMoved(ctx: DiffContext, what: string, a: { area: string }, b: { area: string; source: SourceRef }): void {
  if (a.area !== b.area) ctx.log.major(newAt(b.source), `${what} moved from area "${a.area}" to "${b.area}"`);
}
