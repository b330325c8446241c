/**
 * One consumer's view of the incoming messages: a queue with an async iterator over it. The
 * client pushes every message into every stream, so consumers never steal from each other;
 * `return()` (what `break` in a `for await` calls) detaches the stream at once, even while a
 * `next()` is waiting.
 */
export class MessageStream<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private waiter: ((r: IteratorResult<T, undefined>) => void) | undefined;
  private ended = false;

  /** `detach` is called once, when the stream ends for whatever reason. */
  constructor(private readonly detach: () => void) {}

  push(value: T): void {
    if (this.ended) return;
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w({ value, done: false });
    else this.queue.push(value);
  }

  /** No more values: what is queued is still delivered, then the iteration ends. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.detach();
    const w = this.waiter;
    this.waiter = undefined;
    w?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T, undefined>> {
    const value = this.queue.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiter = resolve));
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.queue.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
