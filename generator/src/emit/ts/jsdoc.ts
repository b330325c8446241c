/**
 * JSDoc text for every generated declaration, composed from the model's facts. The spec's
 * prose passes through `prose()` so that no doc string can end a comment early or start a tag.
 */
import type { Model } from '../../model/model.js';
import type { AbiId, EnumConstant, EnumModel, FieldModel, FunctionModel, LimitModel, ParamModel, StructModel } from '../../model/types.js';

/** Spec prose made safe inside `/** ... *\/`: `*\/` is broken up and a leading `@` is escaped. */
export function prose(text: string): string {
  return text
    .trim()
    .replace(/\*\//g, '*\\/')
    .replace(/(^|\s)@(?=\w)/g, '$1\\@');
}

/** Joins the non-empty sections of a comment with blank lines. */
export function sections(...parts: (string | false | undefined)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join('\n\n');
}

/** A bulleted list under a heading, or nothing when there are no items. */
function list(heading: string, items: string[]): string | undefined {
  return items.length ? `${heading}\n${items.map((i) => `- ${i}`).join('\n')}` : undefined;
}

/** Generated lines stay within this many columns, as a formatter would keep them. */
const PAGE_WIDTH = 100;

/** A wrapped line must not start with something Markdown would read as a list, quote or heading. */
const UNSAFE_LINE_START = /^([-+*](\s|$)|#{1,6}(\s|$)|[>|]|\d+[.)](\s|$)|```)/;

function wrapLine(line: string, width: number, hang: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current && current.length + 1 + word.length > width && !UNSAFE_LINE_START.test(word)) {
      out.push(current);
      current = hang + word;
    } else current = current ? `${current} ${word}` : word;
  }
  out.push(current);
  return out;
}

/**
 * Word-wraps comment text for a comment indented by `indent` columns. Code fences are kept as
 * they are; list items and tags continue with a two-space hanging indent.
 */
export function wrapDoc(text: string, indent = 0): string {
  const width = PAGE_WIDTH - indent - ' * '.length;
  let inFence = false;
  return text
    .split('\n')
    .flatMap((line) => {
      if (line.startsWith('```')) inFence = !inFence;
      if (inFence || line.startsWith('```') || line.length <= width) return [line];
      return wrapLine(line, width, /^(- |@\w+ )/.test(line) ? '  ' : '');
    })
    .join('\n');
}

/** The `/** ... *\/` block for text the emitter writes itself, wrapped (one line when it fits). */
export function jsdocBlock(raw: string, indent = 0): string {
  const text = wrapDoc(raw, indent);
  if (!text.includes('\n') && text.length + indent + 7 <= PAGE_WIDTH) return `/** ${text} */`;
  const lines = text.split('\n');
  return `/**\n${lines.map((l) => (l ? ` * ${l}` : ' *')).join('\n')}\n */`;
}

/** The ABI of the device itself (layouts in docs and codecs are the device's). */
export function deviceAbi(model: Model): AbiId {
  return (model.abis.find((a) => a.role === 'device') ?? model.abis[0]).id;
}

const LIMIT_SOURCE: Record<LimitModel['source'], string> = {
  header: 'vendor header',
  vendor_page: 'vendor web page',
  demo: 'vendor demo code',
  inferred: 'inferred by this emulator',
};

function plural(n: number, unit: string): string {
  if (unit === 'value') return String(n);
  return `${n} ${n === 1 ? unit.replace(/s$/, '') : unit}`;
}

/**
 * One line: what a limit allows, what is returned past it, and where the number comes from.
 * `withSubject: false` leaves out the fields it applies to (when the comment sits on one of them).
 */
