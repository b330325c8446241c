/**
 * Where every item of the reference lives (page and anchor), and Markdown links to it
 * relative to the page being written, so the pages work on GitHub, npm and from disk.
 */
import type { Model } from '../../model/model.js';
import type { CType } from '../../model/types.js';
import { mdCode } from './escape.js';

export const PAGES = {
  index: 'README.md',
  limits: 'limits.md',
  errata: 'errata.md',
  session: 'session.md',
} as const;

export type PageKind = 'function' | 'struct' | 'enum' | 'typedef';

const DIRS: Record<PageKind, string> = { function: 'functions', struct: 'structs', enum: 'enums', typedef: 'typedefs' };

/** The session page of one area. */
export function sessionPageOf(area: string): string {
  return `sessions/${area}.md`;
}

export function pageOf(kind: PageKind, name: string): string {
  return `${DIRS[kind]}/${name}.md`;
}

/** The anchor GitHub gives a heading with this text (github-slugger, without duplicate suffixes). */
export function githubSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Explicit anchors (`<a id>`) for things that are rows rather than headings. */
export const anchors = {
  field: (path: string) => `field-${path.toLowerCase().replace(/\./g, '-')}`,
  param: (name: string) => `param-${name.toLowerCase()}`,
  constant: (name: string) => name.toLowerCase(),
  area: (name: string) => `area-${name.toLowerCase()}`,
  erratum: (id: number) => `erratum-${id}`,
  /** Limits are headings on the limits page; their names slug to themselves. */
  limit: (name: string) => githubSlug(name),
};

export function anchorTag(id: string): string {
  return `<a id="${id}"></a>`;
}

/**
 * The path from directory `fromDir` to `to`, both relative to the reference root ('.' is the
 * root). Pure string work: node's `path.relative` resolves both against the working directory
 * first, which is most of its cost, and every page makes hundreds of links.
 */
function relativePath(fromDir: string, to: string): string {
  // Pages live in a handful of directories: the way from one directory to another is worked
  // out once, and every link only appends the page's file name.
  const slash = to.lastIndexOf('/');
  const toDir = slash < 0 ? '' : to.slice(0, slash);
  let ways = waysBetweenDirs.get(fromDir);
  if (!ways) waysBetweenDirs.set(fromDir, (ways = new Map()));
  let way = ways.get(toDir);
  if (way === undefined) {
    const from = fromDir === '.' || fromDir === '' ? [] : fromDir.split('/');
    const target = toDir === '' ? [] : toDir.split('/');
    let common = 0;
    while (common < from.length && common < target.length && from[common] === target[common]) common++;
    // '../functions/', 'structs/', or '' for the same directory.
    way = [...from.slice(common).map(() => '..'), ...target.slice(common), ''].join('/');
    ways.set(toDir, way);
  }
  return way + to.slice(slash + 1);
}
/** From directory → to directory → the way between them. */
const waysBetweenDirs = new Map<string, Map<string, string>>();

const dirOf = (page: string) => (page.includes('/') ? page.slice(0, page.lastIndexOf('/')) : '.');
const baseOf = (page: string) => page.slice(page.lastIndexOf('/') + 1);

/** Builds links from one page to the others. */
export class Linker {
  private readonly fromDir: string;

  constructor(
    private readonly model: Model,
    readonly from: string,
  ) {
    this.fromDir = dirOf(from);
  }

  /** Relative path from this page to `target` (a page path plus optional `#anchor`). */
  href(target: string, anchor?: string): string {
    const rel = relativePath(this.fromDir, target) || baseOf(target);
    const path = target === this.from ? '' : rel;
    return anchor ? `${path}#${anchor}` : path;
  }

  link(text: string, target: string, anchor?: string): string {
    return `[${text}](${this.href(target, anchor)})`;
  }

  fn(name: string): string {
    this.model.fn(name);
    return this.link(mdCode(name), pageOf('function', name));
  }
  struct(name: string): string {
    this.model.struct(name);
    return this.link(mdCode(name), pageOf('struct', name));
  }
  enum(name: string): string {
    this.model.enum(name);
    return this.link(mdCode(name), pageOf('enum', name));
  }
  typedef(name: string): string {
    this.model.typedef(name);
    return this.link(mdCode(name), pageOf('typedef', name));
  }
  constant(name: string): string {
    const { enum: e } = this.model.constant(name);
    return this.link(mdCode(name), pageOf('enum', e.name), anchors.constant(name));
  }
  /** `Struct.path` → link to the field's row on the struct page. */
  field(qualified: string): string {
    this.model.field(qualified);
    const [struct, ...rest] = qualified.split('.');
    return this.link(mdCode(qualified), pageOf('struct', struct), anchors.field(rest.join('.')));
  }
  /** `function.param` → link to the parameter's row on the function page. */
  param(qualified: string): string {
    this.model.param(qualified);
    const [fn, name] = qualified.split('.');
    return this.link(mdCode(qualified), pageOf('function', fn), anchors.param(name));
  }
  /** What a limit applies to: a struct field (`Struct.field`) or a parameter (`function.param`). */
  limitTarget(path: string): string {
    return this.model.hasFunction(path.split('.')[0]) ? this.param(path) : this.field(path);
  }
  limit(name: string): string {
    this.model.limit(name);
    return this.link(mdCode(name), PAGES.limits, anchors.limit(name));
  }
  erratum(id: number, text = `erratum ${id}`): string {
    return this.link(text, PAGES.errata, anchors.erratum(id));
  }
  area(name: string, title: string): string {
    return this.link(title, PAGES.index, anchors.area(name));
  }

  /** A C type as code, linked to the page of the type it names (if it is a spec type). */
  type(t: CType): string {
    const b = t.base;
    if (b.kind === 'int') return mdCode(t.text);
    const kind: PageKind = b.kind === 'handle' ? 'typedef' : b.kind;
    return this.link(mdCode(t.text), pageOf(kind, b.name));
  }
}
