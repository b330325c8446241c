/**
 * `c` target: the firmware-facing part of @mvmqtt/c-headers.
 *   include/mvmqtt/mvmqtt.h         the declarations of the vendor's mv_syscalls.h that the
 *                                   spec covers, plus version and limit macros
 *   include/mvmqtt/mvmqtt_layout.h  static assertions of values and per-ABI layouts
 *   ld/mvmqtt_nsc.ld                PROVIDE() of every function's veneer address
 *   cmake/mvmqtt*.cmake             targets for add_subdirectory and find_package
 */
import type { Emitter, EmitContext, OutputFile } from '../emitter.js';
import type { Model } from '../../model/model.js';
import { blockCommentBanner, bannerLines } from '../banner.js';
import { C_HEADER, C_INCLUDE_DIR, C_PACKAGE } from '../c-package.js';
import { docBlock, escapeCommentText, plainBlock } from './comment.js';
import { declarationHooks } from './declarations.js';
import { abiChecks, abiMacro, valueChecks } from './layout.js';
import { MACRO_PREFIX } from './limits.js';
import { declarationOrder, type ItemRef } from './order.js';
import { template } from './templates.js';

const PACKAGE = C_PACKAGE;
const INCLUDE_DIR = C_INCLUDE_DIR;
const HEADER = C_HEADER;
const LAYOUT_HEADER = 'mvmqtt/mvmqtt_layout.h';
const LINKER_FRAGMENT = 'ld/mvmqtt_nsc.ld';