export function describeLimit(l: LimitModel, withSubject = true): string {
  const subject = withSubject && l.appliesTo.length ? `${l.appliesTo.map((p) => `\`${p}\``).join(', ')}: ` : '';
  const v = l.value ?? 0;
  let rule: string;
  switch (l.kind) {
    case 'max':
      rule = `at most ${plural(v, l.unit)}`;
      break;
    case 'min':
      rule = `at least ${plural(v, l.unit)}`;
      break;
    case 'range':
      rule = `from ${l.min ?? 0} to ${l.max ?? 0}`;
      break;
    case 'multiple_of':
      rule = `a multiple of ${plural(v, l.unit)}`;
      break;
    case 'alignment':
      rule = `aligned to ${plural(v, l.unit)}`;
      break;
    case 'max_objects':
      rule = `at most ${plural(v, l.unit)} open at once`;
      break;
    case 'rate':
      rule = `at most ${plural(v, l.unit)} per ${l.windowMs ?? 0} ms`;
      break;
    case 'in_flight':
      rule = `at most ${plural(v, l.unit)} in flight`;
      break;
    case 'per_object':
      rule = `at most ${plural(v, l.unit)} per object`;
      break;
  }
  const origin = `${LIMIT_SOURCE[l.source]}${l.configurable ? ', configurable' : ''}`;
  return `\`${l.name}\`: ${subject}${rule}, else \`${l.status}\` (${origin}).`;
}

/**
 * Errata whose subject names `name` as a whole identifier (`MvMqttConnectRequest`,
 * `mvMqttReadPublishResponse`, `MvMqttWill.qos`). A struct's own list leaves out errata about one
 * of its fields (`MvMqttWill.qos`): those sit on the field.
 */
export function errataFor(name: string, model: Model): string[] {
  // Asked for every item: skip compiling the RegExp when no erratum even contains the name.
  if (!model.errata.some((e) => e.item.includes(name))) return [];
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const mention = new RegExp(`(?<![\\w.])${escaped}(?![\\w]|\\.\\w)`);
  return model.errata
    .filter((e) => mention.test(e.item))
    .map((e) => `#${e.id} ${prose(e.item)}. Vendor page: ${prose(e.vendorPage)} Header: ${prose(e.header)} ${prose(e.resolution)}`);
}

function errataSection(name: string, model: Model): string | undefined {
  return list('Errata:', errataFor(name, model));
}

// ---------------------------------------------------------------- functions

const DIRECTION: Record<ParamModel['direction'], string> = {
  value: 'value',
  in: 'in',
  out: 'out',
  inout: 'in/out',
};

function paramTag(p: ParamModel): string {
  const kind = p.objectKind ? ` Its object must be of kind \`${p.objectKind}\`.` : '';
  const count = p.counts ? ` The length of \`${p.counts}\`, in ${p.countUnit}.` : '';
  const sets = p.appSets?.length ? ` Set ${p.appSets.map((s) => `\`${s}\``).join(', ')} before the call.` : '';
  return `@param ${p.name} - (${DIRECTION[p.direction]}) ${prose(p.doc)}${kind}${count}${sets}`;
}

/** Where and how the call may be made: interrupt context, test mode, whether it returns. */
function callContextSection(fn: FunctionModel): string | undefined {
  return list(
    'Calling context:',
    [
      fn.notInInterrupt && `Not from an interrupt handler: there it returns \`${fn.notInInterrupt}\` and does nothing.`,
      fn.testModeOnly && `Only in application-test mode: otherwise it returns \`${fn.testModeOnly}\` and does nothing.`,
      fn.noReturn && 'Does not return on success; a returned status always reports a failure.',
    ].filter((x): x is string => Boolean(x)),
  );
}

function returnsTag(fn: FunctionModel, model: Model): string {
  const rows = fn.errors.map((e) => {
    const issued = e.issued ? ' The request still went ahead.' : '';
    const inferred = e.source === 'inferred' ? ' (inferred: the vendor does not document this case)' : '';
    return `- \`${e.status}\`: ${prose(e.when)}${issued}${inferred}`;
  });
  return [`@returns \`${model.data.successStatus}\` on success, otherwise one of:`, ...rows].join('\n');
}

function readableDataSection(fn: FunctionModel, model: Model): string | undefined {
  const lines: string[] = [];
  for (const c of fn.produces) {
    const reader = model.consumerOf(c);
    lines.push(`queues \`${c}\` when the outcome arrives${reader ? `; read it with \`${reader.name}\`` : ''}.`);
  }
  if (fn.consumes) {
    const c = fn.consumes;
    const producers = model.producersOf(c).map((p) => `\`${p.name}\``);
    const unsolicited = model.hasConstant(c) && model.constant(c).constant.unsolicited;
    const from = [...producers, ...(unsolicited ? ['the server, unsolicited'] : [])];
    lines.push(`reads and removes the next item when it is \`${c}\`${from.length ? ` (queued by ${from.join(' or ')})` : ''}.`);
  }
  if (fn.peeks) lines.push(`reports the \`${fn.peeks}\` of the next item without removing it.`);
  return list('Readable data:', lines);
}

