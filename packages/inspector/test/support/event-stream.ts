/**
 * Reads an inspector page stream (server-sent events) in a test. Every wait has a deadline and
 * fails with what did arrive: a stream that ends or stalls must fail the test, never leave it
 * spinning on empty reads (a microtask loop that no test timeout can interrupt).
 */
export interface EventStream {
  /** Everything read so far. */
  readonly text: string;
  /** Reads until `pattern` occurs in everything read so far; returns that text. */
  until(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

export async function openEventStream(url: string | URL): Promise<EventStream> {
  const abort = new AbortController();
  const reader = (await fetch(url, { signal: abort.signal })).body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const found = (p: string | RegExp) => (typeof p === 'string' ? text.includes(p) : p.test(text));
  return {
    get text() {
      return text;
    },
    async until(pattern, timeoutMs = 10_000) {
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      try {
        while (!found(pattern)) {
          const { done, value } = await reader.read().catch(() => ({ done: true as const, value: undefined }));
          if (done) {
            const why = abort.signal.aborted ? `within ${timeoutMs} ms` : 'before the stream ended';
            throw new Error(`no ${String(pattern)} in the event stream ${why}; it carried:\n${text}`);
          }
          text += decoder.decode(value, { stream: true });
        }
        return text;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await reader.cancel().catch(() => {});
    },
  };
}