const cString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function semver(v: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
  if (!m) throw new Error(`mvgen c: version "${v}" is not major.minor.patch`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function versionMacros(model: Model, ctx: EmitContext) {
  const spec = model.spec;
  const [major, minor, patch] = semver(spec.version);
  const [vMajor, vMinor, vPatch] = semver(spec.vendor.sdkVersion);
  const p = MACRO_PREFIX;
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
  const sections = declarationOrder(model).map(({ area, items }) => ({
    group: `${MACRO_PREFIX.toLowerCase()}_${area.name}`,
    title: escapeCommentText(area.title).replace(/\n/g, ' '),
    docLines: docBlock([escapeCommentText(area.doc)]).split('\n').slice(1, -1).map((l) => l.replace(/^ \* ?/, '')),
    items: items.map((r) => renderItem(model, r).trimEnd()),
  }));
  const fileDoc = docBlock([
    `@file ${HEADER.split('/').pop()}\n@brief ${escapeCommentText(spec.title).replace(/\n/g, ' ')}`,
    escapeCommentText(spec.doc),
    escapeCommentText(
      `Declares ${spec.vendor.complete ? 'every item' : 'the part'} of ${spec.vendor.header} (${spec.vendor.name} ${spec.vendor.sdkVersion})${spec.vendor.complete ? '' : ' that the spec covers'}, with the vendor's names, ` +
        `values, member order and C types, so code written against the vendor header compiles unchanged and links against the vendor's object ` +
        `file or against ${LINKER_FRAGMENT}. If the vendor header is included first (${spec.vendor.includeGuard} is defined), only the macros are added. ` +
        (spec.vendor.complete
          ? `Otherwise this header defines ${spec.vendor.includeGuard} itself, so a later include of the vendor header adds nothing.`
          : `The other order does not compile: the spec covers only part of ${spec.vendor.header}, so this header leaves its guard alone.`),
    ),
  ]);
  return template('mvmqtt.h.hbs')({
    banner: blockCommentBanner(ctx).trimEnd(),
    fileDoc,
    guard: `${MACRO_PREFIX}_MVMQTT_H`,
    prefix: MACRO_PREFIX,
    // Seeing the vendor's include guard defined means its declarations are already in the translation unit.
    vendorGuard: spec.vendor.includeGuard,
    // A complete spec claims the vendor's guard; a partial one must not hide the rest of the vendor header.
    defineVendorGuard: spec.vendor.complete,
    layoutHeader: LAYOUT_HEADER,
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
  const fileDoc = docBlock([
    `@file ${vendor.header}\n@brief Drop-in for ${escapeCommentText(vendor.name)} ${vendor.sdkVersion}'s ${vendor.header}.`,
    escapeCommentText(
      `Includes ${HEADER}, which declares every item of ${vendor.header} with the vendor's names, values, layouts and prototypes and ` +
        `defines the vendor's include guard (${vendor.includeGuard}), so this file, ${HEADER} and the vendor's own header may be ` +
        'included together in any order.',
    ),
  ]);
  return template('vendor_header.h.hbs')({
    banner: blockCommentBanner(ctx).trimEnd(),
    fileDoc,
    guard: `${MACRO_PREFIX}_VENDOR_${vendor.header.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`,
    mainHeader: HEADER,
  });
}

function layoutHeader(model: Model, ctx: EmitContext): string {
  const abis = abiChecks(model);
  const fileDoc = docBlock([
    `@file ${LAYOUT_HEADER.split('/').pop()}\n@brief Compile-time checks of ${HEADER.split('/').pop()} against the spec.`,
    escapeCommentText(
      `Define ${MACRO_PREFIX}_CHECK_VALUES (enum values) and/or ${abis.map((a) => a.macro).join(' / ')} (sizes, alignments and offsets ` +
        `for that ABI) before including this file, or define none (or ${MACRO_PREFIX}_CHECK_LAYOUT) to check the values and the ABI the ` +
        `compiler targets. Works in C99 (negative-size array), C11 (_Static_assert) and C++11 (static_assert); a failing check names the member.`,
    ),
  ]);
  return template('mvmqtt_layout.h.hbs')({
    banner: blockCommentBanner(ctx).trimEnd(),
    fileDoc,
    guard: `${MACRO_PREFIX}_MVMQTT_LAYOUT_H`,
    prefix: MACRO_PREFIX,
    lowerPrefix: MACRO_PREFIX.toLowerCase(),
    mainHeader: HEADER.split('/').pop(),
    abis,
    abiList: abis.map((a) => a.id).join(', '),
    abiMacros: abis.map((a) => abiMacro(a.id)).join(', '),
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
  return template('mvmqtt_nsc.ld.hbs')({ banner: blockCommentBanner(ctx).trimEnd(), usage, sections });
}

function cmakeFiles(model: Model, ctx: EmitContext): OutputFile[] {
  const banner = bannerLines(ctx)
    .map((l) => `# ${l}`)
    .join('\n');
  const [major] = semver(model.spec.version);
  const view = {
    banner,
    specVersion: model.spec.version,
    specMajor: String(major),
    specHash: model.spec.hash,
    vendorSdkVersion: model.spec.vendor.sdkVersion,
    includeDir: INCLUDE_DIR,
    linkerFragment: LINKER_FRAGMENT,
  };
  return ['mvmqttTargets.cmake', 'mvmqttConfig.cmake', 'mvmqttConfigVersion.cmake'].map((f) => ({
    path: `${PACKAGE}/cmake/${f}`,
    contents: template(`${f}.hbs`)(view),
  }));
}

export const cEmitter: Emitter = {
  target: 'c',
  description: 'C headers, layout checks, linker fragment and CMake package (packages/c-headers)',
  ownedDirs: [`${PACKAGE}/${INCLUDE_DIR}`, `${PACKAGE}/ld`, `${PACKAGE}/cmake`],
  emit(model, ctx) {
    return [
      { path: `${PACKAGE}/${INCLUDE_DIR}/${HEADER}`, contents: mainHeader(model, ctx) },
      // Only a spec that covers the whole vendor header may stand in for it under its name.
      ...(model.spec.vendor.complete ? [{ path: `${PACKAGE}/${INCLUDE_DIR}/${model.spec.vendor.header}`, contents: vendorNamedHeader(model, ctx) }] : []),
      { path: `${PACKAGE}/${INCLUDE_DIR}/${LAYOUT_HEADER}`, contents: layoutHeader(model, ctx) },
      { path: `${PACKAGE}/${LINKER_FRAGMENT}`, contents: linkerFragment(model, ctx) },
      ...cmakeFiles(model, ctx),
    ];
  },
};
