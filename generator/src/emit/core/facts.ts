/**
 * Facts derived from the model that several targets state: which errata concern an item, how a
 * limit's rule reads, where a number comes from. Computed here once, so the header, the SDK's
 * JSDoc and the reference docs say the same thing in the same words; each target only adds
 * its own markup (a `#ref`, a code span, a link) through the `code` formatter.
 */
import type { Model } from '../../model/model.js';
import type { Erratum, LimitModel } from '../../model/types.js';

type ErrataScope = 'item' | 'text';

/** Per model and scope: the errata by each whole word of their text, and the answers so far. */
interface ErrataIndex {
  byWord: Map<string, Erratum[]>;
  answers: Map<string, Erratum[]>;
}
const errataIndexes = new WeakMap<Model, Record<ErrataScope, ErrataIndex>>();

const errataText = (e: Erratum, about: ErrataScope) => (about === 'item' ? e.item : [e.item, e.vendorPage, e.header, e.resolution].join('\n'));

function errataIndex(model: Model, about: ErrataScope): ErrataIndex {
  let indexes = errataIndexes.get(model);
  if (!indexes) {
    const build = (scope: ErrataScope): ErrataIndex => {
      const byWord = new Map<string, Erratum[]>();
      for (const e of model.errata)
        for (const word of new Set(errataText(e, scope).match(/[A-Za-z0-9_]+/g) ?? [])) {
          const list = byWord.get(word);
          if (list) list.push(e);
          else byWord.set(word, [e]);
        }
      return { byWord, answers: new Map() };
    };
    indexes = { item: build('item'), text: build('text') };
    errataIndexes.set(model, indexes);
  }
  return indexes[about];
}

/**
 * Errata concerning `name`, by one matcher for every target. `about: 'item'` (the header, the
 * SDK): errata whose `item` names it as a whole identifier (a function, a constant, `Struct` or
 * `Struct.member`); a struct's own list leaves out errata about one of its members
 * (`MvMqttWill.qos`), which belong to the member. `about: 'text'` (the reference pages, which
 * link generously): errata whose text anywhere names it, members included.
 */
export function errataFor(model: Model, name: string, about: ErrataScope = 'item'): Erratum[] {
  const index = errataIndex(model, about);
  let found = index.answers.get(name);
  if (!found) {
    // Every item is asked about, once per target: only errata whose text has the name's first
    // word as a whole word can match (the matcher requires a word boundary there), so the
    // pattern runs on those alone.
    const first = /^[A-Za-z0-9_]+/.exec(name)?.[0];
    const candidates = first === undefined ? model.errata : (index.byWord.get(first) ?? []);
    found = [];
    if (candidates.length) {
      const quoted = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const after = about === 'item' ? '(?![A-Za-z0-9_]|\\.[A-Za-z_])' : '(?![A-Za-z0-9_])';
      const word = new RegExp(`(?<![A-Za-z0-9_${about === 'item' ? '.' : ''}])${quoted}${after}`);
      found = candidates.filter((e) => word.test(errataText(e, about)));
    }
    index.answers.set(name, found);
  }
  return [...found];
}

/** Where a limit or an error row comes from, in words. */
const SOURCE_LABELS: Record<string, string> = {
  header: 'vendor header',
  vendor_page: 'vendor web page',
  demo: 'vendor demo code',
  inferred: 'inferred by this emulator',
};

export function sourceLabel(source: string): string {
  return SOURCE_LABELS[source] ?? source;
}

/** The limit's unit after a number: ` bytes`, ` request` (one), or nothing for plain values. */
function unitWord(l: LimitModel, n: number | undefined): string {
  if (l.unit === 'value') return '';
  return ` ${n === 1 ? l.unit.replace(/s$/, '') : l.unit}`;
}

/** The handle type a per-object limit counts against: the first handle its functions take by value. */
export function perObjectHandle(l: LimitModel, model: Model): string | undefined {
  for (const name of l.functions) {
    const p = model.fn(name).params.find((q) => q.direction === 'value' && q.type.base.kind === 'handle');
    if (p) return p.type.base.name;
  }
  return undefined;
}

/**
 * The rule a limit states, in words, with the numbers from the model: "at most 8 elements",
 * "from 1 to 65535 bytes", "at most 10 calls per 1000 ms". `code` formats a name (a type) in the
 * target's markup.
 */
export function limitRule(l: LimitModel, model: Model, code: (name: string) => string = (n) => n): string {
  const v = l.value ?? 0;
  switch (l.kind) {
    case 'max':
      return `at most ${v}${unitWord(l, v)}`;
    case 'min':
      return `at least ${v}${unitWord(l, v)}`;
    case 'range':
      return `from ${l.min ?? 0} to ${l.max ?? 0}${unitWord(l, l.max)}`;
    case 'multiple_of':
      return `a multiple of ${v}${unitWord(l, v)}`;
    case 'alignment':
      return `aligned to ${v}${unitWord(l, v)}`;
    case 'max_objects':
      return `at most ${v}${unitWord(l, v)} at once`;
    case 'rate':
      return `at most ${v}${unitWord(l, v)} per ${l.windowMs ?? 0} ms`;
    case 'in_flight':
      return `at most ${v}${unitWord(l, v)} in flight`;
    case 'per_object': {
      const handle = perObjectHandle(l, model);
      return `at most ${v}${unitWord(l, v)} per ${handle ? code(handle) : 'object'}`;
    }
  }
}

/** The npm package of the TypeScript SDK generated from this spec (`<scope>/sdk`). */
export function sdkPackage(model: Model): string {
  return `${model.product.npmScope}/sdk`;
}
