/**
 * Arbitrary arguments for every syscall, derived from the generated schemas (FUNCTION_SCHEMAS and
 * STRUCT_SCHEMAS of @mvmqtt/mock): mostly well-formed values, with wrong types, missing fields,
 * NULLs, read-only memory, misaligned and short buffers, huge counts, and handles that are live,
 * of another kind, closed, released, zero or random.
 *
 * fast-check generates recipes (plain data, printable in a counterexample); `materialize` turns
 * a recipe into arguments against the handles a run has at that moment.
 */
import fc from 'fast-check';
import { FUNCTION_SCHEMAS, STRUCT_SCHEMAS, type FieldSchema, type Shape, type StructSchema } from '@mvmqtt/mock';
import type { MvFunctionName } from '@mvmqtt/sdk';

export type HandleMode = 'live' | 'other-kind' | 'closed' | 'released' | 'zero' | 'random';

export type Recipe =
  | { v: unknown }
  | { h: string; mode: HandleMode; n: number }
  | { o: Record<string, Recipe>; frozen?: boolean }
  | { a: Recipe[] }
  | { bytes: number; offset: number }
  | { words: number }
  /** The length of a sibling field once built (how a C programmer usually fills a count). */
  | { lengthOf: string; unit: 'bytes' | 'elements'; plus: number }
  | { box: Recipe; frozen?: boolean };

export interface CallRecipe {
  fn: MvFunctionName;
  args: Recipe[];
}

/** Values that are never what a field wants. */
const GARBAGE: Recipe[] = [null, undefined, -1, 1.5, Number.NaN, 'x', 2 ** 32, 2 ** 53, 10n, true, {}, []].map((v) => ({ v }));
const garbage = fc.constantFrom(...GARBAGE);

/** Strings the world can take without network traffic (the device core resolves and dials hosts). */
export interface FuzzWorld {
  hosts: readonly string[];
  ports: readonly number[];
}

function int(bits: number): fc.Arbitrary<Recipe> {
  const max = bits >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** bits - 1;
  const value = bits === 64 ? fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) => ({ v }) as Recipe) : fc.nat({ max: Math.min(max, 300) }).map((v) => ({ v }) as Recipe);
  return fc.oneof(
    { weight: 8, arbitrary: value },
    { weight: 2, arbitrary: fc.constantFrom<Recipe>({ v: 0 }, { v: max }, { v: 1 }, { v: 0xffffffff }) },
    { weight: 1, arbitrary: garbage },
  );
}

function handle(type: string): fc.Arbitrary<Recipe> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.nat({ max: 7 }).map((n) => ({ h: type, mode: 'live' as HandleMode, n })) },
    { weight: 3, arbitrary: fc.record({ h: fc.constant(type), mode: fc.constantFrom<HandleMode>('other-kind', 'closed', 'released', 'zero', 'random'), n: fc.nat({ max: 7 }) }) },
    { weight: 1, arbitrary: garbage },
  );
}

function bytes(text: boolean): fc.Arbitrary<Recipe> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ bytes: fc.oneof(fc.nat({ max: 64 }), fc.constantFrom(512, 1024, 4096)), offset: fc.constantFrom(0, 0, 0, 1, 256) }).map((r) => r as Recipe) },
    { weight: text ? 3 : 0, arbitrary: fc.string({ maxLength: 24 }).map((v) => ({ v }) as Recipe) },
    { weight: 1, arbitrary: garbage },
  );
}

const records: fc.Arbitrary<Recipe> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ bytes: fc.constantFrom(32, 64, 128, 48, 20, 0), offset: fc.constantFrom(0, 0, 0, 4, 8) }).map((r) => r as Recipe) },
  { weight: 1, arbitrary: garbage },
);

const words: fc.Arbitrary<Recipe> = fc.oneof({ weight: 6, arbitrary: fc.nat({ max: 12 }).map((n) => ({ words: n }) as Recipe) }, { weight: 1, arbitrary: garbage });

function box(of: Shape): fc.Arbitrary<Recipe> {
  const initial = of.kind === 'handle' ? handle(of.handle) : fc.constant<Recipe>({ v: 0 });
  return fc.oneof(
    { weight: 8, arbitrary: initial.map((b) => ({ box: b }) as Recipe) },
    { weight: 1, arbitrary: initial.map((b) => ({ box: b, frozen: true }) as Recipe) },
    { weight: 1, arbitrary: garbage },
  );
}

function schemaOf(struct: string): StructSchema {
  return (STRUCT_SCHEMAS as Readonly<Record<string, StructSchema>>)[struct];
}

/** The counted sibling of a count field, relative to the struct that holds both. */
function countedSibling(f: FieldSchema): string {
  return f.counts!.slice(f.counts!.lastIndexOf('.') + 1);
}

export class RecipeArbitraries {
  private readonly structs = new Map<string, fc.Arbitrary<Recipe>>();

  constructor(private readonly world: FuzzWorld) {}

