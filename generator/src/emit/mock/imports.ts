/** What a generated mock file imports, per module, printed as sorted import lines. */
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

  /** One `import type` and one `import` line per module, names sorted, one per line. */
  text(): string {
    const lines: string[] = [];
    for (const module of [...this.modules.keys()].sort()) {
      const { values, types } = this.modules.get(module)!;
      const typeOnly = [...types].filter((t) => !values.has(t));
      if (typeOnly.length) lines.push(importLine('import type', typeOnly, module));
      if (values.size) lines.push(importLine('import', [...values], module));
    }
    return lines.join('\n');
  }
}

function importLine(keyword: string, names: string[], module: string): string {
  return `${keyword} {\n${[...names].sort().map((n) => `  ${n},\n`).join('')}} from '${module}';`;
}