/** The full JSDoc of a syscall, as it stands above its `MvSyscalls` method. */
export function functionDoc(fn: FunctionModel, model: Model, cDecl: string): string {
  return sections(
    prose(fn.doc),
    ['```c', cDecl, '```'].join('\n'),
    list(
      'Notifications:',
      fn.notifications.map((n) => `\`${n.event}\`: ${prose(n.when)}`),
    ),
    readableDataSection(fn, model),
    callContextSection(fn),
    list(
      'Limits:',
      fn.limits.map((n) => describeLimit(model.limit(n))),
    ),
    errataSection(fn.name, model),
    [...fn.params.map(paramTag), returnsTag(fn, model)].join('\n'),
  );
}

export function statusTypeDoc(fn: FunctionModel, model: Model): string {
  return `What \`${fn.name}\` can return: \`${model.data.successStatus}\` or a status from its error table.\nA \`case\` for any other status does not compile.`;
}

// ---------------------------------------------------------------- structs

/** Limits that constrain the field at `Struct.path`. */
function limitsOn(path: string, model: Model): LimitModel[] {
  return model.limitsOn(path);
}

export function structDoc(s: StructModel, model: Model): string {
  const layout = s.layout[deviceAbi(model)];
  const facts = [`C: \`struct ${s.name}\`, ${layout.size} bytes (align ${layout.align}) on the device.`];
  if (s.versioned) facts.push(`Versioned by \`${s.versioned.field}\`; versions: ${s.versioned.versions.join(', ')}.`);
  if (s.kernelWrites) facts.push('The kernel writes the results through the pointer members.');
  return sections(prose(s.doc), facts.join('\n'), errataSection(s.name, model));
}

export function fieldDoc(s: StructModel, path: string, f: FieldModel, model: Model): string {
  const at = f.layout[deviceAbi(model)];
  const facts: string[] = [];
  facts.push(`C: \`${f.type.text}${f.type.text.endsWith('*') ? '' : ' '}${f.name}\` at offset ${at.offset} (${at.size} bytes) on the device.`);
  if (f.direction === 'out') facts.push('Written by the kernel.');
  if (f.counts) facts.push(`The length of \`${f.counts}\`${f.countUnit ? `, in ${f.countUnit}` : ''}.`);
  if (f.countedBy) facts.push(`Its length is \`${f.countedBy}\`.`);
  if (f.optional) facts.push('May be `null`.');
  if (f.required) facts.push('Required: leaving it empty is an error.');
  const limits = limitsOn(`${s.name}.${path}`, model).map((l) => describeLimit(l, false));
  return sections(prose(f.doc), facts.join(' '), list('Limits:', limits), errataSection(`${s.name}.${path}`, model));
}

// ---------------------------------------------------------------- enums and handles

export function enumDoc(e: EnumModel, model: Model): string {
  const sizes = model.abis.map((a) => `${e.size[a.id]} byte${e.size[a.id] === 1 ? '' : 's'} on ${a.id}`).join(', ');
  const facts = [`C: \`enum ${e.name}\`, ${sizes} (sized by \`${e.sentinel.name}\`).`];
  if (e.bitmask) facts.push('A bitmask: values combine with `|`.');
  return sections(prose(e.doc), facts.join('\n'), errataSection(e.name, model));
}

export function constantDoc(e: EnumModel, c: EnumConstant, model: Model): string {
  const facts: string[] = [];
  const reader = model.consumerOf(c.name);
  if (reader) facts.push(`Read it with \`${reader.name}\`.`);
  if (c.unsolicited) facts.push('Arrives without a request.');
  if (c.since) facts.push(`Since ${c.since}.`);
  return sections(prose(c.doc), facts.join(' '), errataSection(c.name, model));
}

export function sentinelDoc(e: EnumModel, model: Model): string {
  const size = e.size[deviceAbi(model)];
  return `Not a value: sizes \`enum ${e.name}\` (${size} byte${size === 1 ? '' : 's'} on the device).`;
}
