import type { AbiDescription, EnumConstant, EnumModel, FieldModel, FunctionModel, LimitModel, ModelData, ParamModel, ProductModel, StructModel, TypedefModel } from './types.js';

/** The IR plus the look-ups every emitter needs. */
export class Model {
  private readonly enumsByName: Map<string, EnumModel>;
  private readonly structsByName: Map<string, StructModel>;
  private readonly functionsByName: Map<string, FunctionModel>;
  private readonly typedefsByName: Map<string, TypedefModel>;
  private readonly limitsByName: Map<string, LimitModel>;
  private readonly constants = new Map<string, { enum: EnumModel; constant: EnumConstant }>();

  constructor(readonly data: ModelData) {
    this.enumsByName = new Map(data.enums.map((e) => [e.name, e]));
    this.structsByName = new Map(data.structs.map((s) => [s.name, s]));
    this.functionsByName = new Map(data.functions.map((f) => [f.name, f]));
    this.typedefsByName = new Map(data.typedefs.map((t) => [t.name, t]));
    this.limitsByName = new Map(data.limits.map((l) => [l.name, l]));
    for (const e of data.enums) for (const c of e.constants) this.constants.set(c.name, { enum: e, constant: c });
  }

  get spec() {
    return this.data.spec;
  }
  get enums() {
    return this.data.enums;
  }
  get structs() {
    return this.data.structs;
  }
  get functions() {
    return this.data.functions;
  }
  get typedefs() {
    return this.data.typedefs;
  }
  get limits() {
    return this.data.limits;
  }
  get areas() {
    return this.data.areas;
  }
  get errata() {
    return this.data.errata;
  }
  get abis() {
    return this.data.abis;
  }
  /** The ABI of the device itself: the layout the kernel reads and writes, and the one docs quote. */
  get deviceAbi(): AbiDescription {
    return must(this.data.abis.find((a) => a.role === 'device'), 'ABI with role', 'device');
  }
  /** The product's identity: file and package names, macro prefix, output directories. */
  get product(): ProductModel & { name: string } {
    return { name: this.data.spec.name, ...this.data.spec.product };
  }

  enum(name: string): EnumModel {
    return must(this.enumsByName.get(name), 'enum', name);
  }
  struct(name: string): StructModel {
    return must(this.structsByName.get(name), 'struct', name);
  }
  fn(name: string): FunctionModel {
    return must(this.functionsByName.get(name), 'function', name);
  }
  typedef(name: string): TypedefModel {
    return must(this.typedefsByName.get(name), 'typedef', name);
  }
  limit(name: string): LimitModel {
    return must(this.limitsByName.get(name), 'limit', name);
  }
  constant(name: string): { enum: EnumModel; constant: EnumConstant } {
    return must(this.constants.get(name), 'enum constant', name);
  }
  hasConstant(name: string): boolean {
    return this.constants.has(name);
  }
  hasFunction(name: string): boolean {
    return this.functionsByName.has(name);
  }
  /** `function.param` → the parameter. */
  param(path: string): ParamModel {
    const [f, p] = path.split('.');
    return must(this.fn(f).params.find((x) => x.name === p), 'parameter', path);
  }
  /** Enums whose constants the error-free flow reads as readable data (produced, consumed or peeked), in spec order. */
  readableEnums(): EnumModel[] {
    const names = new Set<string>();
    for (const f of this.data.functions) {
      for (const c of [...f.produces, ...(f.consumes ? [f.consumes] : [])]) if (this.constants.has(c)) names.add(this.constant(c).enum.name);
      if (f.peeks && this.enumsByName.has(f.peeks)) names.add(f.peeks);
    }
    return this.data.enums.filter((e) => names.has(e.name));
  }
  get statusEnum(): EnumModel {
    return this.enum(this.data.statusEnum);
  }
  /** `Struct.field` or `Struct.v1.field` → the field. */
  field(path: string): FieldModel {
    const [s, ...rest] = path.split('.');
    const hit = this.struct(s).fieldPaths.find((p) => p.path === rest.join('.'));
    return must(hit?.field, 'field', path);
  }
  /** The function that consumes a readable-data constant, if any. */
  consumerOf(constant: string): FunctionModel | undefined {
    return this.relations().consumer.get(constant);
  }
  /** Functions whose requests produce the readable-data constant. */
  producersOf(constant: string): FunctionModel[] {
    return [...(this.relations().producers.get(constant) ?? [])];
  }
  /** Structs that embed or point to `name`. */
  usersOf(name: string): StructModel[] {
    return [...(this.relations().users.get(name) ?? [])];
  }
  /** Functions with a parameter whose base type is the struct `name` (by value or pointer). */
  functionsTaking(structName: string): FunctionModel[] {
    return [...(this.relations().takers.get(structName) ?? [])];
  }
  /** Functions whose error table lists `status`. */
  functionsReturning(status: string): FunctionModel[] {
    return [...(this.relations().returners.get(status) ?? [])];
  }
  /** Functions that post the notification event `event`. */
  functionsPosting(event: string): FunctionModel[] {
    return [...(this.relations().posters.get(event) ?? [])];
  }
  /** Functions with a handle parameter of the object kind `constant`. */
  functionsWithObjectKind(constant: string): FunctionModel[] {
    return [...(this.relations().objectKinds.get(constant) ?? [])];
  }
  /** Limits that apply to the field `Struct.path` (e.g. `MvOpenChannelParams.v1.send_buffer`). */
  limitsOn(fieldPath: string): LimitModel[] {
    return [...(this.relations().limitsOn.get(fieldPath) ?? [])];
  }
  /** Limits whose breach returns `status`. */
  limitsReporting(status: string): LimitModel[] {
    return [...(this.relations().limitsReporting.get(status) ?? [])];
  }

