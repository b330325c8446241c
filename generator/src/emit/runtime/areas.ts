/**
 * Behaviours by spec area. Each runtime implements one module per area that has functions
 * (`src/areas/<area>.ts`, exporting `create<Area>Behaviours(k, options?)`); the generated file
 * assembles them into the runtime's behaviours object, and the runtime's area options type from
 * the options parameter of each (an area with options of its own declares them there). A new
 * area in the spec therefore needs one new module per runtime and nothing else; a new function
 * needs one new method in its area module.
 */
import type { Model } from '../../model/model.js';
import type { AreaModel } from '../../model/types.js';
import type { Imports } from '../core/typescript/imports.js';
import { AREAS_DIR } from './modules.js';

function pascal(name: string): string {
  return name.replace(/(^|[-_ ])([a-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());
}

export function areaTypeName(area: AreaModel): string {
  return `${pascal(area.name)}Behaviours`;
}

function areasWithFunctions(model: Model): AreaModel[] {
  return model.areas.filter((a) => a.functions.length > 0);
}

/**
 * One `Pick` type per area of the runtime's behaviours interface, and the function that builds
 * the whole interface from the area modules.
 */
export function areaStatements(model: Model, imports: Imports, behavioursInterface: string, runtime: string, kernelModule: string): string[] {
  imports.type(kernelModule, 'Kernel');
  const areas = areasWithFunctions(model);
  const out: string[] = [];
  for (const area of areas) {
    const names = area.functions.map((f) => `'${f}'`).join(' | ');
    out.push(`/** The ${runtime}'s behaviours for the ${area.name} area, implemented in \`${AREAS_DIR.replace('../', 'src/')}/${area.name}.ts\`. */\nexport type ${areaTypeName(area)} = Pick<${behavioursInterface}, ${names}>;`);
    imports.value(`${AREAS_DIR}/${area.name}.js`, `create${areaTypeName(area)}`);
  }
  const camel = (a: AreaModel) => pascal(a.name).replace(/^./, (c) => c.toLowerCase());
  const options = `${pascal(runtime)}AreaOptions`;
  out.push(
    `/** The options an area's module takes: its create function's second parameter (none: \`{}\`). */\ntype OptionsOf<F> = F extends (k: Kernel, options: infer O) => unknown ? (unknown extends O ? {} : O) : {};`,
    `/** Every area's own options: the ${runtime}'s options are its kernel's and these. */\nexport type ${options} = ${areas.map((a) => `OptionsOf<typeof create${areaTypeName(a)}>`).join(' &\n  ')};`,
  );
  const builds = areas.map((a) => `  const ${camel(a)} = area(create${areaTypeName(a)});`).join('\n');
  const members = areas.flatMap((a) => a.functions.map((f) => `    ${f}: ${camel(a)}.${f},`)).join('\n');
  // Named members rather than spreads of the area objects: the runtime builds this once per
  // device, and one literal of fixed shape is far cheaper than merging objects property by
  // property (thousands of devices in one process: `mvdevice fleet`).
  out.push(
    `/** Every behaviour of the ${runtime}, one module per spec area; each area module gets the kernel and the options. */\nexport function create${behavioursInterface}(k: Kernel, options: ${options}): ${behavioursInterface} {\n  const area = <B>(create: (k: Kernel, options: ${options}) => B): B => create(k, options);\n${builds}\n  return {\n${members}\n  };\n}`,
  );
  return out;
}
