/**
 * Output pointers. C hands the kernel `uint32_t *len`; TypeScript has no pointers to a local,
 * so the caller passes a small box and reads `value` after the call. `null` is a NULL pointer.
 */

/** A C pointer to one value the callee writes (and, for in/out parameters, first reads). */
export interface MvOut<T> {
  value: T;
}

/** A box holding `initial`, ready to pass where the C call takes a pointer. */
export function out<T>(initial: T): MvOut<T> {
  return { value: initial };
}