  shape(s: Shape, field?: FieldSchema, struct?: string): fc.Arbitrary<Recipe> {
    switch (s.kind) {
      case 'int':
        if (struct === 'MvMqttConnectRequest' && field?.path === 'port') return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...this.world.ports).map((v) => ({ v }) as Recipe) }, { weight: 1, arbitrary: int(16) });
        return int(s.bits);
      case 'enum':
        return fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...s.values).map((v) => ({ v }) as Recipe) }, { weight: 1, arbitrary: int(32) });
      case 'handle':
        return handle(s.handle);
      case 'struct':
        return this.struct(s.struct);
      case 'ref':
        return fc.oneof({ weight: 8, arbitrary: this.struct(s.struct) }, { weight: s.optional ? 4 : 1, arbitrary: fc.constant<Recipe>({ v: null }) }, { weight: 1, arbitrary: garbage });
      case 'array':
        return fc.oneof({ weight: 8, arbitrary: fc.array(this.struct(s.struct), { maxLength: 10 }).map((a) => ({ a }) as Recipe) }, { weight: 1, arbitrary: garbage });
      case 'bytes':
        return bytes(s.text);
      case 'ints':
        return words;
      case 'records':
        return records;
      case 'box':
        return box(s.of);
    }
  }

  /** A struct: its fields, each count mostly the length of what it counts (sometimes anything, huge included). */
  struct(name: string): fc.Arbitrary<Recipe> {
    const cached = this.structs.get(name);
    if (cached) return cached;
    // Recursive structs are not in the spec; a placeholder keeps a cycle from looping forever.
    this.structs.set(name, fc.constant({ v: null }));
    const schema = schemaOf(name);
    const fields: Record<string, fc.Arbitrary<Recipe>> = {};
    for (const f of schema.fields) {
      if (f.path.includes('.')) continue; // union members: built below
      fields[f.path] = this.field(f, name);
    }
    if (schema.version) {
      for (const [version, member] of Object.entries(schema.version.members)) {
        const inner: Record<string, fc.Arbitrary<Recipe>> = {};
        for (const f of schema.fields.filter((x) => x.member === member)) inner[f.path.slice(member.length + 1)] = this.field({ ...f, counts: f.counts && f.counts.slice(member.length + 1) }, name);
        fields[member] = fc.record(inner).map((o) => ({ o }) as Recipe);
        fields[schema.version.path] = fc.oneof({ weight: 12, arbitrary: fc.constant<Recipe>({ v: Number(version) }) }, { weight: 1, arbitrary: int(32) });
      }
    }
    const arb = fc.oneof(
      { weight: 12, arbitrary: fc.record(fields).map((o) => ({ o }) as Recipe) },
      { weight: 1, arbitrary: fc.record(fields).map((o) => ({ o, frozen: true }) as Recipe) },
      { weight: 1, arbitrary: garbage },
    );
    this.structs.set(name, arb);
    return arb;
  }

  private field(f: FieldSchema, struct: string): fc.Arbitrary<Recipe> {
    if (f.counts !== undefined) {
      const sibling = countedSibling(f);
      const counted = schemaOf(struct).fields.find((x) => x.path.endsWith(sibling) && 'countPath' in x.shape);
      const unit = counted && counted.shape.kind === 'array' ? 'elements' : 'bytes';
      return fc.oneof(
        { weight: 8, arbitrary: fc.constant<Recipe>({ lengthOf: sibling, unit, plus: 0 }) },
        { weight: 1, arbitrary: fc.constantFrom<Recipe>({ lengthOf: sibling, unit, plus: 1 }, { lengthOf: sibling, unit, plus: -1 }) },
        { weight: 1, arbitrary: int(32) },
      );
    }
    if (struct === 'MvMqttConnectRequest' && f.path === 'host') return this.hostArb();
    return this.shape(f.shape, f, struct);
  }

  /** Hosts come from the world only: a fuzzed connect must never look up or dial a stranger. */
  private hostArb(): fc.Arbitrary<Recipe> {
    return fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...this.world.hosts).map((h) => ({ o: { data: { v: h }, length: { lengthOf: 'data', unit: 'bytes', plus: 0 } } }) as Recipe) },
      { weight: 1, arbitrary: fc.constantFrom<Recipe>({ o: { data: { v: null }, length: { v: 0 } } }, { o: { data: { v: 7 }, length: { v: 3 } } }, { v: null }) },
    );
  }

  call(fn: MvFunctionName): fc.Arbitrary<CallRecipe> {
    const params = FUNCTION_SCHEMAS[fn].params;
    return fc.tuple(...params.map((p) => fc.oneof({ weight: 14, arbitrary: this.shape(p.shape) }, { weight: 1, arbitrary: garbage }))).map((args) => ({ fn, args }));
  }

  anyCall(): fc.Arbitrary<CallRecipe> {
    return fc.oneof(...(Object.keys(FUNCTION_SCHEMAS) as MvFunctionName[]).map((fn) => this.call(fn)));
  }
}
