/**
 * `../shared` beside the repository: read-only reference material and third-party firmware
 * sources that developers and CI have, and a fresh clone does not. Tests never need
 * `shared/reference` (its facts are kept in test/fixtures/vendor); suites that need
 * `shared/third_party` (FreeRTOS, CMSIS, the STM32U5 HAL) declare it with `describeWithShared`:
 * they run when it is there, are skipped loudly when not (the reporter lists them), and fail
 * under MVMQTT_REQUIRE_ALL=1, as CI sets. MVMQTT_SHARED_DIR points at another copy, e.g. from a
 * git worktree whose parent directory has none.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'vitest';
import { requireAll } from './tools.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const SHARED_DIR = resolve(REPO, process.env.MVMQTT_SHARED_DIR || '../shared');

export type SharedPart = 'reference' | 'third_party';

/** Where a part of `../shared` is (whether or not it exists). */
export const sharedPath = (part: SharedPart, ...rest: string[]): string => join(SHARED_DIR, part, ...rest);

export const hasShared = (part: SharedPart): boolean => existsSync(sharedPath(part));

/** The tag the reporter looks for, and the hint it prints. */
export const sharedTag = (part: SharedPart): string => `../shared/${part}`;
export const SHARED_HINT = 'put a copy of shared/ beside the repository (or set MVMQTT_SHARED_DIR=/path/to/shared)';

/** `describe` that needs a part of `../shared`. */
export function describeWithShared(part: SharedPart, name: string, fn: () => void): void {
  if (hasShared(part)) {
    describe(name, fn);
    return;
  }
  if (requireAll()) {
    describe(name, () => {
      it(`has ${sharedTag(part)}`, () => {
        throw new Error(`MVMQTT_REQUIRE_ALL=1 but ${sharedPath(part)} does not exist: ${SHARED_HINT}`);
      });
    });
    return;
  }
  describe.skip(`${name} [needs: ${sharedTag(part)}]`, fn);
}
