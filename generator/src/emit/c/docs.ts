/**
 * What the C header says about each item, as Doxygen paragraphs. All facts come from the
 * model (directions, error tables, notifications, readable data, limits, errata, layouts);
 * the spec's prose is passed through `escapeCommentText` and never inspected.
 */
import type { Model } from '../../model/model.js';
import type {
  AbiId,
  EnumConstant,
  EnumModel,
  FieldModel,
  FunctionModel,
  LimitModel,
  ParamModel,
  StructModel,
  TypedefModel,
  UnionMemberModel,
  UnionModel,
} from '../../model/types.js';
import { escapeCommentText as esc } from '../core/c-comment.js';
import { errataFor, limitRule, sourceLabel } from '../core/facts.js';
import { limitMacros } from './limits.js';

const hex = (n: number) => `0x${n.toString(16)}`;
const bytes = (n: number) => `${n} byte${n === 1 ? '' : 's'}`;

/** "4 bytes on arm32 (device), 8 bytes on x86_64 (host)" */
function perAbiSizes(model: Model, size: Record<AbiId, number>): string {
  return model.abis.map((a) => `${bytes(size[a.id])} on ${a.id} (${a.role})`).join(', ');
}

function errataParagraph(model: Model, name: string): string[] {
  const list = errataFor(model, name);
  if (!list.length) return [];
  const rows = list.map(
    (e) => `- Erratum ${e.id} (${esc(e.item)}): the vendor page says: ${esc(e.vendorPage)}\n  The header says: ${esc(e.header)}\n  ${esc(e.resolution)}`,
  );
  return [`@par Errata\n${rows.join('\n')}`];
}

/** One line per limit in a function's or member's doc; the macro's own doc has the full text. */
function limitLine(model: Model, l: LimitModel): string {
  const macros = limitMacros(model, l)
    .map((m) => `#${m.name}`)
    .join(', ');
  return `- ${macros}: ${limitRule(l, model)}, otherwise ${breach(l)}.`;
}

function limitsParagraph(model: Model, limits: LimitModel[]): string[] {
  if (!limits.length) return [];
  return [`@par Limits\n${limits.map((l) => limitLine(model, l)).join('\n')}`];
}

// ---------------------------------------------------------------- typedefs

export function typedefDoc(model: Model, t: TypedefModel): string[] {
  return [esc(t.doc), `Pointer to the incomplete struct ${t.opaqueStruct}, as in the vendor header: ${perAbiSizes(model, t.size)}.`, ...errataParagraph(model, t.name)];
}

// ---------------------------------------------------------------- enums

export function enumDoc(model: Model, e: EnumModel): string[] {
  const out = [esc(e.doc)];
  if (e.bitmask) out.push('The values are bit flags and may be combined.');
  out.push(`Size: ${perAbiSizes(model, e.size)}. The sentinel ${e.sentinel.name} (${hex(e.sentinel.value)}) fixes the size under short enums.`);
  return [...out, ...errataParagraph(model, e.name)];
}

export function constantDoc(model: Model, c: EnumConstant): string {
  const parts = [esc(c.doc)];
  const producers = model.producersOf(c.name);
  const consumer = model.consumerOf(c.name);
  if (producers.length) parts.push(`Queued by ${producers.map((f) => `${f.name}()`).join(', ')}.`);
  if (c.unsolicited) parts.push('May arrive without a request.');
  if (consumer) parts.push(`Read it with ${consumer.name}().`);
  if (c.since) parts.push(`Since vendor SDK ${esc(c.since)}.`);
  const errata = errataFor(model, c.name);
  if (errata.length) parts.push(`See erratum ${errata.map((e) => e.id).join(', ')}.`);
  return parts.join(' ');
}

export function sentinelDoc(e: EnumModel): string {
  return `Not a value: makes the enum ${e.sentinel.value > 0xffff ? '32' : e.sentinel.value > 0xff ? '16' : '8'} bits wide on every ABI that sizes enums by their values.`;
}

// ---------------------------------------------------------------- structs

export function structDoc(model: Model, s: StructModel): string[] {
  const out = [esc(s.doc)];
  const layout = model.abis.map((a) => `${a.id}: ${bytes(s.layout[a.id].size)}, aligned to ${s.layout[a.id].align}`).join('; ');
  out.push(`Layout (${layout}).`);
  if (s.versioned) out.push(`Versioned: set \`${s.versioned.field}\` to ${s.versioned.versions.join(' or ')} and fill the matching member of the union.`);
  if (s.kernelWrites) out.push('Microvisor writes through the pointer members marked [out]; they must point to writable memory.');
  const takers = model.functionsTaking(s.name);
  if (takers.length) out.push(`Used by ${takers.map((f) => `${f.name}()`).join(', ')}.`);
  return [...out, ...errataParagraph(model, s.name)];
}

