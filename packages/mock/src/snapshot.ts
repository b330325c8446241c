/**
 * A copy of a call's arguments as they were when the call was made, so a test can inspect them
 * after the application has reused its buffers and structs. Anything that cannot be copied
 * (a throwing getter, a hostile proxy) is kept by reference.
 */
export function snapshot(value: unknown, seen = new Map<object, unknown>()): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return seen.get(value);
  try {
    if (ArrayBuffer.isView(value)) {
      const copy = value instanceof DataView ? new DataView(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength)) : (value as unknown as { slice(): unknown }).slice();
      seen.set(value, copy);
      return copy;
    }
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      seen.set(value, copy);
      for (const item of value) copy.push(snapshot(item, seen));
      return copy;
    }
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    for (const key of Object.keys(value)) copy[key] = snapshot((value as Record<string, unknown>)[key], seen);
    return copy;
  } catch {
    return value;
  }
}
