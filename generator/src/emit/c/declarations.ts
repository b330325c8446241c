/**
 * One function per kind of item: each turns a model item into the C declaration the vendor
 * header has for it (same names, values, member order and C types), with its Doxygen block.
 */
import type { ItemHooks } from '../emitter.js';
import type { Model } from '../../model/model.js';
import type { CType, EnumModel, FieldModel, FunctionModel, LimitModel, MemberModel, StructModel, TypedefModel } from '../../model/types.js';
import { docBlock, trailingDoc } from './comment.js';
import { constantDoc, enumDoc, fieldDoc, functionDoc, limitDoc, sentinelDoc, structDoc, typedefDoc, unionDoc, unionMemberDoc } from './docs.js';
import { limitMacros } from './limits.js';
import { partial } from './templates.js';

/** Largest value ISO C (before C23) allows for an enumerator: beyond it, pedantic mode warns. */
const INT_MAX = 0x7fffffff;

const hex = (n: number) => `0x${n.toString(16)}`;

/** `uint8_t *` + `data` → `uint8_t *data`; `uint32_t` + `size` → `uint32_t size`. */
export function declarator(type: CType, name: string): string {
  return type.text.endsWith('*') ? `${type.text}${name}` : `${type.text} ${name}`;
}

interface MemberView {
  field: boolean;
  doc: string;
  decl: string;
  members: { doc: string; name: string; fields: MemberView[] }[];
}

function fieldView(model: Model, s: StructModel, path: string, f: FieldModel): MemberView {
  return { field: true, doc: docBlock(fieldDoc(model, s, path, f)), decl: declarator(f.type, f.name), members: [] };
}

function memberView(model: Model, s: StructModel, m: MemberModel): MemberView {
  if (m.kind === 'field') return fieldView(model, s, m.name, m);
  return {
    field: false,
    doc: docBlock(unionDoc(m)),
    decl: '',
    members: m.members.map((u) => ({
      doc: docBlock(unionMemberDoc(u)),
      name: u.name,
      fields: u.fields.map((f) => fieldView(model, s, `${u.name}.${f.name}`, f)),
    })),
  };
}

export const declarationHooks: Required<ItemHooks<string>> = {
  typedef(t: TypedefModel, model: Model) {
    return partial('typedef')({ doc: docBlock(typedefDoc(model, t)), name: t.name, opaque: t.opaqueStruct });
  },

  enum(e: EnumModel, model: Model) {
    const values = [...e.constants.map((c) => c.value), e.sentinel.value];
    const constants = [
      ...e.constants.map((c) => ({ name: c.name, value: hex(c.value), text: constantDoc(model, c) })),
      { name: e.sentinel.name, value: hex(e.sentinel.value), text: sentinelDoc(e) },
    ].map((c, i, all) => {
      const after = trailingDoc(c.text);
      return { name: c.name, value: c.value, comma: i < all.length - 1, docAfter: after ?? null, docBefore: after ? null : docBlock([c.text]) };
    });
    return partial('enum')({
      doc: docBlock(enumDoc(model, e)),
      name: e.name,
      // `__extension__` keeps the vendor's out-of-int-range sentinel without a pedantic warning.
      extension: values.some((v) => v > INT_MAX),
      constants,
    });
  },

  struct(s: StructModel, model: Model) {
    return partial('struct')({ doc: docBlock(structDoc(model, s)), name: s.name, members: s.members.map((m) => memberView(model, s, m)) });
  },

  function(f: FunctionModel, model: Model) {
    const params = f.params.length ? f.params.map((p) => declarator(p.type, p.name)).join(', ') : 'void';
    return partial('function')({ doc: docBlock(functionDoc(model, f)), returns: f.returns.text, name: f.name, params });
  },

  limit(l: LimitModel, model: Model) {
    return partial('limit')({ doc: docBlock(limitDoc(model, l)), macros: limitMacros(l) });
  },
};
