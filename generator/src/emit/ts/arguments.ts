/**
 * `arguments.ts` of the SDK: the argument decoder/validator both runtimes run before a behaviour,
 * printed from the spec as one fixed-arity function per system call and one per struct. Each check
 * says which spec fact it enforces (a C type's width, a pointer, a count field, a struct version, a
 * handle's kind, a limit). The run-time half (`ArgumentCheck`: how a status is picked from the
 * call's error table, late faults, reasons) is hand-written in the SDK's runtime
 * (packages/sdk/src/runtime/arguments.ts); this module knows no area, only shapes.
 */
import type { Model } from '../../model/model.js';
import type { FunctionModel, ParamModel, StructModel } from '../../model/types.js';
import { fieldShape, functionCheckName, limitsByField, paramShape, structCheckName } from '../core/shapes.js';
import type { Imports } from '../core/typescript/imports.js';
import { MODULES } from './imports.js';
import { bindable } from '../../validate/reserved.js';

/** The spec's facts as data, beside this file (../ts/metadata.ts). */
const METADATA_MODULE = './metadata.js';

/** The run-time half, seen from the SDK's generated directory. */
export const ARGUMENTS_RUNTIME = '../runtime/arguments.js';

/** The run-time shapes of ../core/shapes.ts, typed for printing. */
type Shape =
  | { kind: 'int'; bits: number; signed: boolean }
  | { kind: 'enum'; enum: string; bitmask: boolean; values: number[] }
  | { kind: 'handle'; handle: string }
  | { kind: 'struct'; struct: string }
  | { kind: 'ref'; struct: string; writes: boolean; optional: boolean }
  | { kind: 'array'; struct: string; countPath: string }
  | { kind: 'bytes'; countPath: string; unit: 'bytes' | 'elements'; writes: boolean; text: boolean }
  | { kind: 'ints'; bits: number; countPath: string; unit: 'bytes' | 'elements'; writes: boolean }
  | { kind: 'records'; struct: string; countPath: string; writes: boolean }
  | { kind: 'box'; of: Shape; writes: boolean };

const TYPED_ARRAYS: Record<number, string> = { 16: 'Uint16Array', 32: 'Uint32Array', 64: 'BigUint64Array' };


/** A JavaScript identifier for a dotted field path (`v1.endpoint` → `v1_endpoint`). */
function local(path: string): string {
  const name = path.replace(/\./g, '_');
  // A field may be named like a reserved word (`with`): a property key, but not a variable.
  return RESERVED.has(name) || !bindable(name) ? `${name}_` : name;
}

/** Names the printed checks use for themselves. */
const RESERVED = new Set(['c', 's', 'value', 'level', 'depth', 'union', 'item', 'i', 'member', 'isUint', 'isObject', 'isBox', 'byteLength']);

/** Reads the value at a dotted path of `value` (a step that is not an object reads as undefined). */
function readExpr(owner: string, path: string): string {
  const [first, ...rest] = path.split('.');
  return rest.reduce((expr, step) => `member(${expr}, '${step}')`, `${owner}.${first}`);
}

/** `v === 0 || v === 1`: the constants an enum defines, as one test (a range when they are contiguous). */
function definedTest(v: string, values: readonly number[]): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  if (sorted.length === 0) return 'false';
  const contiguous = sorted.every((x, i) => x === sorted[0] + i);
  if (contiguous) return sorted.length === 1 ? `${v} === ${sorted[0]}` : `${v} >= ${sorted[0]} && ${v} <= ${sorted[sorted.length - 1]}`;
  return sorted.map((x) => `${v} === ${x}`).join(' || ');
}

/** Indents every non-empty line of `lines` by `n` levels. */
function indent(lines: string[], n = 1): string[] {
  const pad = '  '.repeat(n);
  return lines.map((l) => (l === '' ? l : pad + l));
}

/** `if ((s = EXPR) > 0) return s;`: a refusal ends the check. */
function orRefuse(expr: string): string {
  return `if ((s = ${expr}) > 0) return s;`;
}

