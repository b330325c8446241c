/**
 * `c` target: the firmware-facing part of the C headers package (`<name>` is the spec's name,
 * `<dir>` the index's `product.outputs.c`).
 *   <dir>/include/<name>/<name>.h         the declarations of the vendor header that the spec
 *                                         covers, plus version and limit macros
 *   <dir>/include/<name>/<name>_layout.h  static assertions of values and per-ABI layouts
 *   <dir>/ld/<name>_nsc.ld                PROVIDE() of every function's veneer address
 *   <dir>/cmake/<name>*.cmake             targets for add_subdirectory and find_package
 */
import type { Emitter, EmitContext, OutputFile } from '../emitter.js';
import type { Model } from '../../model/model.js';
import { blockCommentBanner, bannerLines } from '../banner.js';
import { cString, docBlock, escapeCommentText, plainBlock } from '../core/c-comment.js';
import { cHeaderPath } from '../core/c-package.js';
import { templateSet, type TemplateSet } from '../core/templates.js';
import { declarationHooks } from './declarations.js';
import { abiChecks, abiMacro, valueChecks } from './layout.js';
import { declarationOrder, type ItemRef } from './order.js';

const INCLUDE_DIR = 'include';

/** The files of the package, named after the product (the spec's name). */
function fileNames(model: Model) {
  const name = model.product.name;
  return {
    header: cHeaderPath(model),
    layoutHeader: `${name}/${name}_layout.h`,
    linkerFragment: `ld/${name}_nsc.ld`,
    cmake: (part: string) => `cmake/${name}${part}.cmake`,
  };
}

let cTemplates: TemplateSet | undefined;
/** The `c` set, loaded once per process (the header, layout, linker and CMake files all use it). */
const templates = () => (cTemplates ??= templateSet('c'));

