/**
 * The spec's facts as data (`metadata.ts`): functions with their error tables, limits, the
 * readable-data flow, status names and C layouts. Runtimes read these instead of re-typing them.
 */
import type { Model } from '../../model/model.js';
import type { AbiId, FunctionModel, LimitKind, LimitModel } from '../../model/types.js';
import { Imports, MODULES } from './imports.js';
import { prose, sections, wrapDoc } from '../core/typescript/doc.js';
import { describeLimit } from './jsdoc.js';
import { Code, code, printLiteral, type Literal } from '../core/typescript/literal.js';
import type { Declaration } from '../core/typescript/printer.js';
import { exportConst, exportType } from '../core/typescript/text.js';

// Kept complete by the compiler: adding a kind to the IR fails here until it is listed.
const LIMIT_KINDS: Record<LimitKind, true> = {
  max: true,
  min: true,
  range: true,
  multiple_of: true,
  alignment: true,
  max_objects: true,
  rate: true,
  in_flight: true,
  per_object: true,
};
const LIMIT_UNITS: Record<LimitModel['unit'], true> = { bytes: true, elements: true, objects: true, calls: true, requests: true, value: true };
const LIMIT_SOURCES: Record<LimitModel['source'], true> = { header: true, vendor_page: true, demo: true, inferred: true };

/** A union of string literals; one per line when it is long, as a formatter would print it. */
function union(keys: object): string {
  const names = Object.keys(keys).map((k) => `'${k}'`);
  return names.join(' | ').length > 60 ? `\n${names.map((k) => `| ${k}`).join('\n')}` : names.join(' | ');
}

function hex(n: number): Code {
  return code(`0x${n.toString(16).padStart(8, '0')}`);
}

/** The enums that declare these constants, in spec order (none when the list is empty). */
function enumsOf(constants: string[], model: Model): string[] {
  const names = new Set(constants.filter((c) => model.hasConstant(c)).map((c) => model.constant(c).enum.name));
  return model.enums.filter((e) => names.has(e.name)).map((e) => e.name);
}

interface Ctx {
  model: Model;
  imports: Imports;
}

function constRef(name: string, ctx: Ctx): Code {
  return code(ctx.imports.value(MODULES.enums, name));
}

function functionEntry(fn: FunctionModel, ctx: Ctx): Literal {
  return {
    area: fn.area,
    nscAddress: hex(fn.nscAddress),
    params: fn.params.map((p) => ({
      name: p.name,
      direction: p.direction,
      type: p.type.text,
      objectKind: p.objectKind ? constRef(p.objectKind, ctx) : undefined,
      counts: p.counts,
      countedBy: p.countedBy?.param,
      countUnit: p.countUnit ?? p.countedBy?.unit,
      appSets: p.appSets,
    })),
    errors: fn.errors.map((e) => ({
      status: constRef(e.status, ctx),
      name: e.status,
      when: e.when,
      issued: e.issued,
      source: e.source,
      waiver: e.waiver ? { device: e.waiver.device, mock: e.waiver.mock } : undefined,
    })),
    notifications: fn.notifications.map((n) => constRef(n.event, ctx)),
    produces: fn.produces.map((c) => constRef(c, ctx)),
    consumes: fn.consumes ? constRef(fn.consumes, ctx) : undefined,
    peeks: fn.peeks,
    limits: fn.limits,
    notInInterrupt: fn.notInInterrupt ? constRef(fn.notInInterrupt, ctx) : undefined,
    testModeOnly: fn.testModeOnly ? constRef(fn.testModeOnly, ctx) : undefined,
    noReturn: fn.noReturn,
  };
}

function limitEntry(l: LimitModel, ctx: Ctx): Literal {
  return {
    kind: l.kind,
    value: l.value,
    min: l.min,
    max: l.max,
    windowMs: l.windowMs,
    unit: l.unit,
    appliesTo: l.appliesTo,
    functions: l.functions,
    status: l.status !== undefined ? constRef(l.status, ctx) : undefined,
    result: l.result !== undefined ? constRef(l.result, ctx) : undefined,
    source: l.source,
    configurable: l.configurable,
  };
}

function constStatement(name: string, value: Literal, doc: string, satisfies?: string): string {
  // A reference to another constant keeps that constant's type; only literals need `as const`.
  const initializer = value instanceof Code ? value.text : `${printLiteral(value)} as const${satisfies ? ` satisfies ${satisfies}` : ''}`;
  return exportConst(name, initializer, doc);
}

function typeAlias(name: string, type: string, doc: string): string {
  return exportType(name, type, doc);
}

function interfaceOf(name: string, doc: string, props: [string, string, string?][]): Declaration {
  return {
    kind: 'interface',
    isExported: true,
    name,
    docs: [wrapDoc(doc)],
    properties: props.map(([n, type, d]) => ({
      name: n.replace(/\?$/, ''),
      hasQuestionToken: n.endsWith('?'),
      isReadonly: true,
      type,
      docs: d ? [wrapDoc(d, 2)] : undefined,
    })),
  };
}