/** A fault on `name`; a refusal ends the check, otherwise the value is unusable. */
function fault(level: string, name: string, problem: string, depth: string): string {
  return orRefuse(`c.fault(${level}, ${name}, ${problem}, ${depth})`);
}

/** The struct has a pointer among its own fields (not only inside nested structs). */
function hasDirectPointer(s: StructModel, model: Model): boolean {
  return s.fieldPaths.some(({ path, field }) => !path.includes('.') && !['int', 'enum', 'handle', 'struct'].includes((fieldShape(path, field, s, model) as unknown as Shape).kind));
}

interface FieldCheck {
  /** The dotted path inside the owning struct. */
  path: string;
  shape: Shape;
  limits: string[];
  required: boolean;
  optional: boolean;
}

/** The limit checks of one field, held against the value in `v`. */
function limitLines(f: FieldCheck, v: string, name: string): string[] {
  return f.limits.map((l) => `${orRefuse(`c.limit('${l}', ${v}, level, ${name})`)} // limit ${l}`);
}

/** `if (BAD) { FAULT } else { LIMITS }`: the limits are held only against a usable value. */
function guarded(bad: string, onBad: string[], f: FieldCheck, v: string, name: string, onGood: string[] = []): string[] {
  const good = [...onGood, ...limitLines(f, v, name)];
  return [`if (${bad}) {`, ...indent(onBad), ...(good.length > 0 ? ['} else {', ...indent(good)] : []), '}'];
}

/**
 * The checks of one struct field whose value is in `v`. A check that finds the value unusable
 * skips the field's limits, as a kernel stops reading a bad value.
 */
function fieldLines(f: FieldCheck, struct: string, v: string, model: Model): string[] {
  const name = `'${f.path}'`;
  const s = f.shape;
  const nested = 'depth + 1';
  switch (s.kind) {
    case 'int': {
      // A number outside the field's width is out of any range the spec sets for it.
      const ranges = f.limits.map((l) => `if (typeof ${v} === 'number') ${orRefuse(`c.limit('${l}', ${v}, level, ${name}, true)`)}`);
      const width = s.bits === 64 ? `a ${s.bits}-bit value (a bigint)` : `a ${s.bits}-bit value`;
      return guarded(`!isUint(${v}, ${s.bits})`, [...ranges, fault('level', name, `'is not ${width}'`, 'depth')], f, v, name);
    }
    case 'enum': {
      const notNumber = fault('level', name, `'is not a ${s.enum} value'`, 'depth');
      if (s.bitmask) return guarded(`!isUint(${v}, 32)`, [notNumber], f, v, name);
      // A value the enum does not define is garbage, unless a behaviour has a status of its own for it.
      const lines = [
        `if (!isUint(${v}, 32)) {`,
        `  ${notNumber}`,
        `} else if (!(${definedTest(v, s.values)}) && !c.behaviourEnums.has('${struct}.${f.path}')) {`,
        `  ${fault('level', name, `'is not a defined ${s.enum} value'`, 'depth')}`,
      ];
      const limits = limitLines(f, v, name);
      return limits.length === 0 ? [...lines, '}'] : [...lines, '} else {', ...indent(limits), '}'];
    }
    case 'handle':
      // A handle stored in a struct is only looked up; zero or a stale value is the behaviour's to judge.
      // A number no handle can be (a host build's pointer-sized handle with high bits set) is not a
      // live handle, as at the top level: only a value that is not a number at all is a fault.
      return guarded(`typeof ${v} !== 'number'`, [fault('level', name, `'is not a ${s.handle}'`, 'depth')], f, v, name, [orRefuse(`c.storedHandle('${s.handle}', ${v}, level, ${name})`)]);
    case 'struct': {
      const target = model.struct(s.struct);
      // Missing from a request, a struct of pointers (a sized string) is a bad pointer read while sending.
      const missingDepth = hasDirectPointer(target, model) ? `c.rules.consumer ? depth : ${nested}` : 'depth';
      const counts = target.fieldPaths.filter(({ field }) => field.counts !== undefined).map(({ path }) => path);
      const inner = [`c.at[level] = ${name};`, orRefuse(`${structCheckName(s.struct)}(c, ${v}, level + 1, depth)`)];
      if (f.required && counts.length > 0)
        // A struct passed by value is "missing" when every length in it is zero (an empty sized string).
        inner.push(`if (${counts.map((p) => `${readExpr(v, p)} === 0`).join(' && ')}) c.missing ??= c.where(level, ${name}); // required`);
      return guarded(`!isObject(${v})`, [fault('level', name, "'is missing'", missingDepth)], f, v, name, inner);
    }
    case 'ref': {
      const inner = s.writes ? [] : [`c.at[level] = ${name};`, orRefuse(`${structCheckName(s.struct)}(c, ${v}, level + 1, ${nested})`)];
      const lines = guarded(`!isObject(${v})`, [fault('level', name, "'is not a valid pointer'", nested)], f, v, name, inner);
      // Optional: NULL is allowed.
      return f.optional ? [`if (${v} !== null) {`, ...indent(lines), '}'] : lines;
    }
    case 'box':
      return guarded(`!isBox(${v})`, [fault('level', name, "'is not a valid pointer'", nested)], f, v, name);
    case 'array':
      return arrayLines(v, `count_${local(f.path)}`, name, 'level', nested, s.struct);
    case 'bytes':
    case 'ints':
    case 'records': {
      const counted = `c.counted(${v}, ${lengthExpr(s, v)}, ${readExpr('value', s.countPath)}, ${elementBytes(s)}, ${s.kind !== 'ints' && s.writes}, level, ${name}, ${nested})`;
      const limits = limitLines(f, v, name);
      if (limits.length === 0) return [`// ${countComment(s)}`, orRefuse(counted)];
      return [`// ${countComment(s)}`, `s = ${counted};`, 'if (s > 0) return s;', 'if (s === 0) {', ...indent(limits), '}'];
    }
  }
}

