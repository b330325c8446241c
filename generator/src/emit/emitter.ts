/**
 * The emitter contract. One emitter per target; each is a small module that turns the
 * model into files. Emitters that render items one by one implement `ItemHooks` (one
 * function per kind of item, docs available on every item) and use `walkItems`.
 */
import type { Model } from '../model/model.js';
import type { EnumModel, FunctionModel, LimitModel, StructModel, TypedefModel } from '../model/types.js';

export interface OutputFile {
  /** Path relative to the output root, with forward slashes. */
  path: string;
  contents: string;
}

export interface EmitContext {
  generatorVersion: string;
  /** Short description of the spec for banners: name, version and hash. */
  specLabel: string;
  /** The command that rewrites the output, for banners (the spec's `product.regenerate`). */
  regenerate: string;
  /**
   * The output goes somewhere other than the repository holding the spec (`--out`), so it has
   * none of the hand-written package sources beside it: generated code imports what it needs
   * from the published packages by name instead of by relative path.
   */
  standalone?: boolean;
}

export interface Emitter {
  /** Target name used by `--target`. */
  target: string;
  description: string;
  /**
   * Directories (relative to the output root) this target owns entirely: any file in them that
   * the target no longer produces is stale, and `generate` removes it (`check` reports it).
   */
  ownedDirs(model: Model): string[];
  emit(model: Model, ctx: EmitContext): OutputFile[];
  /**
   * For a target of many files: hands each file to `out` as soon as it is rendered, the same
   * files `emit` gives, so that a caller writing as it goes holds none of them (the worker
   * thread does, once it may write). `emit` is then `collectFiles` of this.
   */
  emitEach?(model: Model, ctx: EmitContext, out: (file: OutputFile) => void): void;
  /**
   * `mvgen generate`/`check` start this target on the worker thread (parallel.ts), beside the
   * main thread, which validates the spec and renders the others; the worker then also takes
   * any the main thread has not started. For a target that is a large share of the work.
   */
  ownThread?: boolean;
}

export interface ItemHooks<T> {
  typedef?(t: TypedefModel, model: Model): T;
  enum?(e: EnumModel, model: Model): T;
  struct?(s: StructModel, model: Model): T;
  function?(f: FunctionModel, model: Model): T;
  limit?(l: LimitModel, model: Model): T;
}

/** `emit` for a target that has `emitEach`. */
export function collectFiles(emitEach: NonNullable<Emitter['emitEach']>, model: Model, ctx: EmitContext): OutputFile[] {
  const files: OutputFile[] = [];
  emitEach(model, ctx, (f) => files.push(f));
  return files;
}

/** Visits items in spec order (area by area: typedefs, enums, structs, functions, limits). */
export function walkItems<T>(model: Model, hooks: ItemHooks<T>): T[] {
  const out: T[] = [];
  for (const area of model.areas) {
    if (hooks.typedef) for (const n of area.typedefs) out.push(hooks.typedef(model.typedef(n), model));
    if (hooks.enum) for (const n of area.enums) out.push(hooks.enum(model.enum(n), model));
    if (hooks.struct) for (const n of area.structs) out.push(hooks.struct(model.struct(n), model));
    if (hooks.function) for (const n of area.functions) out.push(hooks.function(model.fn(n), model));
    if (hooks.limit) for (const n of area.limits) out.push(hooks.limit(model.limit(n), model));
  }
  return out;
}
