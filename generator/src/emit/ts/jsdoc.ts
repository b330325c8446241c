/**
 * JSDoc text for every generated declaration, composed from the model's facts. The spec's
 * prose passes through `prose()` so that no doc string can end a comment early or start a tag.
 */
import type { Model } from '../../model/model.js';
import { prose, sections } from '../core/typescript/doc.js';
import { errataFor, limitRule, sourceLabel } from '../core/facts.js';
import type { EnumConstant, EnumModel, FieldModel, FunctionModel, LimitModel, ParamModel, StructModel } from '../../model/types.js';

/** A bulleted list under a heading, or nothing when there are no items. */
function list(heading: string, items: string[]): string | undefined {
  return items.length ? `${heading}\n${items.map((i) => `- ${i}`).join('\n')}` : undefined;
}

/**
 * One line: what a limit allows, what is returned past it, and where the number comes from.
 * `withSubject: false` leaves out the fields it applies to (when the comment sits on one of them).
 */
export function describeLimit(l: LimitModel, model: Model, withSubject = true): string {
  const subject = withSubject && l.appliesTo.length ? `${l.appliesTo.map((p) => `\`${p}\``).join(', ')}: ` : '';
  const rule = limitRule(l, model, (n) => `\`${n}\``);
  const origin = `${sourceLabel(l.source)}${l.configurable ? ', configurable' : ''}`;
  return `\`${l.name}\`: ${subject}${rule}, else \`${l.status ?? l.result}\` (${origin}).`;
}

/** The errata about `name` (see `errataFor`), as JSDoc list items. */
function errataItems(name: string, model: Model): string[] {
  return errataFor(model, name).map((e) => `#${e.id} ${prose(e.item)}. Vendor page: ${prose(e.vendorPage)} Header: ${prose(e.header)} ${prose(e.resolution)}`);
}

function errataSection(name: string, model: Model): string | undefined {
  return list('Errata:', errataItems(name, model));
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
      fn.limits.map((n) => describeLimit(model.limit(n), model)),
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
  const layout = s.layout[model.deviceAbi.id];
  const facts = [`C: \`struct ${s.name}\`, ${layout.size} bytes (align ${layout.align}) on the device.`];
  if (s.versioned) facts.push(`Versioned by \`${s.versioned.field}\`; versions: ${s.versioned.versions.join(', ')}.`);
  if (s.kernelWrites) facts.push('The kernel writes the results through the pointer members.');
  return sections(prose(s.doc), facts.join('\n'), errataSection(s.name, model));
}

export function fieldDoc(s: StructModel, path: string, f: FieldModel, model: Model): string {
  const at = f.layout[model.deviceAbi.id];
  const facts: string[] = [];
  facts.push(`C: \`${f.type.text}${f.type.text.endsWith('*') ? '' : ' '}${f.name}\` at offset ${at.offset} (${at.size} bytes) on the device.`);
  if (f.direction === 'out') facts.push('Written by the kernel.');
  if (f.counts) facts.push(`The length of \`${f.counts}\`${f.countUnit ? `, in ${f.countUnit}` : ''}.`);
  if (f.countedBy) facts.push(`Its length is \`${f.countedBy}\`.`);
  if (f.optional) facts.push('May be `null`.');
  if (f.required) facts.push('Required: leaving it empty is an error.');
  const limits = limitsOn(`${s.name}.${path}`, model).map((l) => describeLimit(l, model, false));
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
  const size = e.size[model.deviceAbi.id];
  return `Not a value: sizes \`enum ${e.name}\` (${size} byte${size === 1 ? '' : 's'} on the device).`;
}