/** What a counted pointer's memory holds, in bytes, as an expression (-1: no such memory). */
function lengthExpr(s: Extract<Shape, { countPath: string }>, v: string): string {
  switch (s.kind) {
    case 'bytes':
      return `byteLength(${v}, ${s.text})`;
    case 'records':
      return `byteLength(${v}, false)`;
    case 'ints':
      return `${v} instanceof ${TYPED_ARRAYS[s.bits]} ? ${v}.byteLength : -1`;
    case 'array':
      throw new Error('mvgen: an array of structs has no byte length');
  }
}

/** Bytes per counted unit: 1 for byte counts, the element width for element counts of wider integers. */
function elementBytes(s: Extract<Shape, { countPath: string }>): number {
  return s.kind === 'ints' && s.unit === 'elements' ? s.bits / 8 : 1;
}

function countComment(s: Extract<Shape, { kind: 'bytes' | 'ints' | 'records' }>): string {
  const what = s.kind === 'ints' ? `${TYPED_ARRAYS[s.bits]}` : s.kind === 'records' ? `${s.struct} records` : s.text ? 'bytes or text' : 'bytes';
  return `${what}: at least ${s.countPath}${s.kind === 'ints' && s.unit === 'elements' ? ' elements' : ' bytes'}${s.writes ? ', written by the kernel' : ''}`;
}