export function metadataStatements(model: Model, imports: Imports): (string | Declaration)[] {
  const ctx: Ctx = { model, imports };
  const status = imports.type(MODULES.enums, model.data.statusEnum);
  imports.type(MODULES.syscalls, 'MvFunctionName');
  const allEvents = model.functions.flatMap((f) => f.notifications.map((n) => n.event));
  const allReadable = model.functions.flatMap((f) => [...f.produces, ...(f.consumes ? [f.consumes] : [])]);
  // Events and readable data may come from several enums: the types are their union.
  const eventEnums = enumsOf(allEvents, model);
  const readableEnums = enumsOf(allReadable, model);
  const unionOf = (enums: string[]) => (enums.length ? enums.map((e) => imports.type(MODULES.enums, e)).join(' | ') : 'number');
  const eventType = unionOf(eventEnums);
  const readableType = unionOf(readableEnums);
  const arrayOf = (t: string) => (t.includes('|') ? `readonly (${t})[]` : `readonly ${t}[]`);
  const abis = model.abis.map((a) => a.id);
  const abiType = abis.map((a) => `'${a}'`).join(' | ');

  const spec = model.spec;
  const out: (string | Declaration)[] = [
    constStatement(
      'SPEC',
      {
        name: spec.name,
        version: spec.version,
        title: spec.title,
        hash: spec.hash,
        vendorSdkVersion: spec.vendor.sdkVersion,
        vendorHeader: spec.vendor.header,
        vendorCommit: spec.vendor.commit,
      },
      'The spec this SDK was generated from, and the vendor SDK it describes.',
    ),

    typeAlias('MvAbi', abiType, 'A C ABI the model lays structs out for.'),
    constStatement('DEVICE_ABI', model.deviceAbi.id, 'The ABI of the device: the layout the kernel reads and writes.'),

    interfaceOf('MvParamInfo', 'A parameter of a syscall.', [
      ['name', 'string'],
      ['direction', "'value' | 'in' | 'out' | 'inout'"],
      ['type', 'string', 'The C type, as in the vendor header.'],
      ['objectKind?', 'number', 'The handle must refer to an object of this kind (an enum constant).'],
      ['counts?', 'string', 'This parameter gives the length of the named buffer parameter.'],
      ['countedBy?', 'string', 'The parameter that gives this buffer\'s length.'],
      ['countUnit?', "'elements' | 'bytes'", 'What the length counts.'],
      ['appSets?', 'readonly string[]', 'Fields of an output struct the application sets before the call (its version).'],
    ]),
    interfaceOf('MvErrorInfo', 'A row of a syscall\'s error table.', [
      ['status', status],
      ['name', `keyof typeof ${model.data.statusEnum}`],
      ['when', 'string'],
      ['issued', 'boolean', 'The request (or the read) went ahead despite this status.'],
      ['source', "'header' | 'inferred'", '`inferred`: an emulator choice where the vendor is silent.'],
      ['waiver?', '{ readonly device?: string; readonly mock?: string }', 'Runtimes that cannot provoke this row on a host, and why.'],
    ]),
    interfaceOf('MvFunctionInfo', 'What the spec says about one syscall.', [
      ['area', 'string'],
      ['nscAddress', 'number', 'Address of the non-secure-callable veneer on the device.'],
      ['params', 'readonly MvParamInfo[]'],
      ['errors', 'readonly MvErrorInfo[]', 'The error table, in spec order (the success status is not listed).'],
      ['notifications', arrayOf(eventType), 'Events the call causes later.'],
      ['produces', arrayOf(readableType), 'Readable data the request queues when its outcome arrives.'],
      ['consumes?', readableType, 'The readable data the call reads and removes.'],
      ['peeks?', 'string', 'The readable-data enum whose next value the call reports.'],
      ['limits', 'readonly LimitName[]'],
      ['notInInterrupt?', status, 'Called from an interrupt handler, the call returns this status and does nothing.'],
      ['testModeOnly?', status, 'Outside application-test mode, the call returns this status and does nothing.'],
      ['noReturn', 'boolean', 'On success control does not come back to the caller.'],
    ]),
    constStatement(
      'FUNCTIONS',
      Object.fromEntries(model.functions.map((f) => [f.name, functionEntry(f, ctx)])),
      'Every syscall of the spec, in spec order.',
      `{ readonly [F in MvFunctionName]: MvFunctionInfo }`,
    ),

    typeAlias('MvLimitKind', union(LIMIT_KINDS), 'What a limit bounds: a value, a count, a rate, the requests in flight...'),
    typeAlias('MvLimitUnit', union(LIMIT_UNITS), 'What a limit counts.'),
    typeAlias('MvLimitSource', union(LIMIT_SOURCES), 'Where a limit comes from: the vendor, or an emulator choice (`inferred`).'),
    interfaceOf('MvLimitInfo', 'A limit the kernel enforces.', [
      ['kind', 'MvLimitKind'],
      ['value?', 'number'],
      ['min?', 'number'],
      ['max?', 'number'],
      ['windowMs?', 'number', 'The time window of a `rate` limit.'],
      ['unit', 'MvLimitUnit'],
      ['appliesTo', 'readonly string[]', '`Struct.field` paths the limit constrains.'],
      ['functions', 'readonly MvFunctionName[]'],
      ['status?', status, 'What a call returns when the limit is exceeded.'],
      ['result?', 'number', 'When the call accepts the value: the enum constant its outcome reports the breach with.'],
      ['source', 'MvLimitSource'],
      ['configurable', 'boolean', 'The emulator may let a test change it.'],
    ]),
  ];

  const limitDocs = new Map(model.limits.map((l) => [l.name, sections(prose(l.doc), describeLimit(l, model))]));
  const limits = constStatement(
    'LIMITS',
    Object.fromEntries(model.limits.map((l) => [l.name, limitEntry(l, ctx)])),
    'Every limit of the spec, by name.',
    'Record<string, MvLimitInfo>',
  );
  out.push(limits, typeAlias('LimitName', 'keyof typeof LIMITS', `The name of a limit: ${[...limitDocs.keys()].map((n) => `\`${n}\``).join(', ')}.`));

  if (readableEnums.length) {
    // Per enum, by value: values of different readable-data enums may coincide.
    const table = (enumName: string) =>
      Object.fromEntries(
        model
          .enum(enumName)
          .constants.filter((c) => model.consumerOf(c.name))
          .map((c) => [
            `[${constRef(c.name, ctx).text}]`,
            { name: c.name, consumer: model.consumerOf(c.name)!.name, producers: model.producersOf(c.name).map((f) => f.name), unsolicited: Boolean(c.unsolicited) },
          ]),
      );
    const byEnumType = `{ ${readableEnums.map((e) => `readonly ${e}: { readonly [T in ${imports.type(MODULES.enums, e)}]?: MvReadableDataInfo }`).join('; ')} }`;
    out.push(
      interfaceOf('MvReadableDataInfo', 'Where one type of readable data comes from and which call reads it.', [
        ['name', 'string'],
        ['consumer', 'MvFunctionName', 'The call that reads and removes it.'],
        ['producers', 'readonly MvFunctionName[]', 'Requests that queue it.'],
        ['unsolicited', 'boolean', 'It also arrives without a request.'],
      ]),
      constStatement(
        'READABLE_DATA_BY_ENUM',
        Object.fromEntries(readableEnums.map((e) => [e, table(e)])),
        `Per readable-data enum (${readableEnums.map((e) => `\`${e}\``).join(', ')}), each value a call can read.`,
        byEnumType,
      ),
    );
    // With a single readable-data enum, values are unambiguous: the table is also offered flat.
    if (readableEnums.length === 1)
      out.push(
        constStatement(
          'READABLE_DATA',
          code(`READABLE_DATA_BY_ENUM.${readableEnums[0]}`),
          `Each \`${readableEnums[0]}\` a call can read, by value.`,
        ),
      );
  }

  out.push(
    constStatement(
      'ENUM_NAMES',
      Object.fromEntries(model.enums.map((e) => [e.name, Object.fromEntries(e.constants.map((c) => [String(c.value), c.name]))])),
      'The constant name of each enum value, per enum (the `__MAX` sentinels are not values).',
    ),
    constStatement('STATUS_NAMES', code(`ENUM_NAMES.${model.data.statusEnum}`), 'Status value → constant name.'),
  );
  out.push({
    kind: 'function',
    isExported: true,
    name: 'statusName',
    docs: [wrapDoc(`The constant name of a status (\`${model.data.successStatus}\`), or \`${model.data.statusEnum}(n)\` for a value the spec does not define.`)],
    parameters: [{ name: 'status', type: 'number' }],
    returnType: 'string',
    statements: [`return (STATUS_NAMES as Readonly<Record<number, string>>)[status] ?? \`${model.data.statusEnum}(\${status})\`;`],
  });

  out.push(
    interfaceOf('MvStructLayout', 'A struct\'s C layout on one ABI.', [
      ['size', 'number'],
      ['align', 'number'],
      ['fields', 'Readonly<Record<string, { readonly offset: number; readonly size: number }>>', 'By dotted path (`v1.notification_handle`), offsets from the start of the struct.'],
    ]),
    constStatement(
      'LAYOUTS',
      Object.fromEntries(
        model.structs.map((s) => [
          s.name,
          Object.fromEntries(
            abis.map((abi: AbiId) => [
              abi,
              {
                size: s.layout[abi].size,
                align: s.layout[abi].align,
                fields: Object.fromEntries(s.fieldPaths.map((p) => [p.path, { offset: p.field.layout[abi].offset, size: p.field.layout[abi].size }])),
              },
            ]),
          ),
        ]),
      ),
      'The C layout of every struct on every ABI.',
      `Record<string, Record<MvAbi, MvStructLayout>>`,
    ),
    constStatement(
      'STRUCT_VERSIONS',
      Object.fromEntries(model.structs.filter((s) => s.versioned).map((s) => [s.name, { field: s.versioned!.field, versions: s.versioned!.versions }])),
      'Versioned structs: the field that carries the version, and the versions the spec defines (each has a `vN` member).',
      'Record<string, { readonly field: string; readonly versions: readonly number[] }>',
    ),
  );
  return out;
}
