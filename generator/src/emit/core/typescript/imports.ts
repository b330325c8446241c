/** Collects what a generated file uses from other modules, and prints sorted imports. */

export class Imports {
  private readonly modules = new Map<string, { values: Set<string>; types: Set<string> }>();

  private entry(module: string) {
    let e = this.modules.get(module);
    if (!e) this.modules.set(module, (e = { values: new Set(), types: new Set() }));
    return e;
  }

  value(module: string, name: string): string {
    this.entry(module).values.add(name);
    return name;
  }

  type(module: string, name: string): string {
    this.entry(module).types.add(name);
    return name;
  }

  /** Imports from `from` come from `to` instead (the same names, another module), except the names `stay` keeps. */
  moveModule(from: string, to: string, stay: (name: string) => boolean = () => false): void {
    const e = this.modules.get(from);
    if (!e) return;
    const t = this.entry(to);
    for (const kind of ['values', 'types'] as const) {
      for (const v of e[kind]) {
        if (stay(v)) continue;
        t[kind].add(v);
        e[kind].delete(v);
      }
    }
    if (e.values.size === 0 && e.types.size === 0) this.modules.delete(from);
    if (t.values.size === 0 && t.types.size === 0) this.modules.delete(to);
  }

  /** One import statement per module and kind, sorted, wrapped one name per line when long. */
  text(): string {
    const out: string[] = [];
    for (const module of [...this.modules.keys()].sort()) {
      const { values, types } = this.modules.get(module)!;
      const typeOnly = [...types].filter((t) => !values.has(t));
      if (typeOnly.length) out.push(importLine('import type', typeOnly, module));
      if (values.size) out.push(importLine('import', [...values], module));
    }
    return out.join('\n');
  }

  /** The imports as one leading statement (none when the file imports nothing). */
  statements(): string[] {
    const text = this.text();
    return text ? [text] : [];
  }
}

function importLine(keyword: string, names: string[], module: string): string {
  const sorted = [...names].sort();
  const line = `${keyword} { ${sorted.join(', ')} } from '${module}';`;
  if (line.length <= 100) return line;
  return `${keyword} {\n${sorted.map((n) => `  ${n},\n`).join('')}} from '${module}';`;
}