/** A counted array of structs (`count` names the variable holding the count). */
function arrayLines(v: string, count: string, name: string, level: string, depth: string, struct: string): string[] {
  return [
    `if (isUint(${count}, 32) && ${count} !== 0) {`,
    `  if (!Array.isArray(${v}) || ${v}.length < ${count}) {`,
    `    ${fault(level, name, `\`holds fewer than \${${count}} elements\``, depth)}`,
    '  } else {',
    `    c.at[${level}] = ${name};`,
    `    for (let i = 0; i < ${count}; i++) {`,
    `      const item: unknown = ${v}[i];`,
    '      if (!isObject(item)) {',
    `        ${fault(`${level} + 1`, 'i', "'is not a valid element'", depth)}`,
    '        break;',
    '      }',
    `      c.at[${level} + 1] = i;`,
    `      ${orRefuse(`${structCheckName(struct)}(c, item, ${level} + 2, ${depth})`)}`,
    '    }',
    '  }',
    '}',
  ];
}

/** What the spec says about a field, for the comment above its check. */
function fieldComment(f: FieldCheck): string {
  const s = f.shape;
  const facts: string[] = [];
  switch (s.kind) {
    case 'int':
      facts.push(`${s.signed ? 'int' : 'uint'}${s.bits}_t`);
      break;
    case 'enum':
      facts.push(`${s.enum}${s.bitmask ? ' (bitmask)' : ''}`);
      break;
    case 'handle':
      facts.push(s.handle);
      break;
    case 'struct':
      facts.push(`struct ${s.struct} by value${f.required ? ', required' : ''}`);
      break;
    case 'ref':
      facts.push(`pointer to ${s.struct}${f.optional ? ' or NULL' : ''}${s.writes ? ', written by the kernel' : ''}`);
      break;
    case 'box':
      facts.push('pointer to one value');
      break;
    case 'array':
      facts.push(`${s.countPath} × ${s.struct}`);
      break;
    default:
      facts.push(`pointer counted by ${s.countPath}`);
  }
  if (f.limits.length > 0) facts.push(`limits ${f.limits.join(', ')}`);
  return `// ${f.path}: ${facts.join('; ')}`;
}

function structFunction(s: StructModel, model: Model, limits: Map<string, string[]>): string {
  const fields: FieldCheck[] = s.fieldPaths.map(({ path, field }) => ({
    path,
    shape: fieldShape(path, field, s, model) as unknown as Shape,
    limits: limits.get(`${s.name}.${path}`) ?? [],
    required: field.required,
    optional: field.optional,
  }));
  const body: string[] = [];
  let memberOf: (path: string) => string | undefined = () => undefined;
  if (s.versioned) {
    const v = s.versioned;
    body.push(
      `// ${v.field}: selects the union member (${v.versions.map((n) => `${n} → v${n}`).join(', ')}); another value is UNSUPPORTEDSTRUCTUREVERSION`,
      `const ${local(v.field)}: unknown = ${readExpr('value', v.field)};`,
      `if (!isUint(${local(v.field)}, 32)) return refusedOr(c.fault(level, '${v.field}', 'is not a 32-bit unsigned value', depth));`,
      `let union: string;`,
      `switch (${local(v.field)}) {`,
      ...v.versions.flatMap((n) => [`  case ${n}:`, `    union = 'v${n}';`, '    break;']),
      '  default:',
      `    return c.unsupportedVersion(level, '${v.field}', ${local(v.field)});`,
      '}',
      `if (!isObject(value[union])) return refusedOr(c.fault(level, union, 'is missing', depth));`,
    );
    memberOf = (path) => (path.includes('.') ? path.slice(0, path.indexOf('.')) : undefined);
  }
  // Counted pointers and arrays read their count field; arrays need it as a local.
  for (const f of fields) {
    // The version field was read above.
    if (s.versioned && f.path === s.versioned.field && f.limits.length === 0) continue;
    const member = memberOf(f.path);
    const v = local(f.path);
    const lines = [f.shape.kind === 'array' ? `const count_${v} = ${readExpr('value', f.shape.countPath)};` : '', `const ${v}: unknown = ${readExpr('value', f.path)};`, ...fieldLines(f, s.name, v, model)].filter((l) => l !== '');
    body.push('', fieldComment(f));
    if (member) body.push(`if (union === '${member}') {`, ...indent(lines), '}');
    else body.push(...lines);
  }
  const uses = body.some((l) => l.includes('(s = ') || l.trimStart().startsWith('s = '));
  const doc = [`/** \`${s.name}\` as the application passed it: returns a refusal, or ${model.data.successStatus} (late faults and missing elements are left in \`c\`). */`];
  return [
    ...doc,
    `export function ${structCheckName(s.name)}(c: ArgumentCheck, value: Record<string, unknown>, level: number, depth: number): ${model.data.statusEnum} {`,
    ...(uses ? ['  let s: MvStatus;'] : []),
    ...indent(body.filter((l, i) => !(i === 0 && l === ''))),
    `  return ${model.data.successStatus};`,
    '}',
  ]
    .join('\n')
    .replace(': MvStatus;', `: ${model.data.statusEnum};`);
}