  // Emitters ask these per item; scanning every function or struct each time made generation
  // quadratic in the size of the spec. Built once, on first use, in spec order.
  private related?: {
    consumer: Map<string, FunctionModel>;
    producers: Map<string, FunctionModel[]>;
    users: Map<string, StructModel[]>;
    takers: Map<string, FunctionModel[]>;
    returners: Map<string, FunctionModel[]>;
    posters: Map<string, FunctionModel[]>;
    objectKinds: Map<string, FunctionModel[]>;
    limitsOn: Map<string, LimitModel[]>;
    limitsReporting: Map<string, LimitModel[]>;
  };
  private relations() {
    if (this.related) return this.related;
    const consumer = new Map<string, FunctionModel>();
    const producers = new Map<string, FunctionModel[]>();
    const users = new Map<string, StructModel[]>();
    const takers = new Map<string, FunctionModel[]>();
    const returners = new Map<string, FunctionModel[]>();
    const posters = new Map<string, FunctionModel[]>();
    const objectKinds = new Map<string, FunctionModel[]>();
    const limitsOn = new Map<string, LimitModel[]>();
    const limitsReporting = new Map<string, LimitModel[]>();
    const add = <T>(m: Map<string, T[]>, k: string, v: T) => {
      const list = m.get(k);
      if (!list) m.set(k, [v]);
      else if (list[list.length - 1] !== v) list.push(v);
    };
    for (const f of this.data.functions) {
      if (f.consumes !== undefined && !consumer.has(f.consumes)) consumer.set(f.consumes, f);
      for (const c of f.produces) add(producers, c, f);
      for (const p of f.params) {
        if (p.type.base.kind === 'struct') add(takers, p.type.base.name, f);
        if (p.objectKind !== undefined) add(objectKinds, p.objectKind, f);
      }
      for (const e of f.errors) add(returners, e.status, f);
      for (const n of f.notifications) add(posters, n.event, f);
    }
    for (const l of this.data.limits) {
      for (const path of l.appliesTo) add(limitsOn, path, l);
      if (l.status !== undefined) add(limitsReporting, l.status, l);
    }
    for (const s of this.data.structs)
      for (const p of s.fieldPaths) if (p.field.type.base.kind === 'struct') add(users, p.field.type.base.name, s);
    return (this.related = { consumer, producers, users, takers, returners, posters, objectKinds, limitsOn, limitsReporting });
  }
}

function must<T>(v: T | undefined, kind: string, name: string): T {
  if (v === undefined) throw new Error(`mvgen: the model has no ${kind} named "${name}"`);
  return v;
}
