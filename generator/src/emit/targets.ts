/** Every target the generator knows, in the order `generate` runs them. Add a target here. */
import type { Emitter } from './emitter.js';
import { jsonEmitter } from './json/index.js';
import { cEmitter } from './c/index.js';
import { tsEmitter } from './ts/index.js';
import { mockEmitter } from './mock/index.js';
import { docsEmitter } from './docs/index.js';
import { hostEmitter } from './host/index.js';
import { deviceEmitter } from './runtime/index.js';

export const TARGETS: Emitter[] = [jsonEmitter, cEmitter, tsEmitter, mockEmitter, deviceEmitter, docsEmitter, hostEmitter];

export function findTarget(name: string): Emitter | undefined {
  return TARGETS.find((t) => t.target === name);
}
