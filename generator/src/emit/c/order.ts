/**
 * Declaration order for the header. Items stay in spec order, area by area, except that a
 * type is pulled forward when something earlier needs it complete (a struct member by
 * value, an enum, a handle typedef). For the vendor's own ordering nothing moves; a spec
 * that declares things "late" still yields a header that compiles.
 */
import type { Model } from '../../model/model.js';
import type { AreaModel, CType, FieldModel, MemberModel } from '../../model/types.js';

export type ItemRef =
  | { kind: 'typedef'; name: string }
  | { kind: 'enum'; name: string }
  | { kind: 'struct'; name: string }
  | { kind: 'function'; name: string };

export interface AreaSection {
  area: AreaModel;
  items: ItemRef[];
}

const key = (r: ItemRef) => `${r.kind}:${r.name}`;

function typeDeps(t: CType): ItemRef[] {
  const b = t.base;
  if (b.kind === 'enum') return [{ kind: 'enum', name: b.name }];
  if (b.kind === 'handle') return [{ kind: 'typedef', name: b.name }];
  // A pointer to a struct declares the tag on the spot; only by-value members need it complete.
  if (b.kind === 'struct' && t.pointer === 0) return [{ kind: 'struct', name: b.name }];
  return [];
}

function memberFields(members: MemberModel[]): FieldModel[] {
  return members.flatMap((m) => (m.kind === 'field' ? [m] : m.members.flatMap((u) => u.fields)));
}

function deps(model: Model, r: ItemRef): ItemRef[] {
  switch (r.kind) {
    case 'struct':
      return memberFields(model.struct(r.name).members).flatMap((f) => typeDeps(f.type));
    case 'function': {
      const f = model.fn(r.name);
      // Prototypes name struct types through pointers; declare them first so the tag is not
      // scoped to the parameter list.
      const structs = f.params.filter((p) => p.type.base.kind === 'struct').map((p) => ({ kind: 'struct' as const, name: p.type.base.name }));
      return [...typeDeps(f.returns), ...f.params.flatMap((p) => typeDeps(p.type)), ...structs];
    }
    default:
      return [];
  }
}

export function declarationOrder(model: Model): AreaSection[] {
  const placed = new Set<string>();
  const visiting = new Set<string>();
  return model.areas.map((area) => {
    const items: ItemRef[] = [];
    const place = (r: ItemRef) => {
      const k = key(r);
      if (placed.has(k) || visiting.has(k)) return;
      visiting.add(k);
      for (const d of deps(model, r)) place(d);
      visiting.delete(k);
      placed.add(k);
      items.push(r);
    };
    for (const name of area.typedefs) place({ kind: 'typedef', name });
    for (const name of area.enums) place({ kind: 'enum', name });
    for (const name of area.structs) place({ kind: 'struct', name });
    for (const name of area.functions) place({ kind: 'function', name });
    return { area, items };
  });
}