export function fieldDoc(model: Model, s: StructModel, path: string, f: FieldModel): string[] {
  const out = [esc(f.doc)];
  const notes: string[] = [];
  if (f.type.pointer && f.direction === 'out') notes.push('[out] Microvisor writes through this pointer.');
  if (f.counts) notes.push(`${f.countUnit === 'bytes' ? 'Size in bytes' : 'Number of elements'} of \`${f.counts}\`.`);
  if (f.countedBy) notes.push(`Its length is given by \`${f.countedBy}\`.`);
  if (f.required) notes.push('Required: must be present (a non-NULL pointer, a non-empty string).');
  if (f.optional) notes.push('May be NULL.');
  if (notes.length) out.push(notes.join(' '));
  const limits = model.limitsOn(`${s.name}.${path}`);
  out.push(...limitsParagraph(model, limits));
  out.push(...errataParagraph(model, `${s.name}.${path}`));
  return out;
}

export function unionDoc(u: UnionModel): string[] {
  return [esc(u.doc)];
}

export function unionMemberDoc(m: UnionMemberModel): string[] {
  return [esc(m.doc)];
}

// ---------------------------------------------------------------- functions

const DIRECTION_TAG: Record<ParamModel['direction'], string> = { value: '', in: '[in]', out: '[out]', inout: '[in,out]' };

export function functionDoc(model: Model, f: FunctionModel): string[] {
  const out = [esc(f.doc)];

  if (f.params.length) {
    const tagWidth = Math.max(...f.params.map((p) => DIRECTION_TAG[p.direction].length));
    const nameWidth = Math.max(...f.params.map((p) => p.name.length));
    out.push(
      f.params
        .map((p) => {
          let text = esc(p.doc);
          if (p.objectKind) text += ` Must refer to an object of kind #${p.objectKind}.`;
          if (p.counts) text += ` Length of \`${p.counts}\`, in ${p.countUnit}.`;
          if (p.appSets?.length) text += ` Set ${p.appSets.map((s) => `\`${s}\``).join(', ')} before the call.`;
          return `@param${DIRECTION_TAG[p.direction].padEnd(tagWidth)} ${p.name.padEnd(nameWidth)} ${text}`;
        })
        .join('\n'),
    );
  }

  const success = model.constant(model.data.successStatus).constant;
  const rows = [`@retval ${success.name} ${esc(success.doc)}`];
  for (const e of f.errors) {
    const issued = f.consumes
      ? e.issued
        ? 'The item is consumed all the same.'
        : 'Nothing is consumed.'
      : e.issued
        ? 'The request is issued all the same.'
        : 'Nothing is issued.';
    const inferred = e.source === 'inferred' ? ' (Inferred: the vendor header does not list this case.)' : '';
    rows.push(`@retval ${e.status} ${esc(e.when)} ${issued}${inferred}`);
  }
  out.push(rows.join('\n'));

  if (f.notifications.length)
    out.push(`@par Notifications\n${f.notifications.map((n) => `- #${n.event}: ${esc(n.when)}`).join('\n')}`);

  const data: string[] = [];
  for (const c of f.produces) {
    const reader = model.consumerOf(c);
    data.push(`- Queues #${c}${reader ? `; read it with ${reader.name}()` : ''}.`);
  }
  if (f.consumes) {
    const producers = model.producersOf(f.consumes);
    data.push(`- Reads and removes #${f.consumes}${producers.length ? `, queued by ${producers.map((p) => `${p.name}()`).join(', ')}` : ''}.`);
  }
  if (f.peeks) {
    const what = model.hasConstant(f.peeks) ? `#${f.peeks}` : `the next value of enum ${f.peeks}`;
    data.push(`- Reports ${what} without consuming it.`);
  }
  if (data.length) out.push(`@par Readable data\n${data.join('\n')}`);

  out.push(...callContextParagraph(f));
  out.push(...limitsParagraph(model, f.limits.map((n) => model.limit(n))));
  out.push(...errataParagraph(model, f.name));
  out.push(`@par Call address\nNon-secure-callable veneer at 0x${f.nscAddress.toString(16).padStart(8, '0')} (Thumb bit set); see the linker fragment.`);
  return out;
}

/** Where and how the call may be made: interrupt context, test mode, whether it returns. */
export function callContextParagraph(f: FunctionModel): string[] {
  const lines: string[] = [];
  if (f.notInInterrupt) lines.push(`- Not from an interrupt handler: there it returns #${f.notInInterrupt} and does nothing.`);
  if (f.testModeOnly) lines.push(`- Only in application-test mode: otherwise it returns #${f.testModeOnly} and does nothing.`);
  if (f.noReturn) lines.push('- Does not return on success; a returned status always reports a failure.');
  return lines.length ? [`@par Calling context\n${lines.join('\n')}`] : [];
}

// ---------------------------------------------------------------- limits

/** How a breach shows: a status the call returns, or a value the outcome reports later. */
function breach(l: LimitModel): string {
  return l.status !== undefined ? `#${l.status}` : `the outcome reports #${l.result}`;
}

export function limitDoc(model: Model, l: LimitModel): string[] {
  const facts = [`Rule: ${limitRule(l, model)}; otherwise ${breach(l)}.`];
  if (l.appliesTo.length) facts.push(`Applies to ${l.appliesTo.map((p) => `\`${p}\``).join(', ')}.`);
  if (l.functions.length) facts.push(`Checked by ${l.functions.map((f) => `${f}()`).join(', ')}.`);
  facts.push(`Source: ${sourceLabel(l.source)}.${l.configurable ? ' The emulator lets you change it.' : ''}`);
  return [esc(l.doc), facts.join('\n'), ...errataParagraph(model, l.name)];
}