function semver(v: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
  if (!m) throw new Error(`mvgen c: version "${v}" is not major.minor.patch`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function versionMacros(model: Model, ctx: EmitContext) {
  const spec = model.spec;
  const [major, minor, patch] = semver(spec.version);
  const [vMajor, vMinor, vPatch] = semver(spec.vendor.sdkVersion);
  const p = model.product.macroPrefix;
  const rows: { name: string; value: string; doc: string }[] = [
    { name: `${p}_SPEC_NAME`, value: cString(spec.name), doc: 'Name of the spec.' },
    { name: `${p}_SPEC_VERSION_MAJOR`, value: String(major), doc: 'Spec version, major part.' },
    { name: `${p}_SPEC_VERSION_MINOR`, value: String(minor), doc: 'Spec version, minor part.' },
    { name: `${p}_SPEC_VERSION_PATCH`, value: String(patch), doc: 'Spec version, patch part.' },
    { name: `${p}_SPEC_VERSION_STRING`, value: cString(spec.version), doc: 'Spec version as text.' },
    { name: `${p}_SPEC_HASH`, value: cString(spec.hash), doc: 'sha256 of the spec files this header was generated from.' },
    { name: `${p}_VENDOR_NAME`, value: cString(spec.vendor.name), doc: 'The SDK whose header this one matches.' },
    { name: `${p}_VENDOR_SDK_VERSION_MAJOR`, value: String(vMajor), doc: 'Vendor SDK version, major part.' },
    { name: `${p}_VENDOR_SDK_VERSION_MINOR`, value: String(vMinor), doc: 'Vendor SDK version, minor part.' },
    { name: `${p}_VENDOR_SDK_VERSION_PATCH`, value: String(vPatch), doc: 'Vendor SDK version, patch part.' },
    { name: `${p}_VENDOR_SDK_VERSION_STRING`, value: cString(spec.vendor.sdkVersion), doc: 'Vendor SDK version as text.' },
    { name: `${p}_VENDOR_HEADER`, value: cString(spec.vendor.header), doc: 'The vendor header this one stands in for.' },
    { name: `${p}_VENDOR_COMMIT`, value: cString(spec.vendor.commit), doc: `Commit of ${spec.vendor.repository} the spec was checked against.` },
  ];
  if (spec.vendor.headerSha256)
    rows.push({ name: `${p}_VENDOR_HEADER_SHA256`, value: cString(spec.vendor.headerSha256), doc: `sha256 of that commit's ${spec.vendor.header}.` });
  rows.push({ name: `${p}_GENERATOR_VERSION`, value: cString(ctx.generatorVersion), doc: 'Version of mvgen that wrote this header.' });
  return rows.map((r) => ({ ...r, doc: docBlock([escapeCommentText(r.doc)]) }));
}

function renderItem(model: Model, r: ItemRef): string {
  const hooks = declarationHooks;
  switch (r.kind) {
    case 'typedef':
      return hooks.typedef(model.typedef(r.name), model);
    case 'enum':
      return hooks.enum(model.enum(r.name), model);
    case 'struct':
      return hooks.struct(model.struct(r.name), model);
    case 'function':
      return hooks.function(model.fn(r.name), model);
  }
}

function mainHeader(model: Model, ctx: EmitContext): string {
  const spec = model.spec;
  const files = fileNames(model);
  const prefix = model.product.macroPrefix;
  const sections = declarationOrder(model).map(({ area, items }) => ({
    group: `${model.product.name}_${area.name}`,
    title: escapeCommentText(area.title).replace(/\n/g, ' '),
    docLines: docBlock([escapeCommentText(area.doc)]).split('\n').slice(1, -1).map((l) => l.replace(/^ \* ?/, '')),
    items: items.map((r) => renderItem(model, r).trimEnd()),
  }));
  const fileDoc = docBlock([
    `@file ${files.header.split('/').pop()}\n@brief ${escapeCommentText(spec.title).replace(/\n/g, ' ')}`,
    escapeCommentText(spec.doc),
    escapeCommentText(
      `Declares ${spec.vendor.complete ? 'every item' : 'the part'} of ${spec.vendor.header} (${spec.vendor.name} ${spec.vendor.sdkVersion})${spec.vendor.complete ? '' : ' that the spec covers'}, with the vendor's names, ` +
        `values, member order and C types, so code written against the vendor header compiles unchanged and links against the vendor's object ` +
        `file or against ${files.linkerFragment}. If the vendor header is included first (${spec.vendor.includeGuard} is defined), only the macros are added. ` +
        (spec.vendor.complete
          ? `Otherwise this header defines ${spec.vendor.includeGuard} itself, so a later include of the vendor header adds nothing.`
          : `The other order does not compile: the spec covers only part of ${spec.vendor.header}, so this header leaves its guard alone.`),
    ),
  ]);
  return templates().template('header.h.hbs')({
    banner: blockCommentBanner(ctx).trimEnd(),
    fileDoc,
    guard: `${prefix}_${model.product.name.toUpperCase()}_H`,
    prefix,
    // Seeing the vendor's include guard defined means its declarations are already in the translation unit.
    vendorGuard: spec.vendor.includeGuard,
    // A complete spec claims the vendor's guard; a partial one must not hide the rest of the vendor header.
    defineVendorGuard: spec.vendor.complete,
    layoutHeader: files.layoutHeader,
    version: versionMacros(model, ctx),
    limits: model.limits.map((l) => declarationHooks.limit(l, model).trimEnd()),
    sections,
  });
}

/**
 * The same declarations under the vendor's file name, so sources that include the vendor header
 * by name build unchanged against this package.
 */
function vendorNamedHeader(model: Model, ctx: EmitContext): string {
  const vendor = model.spec.vendor;
  const header = fileNames(model).header;
  const fileDoc = docBlock([
    `@file ${vendor.header}\n@brief Drop-in for ${escapeCommentText(vendor.name)} ${vendor.sdkVersion}'s ${vendor.header}.`,
    escapeCommentText(
      `Includes ${header}, which declares every item of ${vendor.header} with the vendor's names, values, layouts and prototypes and ` +
        `defines the vendor's include guard (${vendor.includeGuard}), so this file, ${header} and the vendor's own header may be ` +
        'included together in any order.',
    ),
  ]);
  return templates().template('vendor_header.h.hbs')({
    banner: blockCommentBanner(ctx).trimEnd(),
    fileDoc,
    guard: `${model.product.macroPrefix}_VENDOR_${vendor.header.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`,
    mainHeader: header,
  });
}

function layoutHeader(model: Model, ctx: EmitContext): string {
  const abis = abiChecks(model);
  const files = fileNames(model);
  const prefix = model.product.macroPrefix;
  const fileDoc = docBlock([
    `@file ${files.layoutHeader.split('/').pop()}\n@brief Compile-time checks of ${files.header.split('/').pop()} against the spec.`,
    escapeCommentText(
      `Define ${prefix}_CHECK_VALUES (enum values) and/or ${abis.map((a) => a.macro).join(' / ')} (sizes, alignments and offsets ` +
        `for that ABI) before including this file, or define none (or ${prefix}_CHECK_LAYOUT) to check the values and the ABI the ` +
        `compiler targets. Works in C99 (negative-size array), C11 (_Static_assert) and C++11 (static_assert); a failing check names the member.`,
    ),
  ]);
  return templates().template('layout.h.hbs')({
    banner: blockCommentBanner(ctx).trimEnd(),
    fileDoc,
    guard: `${prefix}_${model.product.name.toUpperCase()}_LAYOUT_H`,
    prefix,
    lowerPrefix: prefix.toLowerCase(),
    mainHeader: files.header.split('/').pop(),
    abis,
    abiList: abis.map((a) => a.id).join(', '),
    abiMacros: abis.map((a) => abiMacro(prefix, a.id)).join(', '),
    values: valueChecks(model),
  });
}

function linkerFragment(model: Model, ctx: EmitContext): string {
  const usage = plainBlock([
    `Call addresses of the ${model.spec.vendor.name} ${model.spec.vendor.sdkVersion} system calls the spec covers.`,
    'Each is a non-secure-callable veneer; the Thumb bit is set.',
    '',
    'Give this file to the linker as an input file, or INCLUDE it from your own script.',
    'PROVIDE defines a symbol only when the image uses it and nothing else defines it,',
    "so linking the vendor's object file as well is harmless.",
  ]);
  const sections = model.areas
    .filter((a) => a.functions.length)
    .map((a) => ({
      title: escapeCommentText(a.title).replace(/\n/g, ' '),
      functions: a.functions.map((n) => ({ name: n, address: `0x${model.fn(n).nscAddress.toString(16).padStart(8, '0')}` })),
    }));
  return templates().template('nsc.ld.hbs')({ banner: blockCommentBanner(ctx).trimEnd(), usage, sections });
}

function cmakeFiles(model: Model, ctx: EmitContext): OutputFile[] {
  const banner = bannerLines(ctx)
    .map((l) => `# ${l}`)
    .join('\n');
  const [major] = semver(model.spec.version);
  const files = fileNames(model);
  const view = {
    banner,
    name: model.product.name,
    prefix: model.product.macroPrefix,
    // `${PREFIX_X}` references: Handlebars would read `${{{prefix}}` as a triple-stash.
    var: Object.fromEntries(['INCLUDE_DIR', 'LINKER_FRAGMENT', 'SPEC_VERSION'].map((v) => [v, `\${${model.product.macroPrefix}_${v}}`])),
    header: files.header,
    specVersion: model.spec.version,
    specMajor: String(major),
    specHash: model.spec.hash,
    vendorSdkVersion: model.spec.vendor.sdkVersion,
    includeDir: INCLUDE_DIR,
    linkerFragment: files.linkerFragment,
  };
  const dir = model.product.outputs.c;
  return ['Targets', 'Config', 'ConfigVersion'].map((part) => ({
    path: `${dir}/${files.cmake(part)}`,
    contents: templates().template(`${part}.cmake.hbs`)(view),
  }));
}

export const cEmitter: Emitter = {
  target: 'c',
  description: 'C headers, layout checks, linker fragment and CMake package',
  ownedDirs: (model) => ['include', 'ld', 'cmake'].map((d) => `${model.product.outputs.c}/${d}`),
  emit(model, ctx) {
    const files = fileNames(model);
    const dir = model.product.outputs.c;
    return [
      { path: `${dir}/${INCLUDE_DIR}/${files.header}`, contents: mainHeader(model, ctx) },
      // Only a spec that covers the whole vendor header may stand in for it under its name.
      ...(model.spec.vendor.complete ? [{ path: `${dir}/${INCLUDE_DIR}/${model.spec.vendor.header}`, contents: vendorNamedHeader(model, ctx) }] : []),
      { path: `${dir}/${INCLUDE_DIR}/${files.layoutHeader}`, contents: layoutHeader(model, ctx) },
      { path: `${dir}/${files.linkerFragment}`, contents: linkerFragment(model, ctx) },
      ...cmakeFiles(model, ctx),
    ];
  },
};
