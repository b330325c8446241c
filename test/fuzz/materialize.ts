/** Turns recipes into arguments, against the handles a fuzz run holds at that moment. */
import type { HandleMode, Recipe } from './recipes.js';

/** Handles a run knows about, by typedef name. */
export class HandlePool {
  readonly live = new Map<string, number[]>();
  readonly released = new Map<string, number[]>();
  /** Channels the network loss closed (still valid handles), and channels of a type other than MQTT. */
  readonly closedChannels: number[] = [];
  readonly otherChannels: number[] = [];

  add(type: string, h: number): void {
    if (!this.live.has(type)) this.live.set(type, []);
    this.live.get(type)!.push(h);
  }

  release(type: string, h: number): void {
    const list = this.live.get(type) ?? [];
    const i = list.indexOf(h);
    if (i >= 0) list.splice(i, 1);
    if (!this.released.has(type)) this.released.set(type, []);
    this.released.get(type)!.push(h);
  }

  pick(type: string, mode: HandleMode, n: number): number {
    const from = (list: readonly number[] | undefined): number | undefined => (list && list.length ? list[n % list.length] : undefined);
    const random = (Math.imul(n + 1, 0x9e3779b1) >>> 0) | 1;
    switch (mode) {
      case 'live':
        return from(this.live.get(type)) ?? random;
      case 'other-kind':
        return from([...this.live.entries()].filter(([t]) => t !== type).flatMap(([, l]) => l).concat(type === 'MvChannelHandle' ? this.otherChannels : [])) ?? random;
      case 'closed':
        return (type === 'MvChannelHandle' ? from(this.closedChannels) : undefined) ?? from(this.live.get(type)) ?? random;
      case 'released':
        return from(this.released.get(type)) ?? random;
      case 'zero':
        return 0;
      case 'random':
        return random;
    }
  }
}

const encoder = new TextEncoder();

/** The length a C programmer would put in a count field for this value. */
function lengthOf(value: unknown, unit: 'bytes' | 'elements'): number {
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'string') return encoder.encode(value).byteLength;
  if (ArrayBuffer.isView(value)) return unit === 'bytes' ? value.byteLength : (value as Uint32Array).length;
  return 0;
}

export function materialize(r: Recipe, pool: HandlePool): unknown {
  if ('v' in r) return r.v;
  if ('h' in r) return pool.pick(r.h, r.mode, r.n);
  if ('a' in r) return r.a.map((x) => materialize(x, pool));
  if ('bytes' in r) return new Uint8Array(r.bytes + r.offset).subarray(r.offset);
  if ('words' in r) return new Uint32Array(r.words);
  if ('box' in r) {
    const b = { value: materialize(r.box, pool) };
    return r.frozen ? Object.freeze(b) : b;
  }
  if ('lengthOf' in r) throw new Error('a length recipe outside a struct');
  const out: Record<string, unknown> = {};
  const counts: [string, Extract<Recipe, { lengthOf: string }>][] = [];
  for (const [k, v] of Object.entries(r.o)) {
    if ('lengthOf' in v) counts.push([k, v]);
    else out[k] = materialize(v, pool);
  }
  for (const [k, c] of counts) out[k] = Math.max(0, lengthOf(out[c.lengthOf], c.unit) + c.plus);
  return r.frozen ? Object.freeze(out) : out;
}
