/**
 * State that one area of a runtime keeps between calls (the network link, fault injections, open
 * flash handles, …), held by the runtime's kernel without the kernel knowing its shape: an area
 * declares a class and asks for its one instance, so a new area with state edits no kernel.
 */

/** A class of area state: made once per kernel, from the kernel (for its options and tables). */
export type AreaStateClass<K, T> = new (kernel: K) => T;

export class AreaStates<K> {
  private readonly states = new Map<AreaStateClass<K, unknown>, unknown>();

  constructor(private readonly kernel: K) {}

  /** The one instance of `owner` (made on first use). Look it up once, when the area's behaviours are made. */
  of<T>(owner: AreaStateClass<K, T>): T {
    let state = this.states.get(owner) as T | undefined;
    if (state === undefined) this.states.set(owner, (state = new owner(this.kernel)));
    return state;
  }
}