/** The checks of one parameter (its value is the parameter itself). */
function paramLines(p: ParamModel, ranges: string[], model: Model, imports: Imports): string[] {
  const s = paramShape(p, model) as unknown as Shape;
  const name = `'${p.name}'`;
  const kind = p.objectKind ? imports.value(MODULES.enums, p.objectKind) : 'undefined';
  switch (s.kind) {
    case 'handle':
      return [`// ${p.name}: a live ${s.handle}${p.objectKind ? ` naming a ${p.objectKind} object` : ''}`, orRefuse(`c.handle('${s.handle}', ${p.name}, ${name}, ${kind})`)];
    case 'box': {
      const lines = [`// ${p.name}: a pointer to one value${p.direction === 'inout' && s.of.kind === 'handle' ? ` holding a live ${s.of.handle}` : ''}`, `if (!isBox(${p.name})) {`, `  ${fault('0', name, "'is not a valid pointer'", '0')}`];
      if (p.direction === 'inout' && s.of.kind === 'handle') lines.push('} else {', `  ${orRefuse(`c.handle('${s.of.handle}', (${p.name} as { value: unknown }).value, '*${p.name}', ${kind})`)}`);
      return [...lines, '}'];
    }
    case 'ref':
      // The struct's contents are checked after every parameter's own checks (`contentLines`).
      return [`// ${p.name}: a pointer to ${s.struct}`, `if (!isObject(${p.name})) {`, `  ${fault('0', name, "'is not a valid pointer'", '0')}`, '}'];
    case 'array':
      return [`// ${p.name}: ${s.countPath} × ${s.struct}`, ...arrayLines(p.name, s.countPath, name, '0', '0', s.struct)];
    case 'bytes':
    case 'ints':
    case 'records': {
      // A buffer parameter with its length in a sibling parameter: a real pointer even when the length is zero.
      const length = `length_${p.name}`;
      return [
        `// ${p.name}: ${countComment(s)}; a real pointer even when ${s.countPath} is zero`,
        `const ${length} = ${lengthExpr(s, p.name)};`,
        `if (${length} < 0) {`,
        `  ${fault('0', name, "'is not a valid pointer'", '0')}`,
        '} else {',
        `  ${orRefuse(`c.counted(${p.name}, ${length}, ${s.countPath}, ${elementBytes(s)}, false, 0, ${name}, 0)`)}`,
        '}',
      ];
    }
    case 'int':
    case 'enum':
      return valueLines(p, s, ranges);
    case 'struct':
      throw new Error(`mvgen: ${p.name}: no argument check for a struct passed by value`);
  }
}

/**
 * The checks of what an input struct parameter holds. They run once every parameter passed its
 * own checks: a bad pointer anywhere in the call is PARAMETERFAULT whatever a struct holds, as
 * the kernel validates the pointers it is given before it reads through them.
 */
function contentLines(p: ParamModel, model: Model): string[] {
  const s = paramShape(p, model) as unknown as Shape;
  if (s.kind !== 'ref' || p.direction !== 'in') return [];
  return [
    `// ${p.name}: what the ${s.struct} holds`,
    `if (isObject(${p.name})) {`,
    `  c.at[0] = '${p.name}';`,
    `  ${orRefuse(`${structCheckName(s.struct)}(c, ${p.name}, 1, 0)`)}`,
    '}',
  ];
}

/**
 * An integer or enum passed by value must fit its C type (an enum is 32 bits, as in a struct). A
 * value outside it is out of any range the spec sets for the parameter, else the call's status for
 * a bad value (`CallRules.badValue`); a value inside it is the behaviour's to judge.
 */
