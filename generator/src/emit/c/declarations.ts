/**
 * One function per kind of item: each turns a model item into the C declaration the vendor
 * header has for it (same names, values, member order and C types, printed by the shared C
 * printer), preceded by its Doxygen block.
 */
import type { ItemHooks } from '../emitter.js';
import type { Model } from '../../model/model.js';
import type { EnumModel, FunctionModel, LimitModel, StructModel, TypedefModel } from '../../model/types.js';
import { docBlock, trailingDoc } from '../core/c-comment.js';
import { cEnum, cPrototype, cStruct, cTypedef, type COptions } from '../core/c-declarations.js';
import { constantDoc, enumDoc, fieldDoc, functionDoc, limitDoc, sentinelDoc, structDoc, typedefDoc, unionDoc, unionMemberDoc } from './docs.js';
import { limitMacros } from './limits.js';

const withDoc = (doc: string, declaration: string) => (doc ? `${doc}\n${declaration}` : declaration);

export const declarationHooks: Required<ItemHooks<string>> = {
  typedef(t: TypedefModel, model: Model) {
    return withDoc(docBlock(typedefDoc(model, t)), cTypedef(t));
  },

  enum(e: EnumModel, model: Model) {
    const opts: COptions = {
      extensions: true,
      hexValues: true,
      comments: {
        constant(c, sentinel) {
          const text = sentinel ? sentinelDoc(e) : constantDoc(model, c as EnumModel['constants'][number]);
          const after = trailingDoc(text);
          return after ? { after } : { before: docBlock([text]) };
        },
      },
    };
    return withDoc(docBlock(enumDoc(model, e)), cEnum(e, opts));
  },

  struct(s: StructModel, model: Model) {
    const opts: COptions = {
      extensions: true,
      comments: {
        field: (path, f) => docBlock(fieldDoc(model, s, path, f)),
        union: (u) => docBlock(unionDoc(u)),
        unionMember: (m) => docBlock(unionMemberDoc(m)),
      },
    };
    return withDoc(docBlock(structDoc(model, s)), cStruct(s, opts));
  },

  function(f: FunctionModel, model: Model) {
    return withDoc(docBlock(functionDoc(model, f)), cPrototype(f, { extern: true }));
  },

  limit(l: LimitModel, model: Model) {
    return withDoc(docBlock(limitDoc(model, l)), limitMacros(model, l).map((m) => `#define ${m.name} ${m.value}`).join('\n'));
  },
};
