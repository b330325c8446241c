/**
 * A map keyed by MQTT packet ids or correlation IDs: keys handed out in sequence, a few
 * outstanding at a time, one set/get/delete per message. A small array indexed by the key's
 * low bits holds them without allocating (a Map that empties and refills reallocates its hash
 * table as it shrinks and grows: garbage per message); a key whose slot is taken by another
 * goes to an overflow Map, so any number of keys still fit.
 */
const EMPTY = -1;

export class IdTable<T> {
  private readonly keys: Float64Array;
  private readonly values: (T | undefined)[];
  private readonly mask: number;
  private readonly overflow = new Map<number, T>();

  /** `slots`: a power of two, about the number of keys usually outstanding. */
  constructor(slots: number) {
    this.keys = new Float64Array(slots).fill(EMPTY);
    this.values = new Array<T | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
  }

  get(key: number): T | undefined {
    const slot = key & this.mask;
    if (this.keys[slot] === key) return this.values[slot];
    return this.overflow.size === 0 ? undefined : this.overflow.get(key);
  }

  has(key: number): boolean {
    return this.keys[key & this.mask] === key || (this.overflow.size !== 0 && this.overflow.has(key));
  }

  set(key: number, value: T): void {
    const slot = key & this.mask;
    const held = this.keys[slot];
    if (held === key) {
      this.values[slot] = value;
    } else if (this.overflow.size !== 0 && this.overflow.has(key)) {
      this.overflow.set(key, value); // stays where it is: a key lives in one place only
    } else if (held === EMPTY) {
      this.keys[slot] = key;
      this.values[slot] = value;
    } else {
      this.overflow.set(key, value);
    }
  }

  /** Removes the key; false if it was not there. */
  delete(key: number): boolean {
    const slot = key & this.mask;
    if (this.keys[slot] === key) {
      this.keys[slot] = EMPTY;
      this.values[slot] = undefined;
      return true;
    }
    return this.overflow.size !== 0 && this.overflow.delete(key);
  }

  clear(): void {
    this.keys.fill(EMPTY);
    this.values.fill(undefined);
    this.overflow.clear();
  }
}