function valueLines(p: ParamModel, s: Extract<Shape, { kind: 'int' | 'enum' }>, ranges: string[]): string[] {
  const name = `'${p.name}'`;
  const bits = s.kind === 'int' ? s.bits : 32;
  const signed = s.kind === 'int' && s.signed;
  const type = s.kind === 'int' ? `${signed ? 'int' : 'uint'}${bits}_t` : `enum ${s.enum}`;
  const width = `${s.kind === 'int' ? `a ${type}` : `a 32-bit ${s.enum}`} value${bits === 64 ? ' (a bigint)' : ''}`;
  const inRange = ranges.map((l) => `  if (typeof ${p.name} === 'number') ${orRefuse(`c.limit('${l}', ${p.name}, 0, ${name}, true)`)} // limit ${l}`);
  return [
    `// ${p.name}: ${type}${ranges.length > 0 ? `; limits ${ranges.join(', ')}` : ''}`,
    `if (!${signed ? 'isInt' : 'isUint'}(${p.name}, ${bits})) {`,
    ...inRange,
    `  ${orRefuse(`c.badValue(${name}, 'is not ${width}')`)}`,
    '}',
  ];
}

function functionCheck(fn: FunctionModel, model: Model, imports: Imports, rangesOf: (target: string) => string[]): string {
  const rules = `RULES.${fn.name}`;
  const body = [...fn.params.flatMap((p) => paramLines(p, rangesOf(`${fn.name}.${p.name}`), model, imports)), ...fn.params.flatMap((p) => contentLines(p, model))];
  const params = fn.params.map((p) => `${p.name}: unknown`);
  const uses = body.some((l) => l.includes('(s = '));
  return [
    `/** The arguments of \`${fn.name}\`, checked in parameter order (then what input structs hold): returns the refusal, or ${model.data.successStatus} for the behaviour to go ahead. */`,
    `export function ${functionCheckName(fn.name)}(${['c: ArgumentCheck', ...params].join(', ')}): ${model.data.statusEnum} {`,
    `  c.begin(${rules});`,
    ...(uses ? [`  let s: ${model.data.statusEnum};`] : []),
    ...indent(body),
    `  return ${model.data.successStatus};`,
    '}',
  ].join('\n');
}

/** The statements of `arguments.ts`. */
export function argumentStatements(model: Model, imports: Imports): string[] {
  imports.type(ARGUMENTS_RUNTIME, 'ArgumentCheck');
  imports.type(ARGUMENTS_RUNTIME, 'CallRules');
  imports.value(ARGUMENTS_RUNTIME, 'callRules');
  imports.value(MODULES.enums, model.data.successStatus);
  imports.type(MODULES.enums, model.data.statusEnum);
  imports.type(MODULES.syscalls, 'MvFunctionName');
  imports.value(METADATA_MODULE, 'FUNCTIONS');
  imports.value(METADATA_MODULE, 'STATUS_NAMES');
  const limits = limitsByField(model);
  const structs = model.structs.map((s) => structFunction(s, model, limits));
  // Only a range limit says what a value outside the parameter's type is (another kind is the behaviour's).
  const rangesOf = (target: string) => (limits.get(target) ?? []).filter((l) => model.limit(l).kind === 'range');
  const functions = model.functions.map((f) => functionCheck(f, model, imports, rangesOf));
  const rules = [
    '/** Each function\'s error-table facts the checks consult, computed once. */',
    'const RULES = {',
    ...model.functions.map((f) => `  ${f.name}: callRules(FUNCTIONS.${f.name}, STATUS_NAMES),`),
    '} satisfies { readonly [F in MvFunctionName]: CallRules };',
  ].join('\n');
  const table = [
    '/** Every function\'s argument check by name, for a runtime that dispatches generically (the mock). */',
    'export const ARGUMENT_CHECKS = {',
    ...model.functions.map((f) => `  ${f.name}: ${functionCheckName(f.name)},`),
    '} as const;',
  ].join('\n');
  // Only the helpers the checks use are imported.
  const text = [...structs, ...functions].join('\n');
  for (const name of ['byteLength', 'isBox', 'isInt', 'isObject', 'isUint', 'member', 'refusedOr']) if (new RegExp(`\\b${name}\\(`).test(text)) imports.value(ARGUMENTS_RUNTIME, name);
  return [rules, ...structs, ...functions, table];
}
