/**
 * `syscalls.ts` of the device core: the `MvSyscalls` methods, each a fixed-arity call (no
 * argument array unless tracing) that checks the call's direct outputs are writable, applies the
 * spec's calling-context rules, decodes the arguments through the SDK's generated checks (the
 * mock runs the same ones), hands them to the area behaviour, turns an exception into the documented fault (`caught`),
 * holds the status against the function's error table (`done`) and reports it to the trace.
 * The `DeviceBehaviours` interface lists what the hand-written areas implement: a new function
 * in the spec is one missing method there, and nothing else.
 */
import type { Model } from '../../model/model.js';
import type { FunctionModel, ParamModel } from '../../model/types.js';
import type { Imports } from '../core/typescript/imports.js';
import type { Declaration, MethodDeclarationStructure } from '../core/typescript/printer.js';
import { indent } from '../core/typescript/text.js';
import { statusTypeName, tsParamType } from '../core/typescript/typemap.js';
import { areaStatements } from './areas.js';
import { KERNEL_MODULE, importSdkTypes, sdkPackage, sdkRuntimePackage } from './modules.js';
import { outputsWritableBlock } from './outputs.js';
import { functionCheckName } from '../core/shapes.js';

function parameters(fn: FunctionModel, imports: Imports, sdk: string): { name: string; type: string }[] {
  return fn.params.map((p: ParamModel) => ({ name: p.name, type: importSdkTypes(imports, sdk, tsParamType(p)) }));
}

function behaviourMethod(fn: FunctionModel, imports: Imports, sdk: string) {
  return {
    name: fn.name,
    docs: [`\`${fn.name}\` once its arguments passed \`${functionCheckName(fn.name)}\` (the SDK's generated decoder): pointers are set, handles are live and of the right kind, widths and limits hold.`],
    // The decoder has refused NULL and ill-formed pointers.
    parameters: fn.params.map((p) => ({ name: p.name, type: importSdkTypes(imports, sdk, tsParamType(p).replace(/ \| null$/, '')) })),
    returnType: importSdkTypes(imports, sdk, statusTypeName(fn.name)),
  };
}

function syscallMethod(fn: FunctionModel, model: Model, imports: Imports, sdk: string) {
  const names = fn.params.map((p) => p.name);
  const args = names.join(', ');
  const checked = fn.params.map((p) => (p.type.pointer > 0 ? `${p.name}!` : p.name)).join(', ');
  const writable = outputsWritableBlock(fn, model, `$status = this.unwritable('${fn.name}');`);
  const statusEnum = model.data.statusEnum;
  const okay = imports.value(sdk, model.data.successStatus);
  // Each step runs only if the ones before let the call go ahead, in the order a kernel takes them.
  const steps: string[] = [];
  if (fn.notInInterrupt || fn.testModeOnly) steps.push(`this.ruled('${fn.name}')`);
  if (fn.params.length > 0) steps.push(`${imports.value(sdkRuntimePackage(model), functionCheckName(fn.name))}(this.args, ${args})`);
  steps.push(`this.behaviours.${fn.name}(${checked})`);
  const body = steps.map((step, i) => (i === 0 && !writable ? `$status = ${step};` : `if ($status === ${okay}) $status = ${step};`));
  // The outputs first: a call that cannot write one fails with no effect (see outputs.ts).
  if (writable) body.unshift(writable);
  return {
    name: fn.name,
    parameters: parameters(fn, imports, sdk),
    returnType: statusTypeName(fn.name),
    statements: [
      `let $status: ${statusEnum}${writable ? ` = ${okay}` : ''};`,
      `try {\n${body.map((l) => indent(l)).join('\n')}\n} catch ($error) {\n  $status = this.caught('${fn.name}', $error);\n}`,
      `$status = this.done('${fn.name}', $status);`,
      `if (this.tracing) this.traceCall('${fn.name}', [${args}], $status);`,
      `return $status as ${statusTypeName(fn.name)};`,
    ],
  };
}

export function deviceSyscallStatements(model: Model, imports: Imports): (string | Declaration)[] {
  const statusEnum = model.data.statusEnum;
  const sdk = sdkPackage(model);
  imports.type(sdk, 'MvSyscalls');
  imports.type(sdk, 'MvFunctionName');
  imports.type(sdk, statusEnum);
  const hook = (name: string, docs: string, params: { name: string; type: string }[], returnType: string): MethodDeclarationStructure => ({
    name,
    docs: [docs],
    scope: 'protected',
    isAbstract: true,
    parameters: params,
    returnType,
  });
  return [
    {
      kind: 'interface',
      isExported: true,
      name: 'DeviceBehaviours',
      docs: ['What each syscall does on the device; implemented by hand, one module per spec area (src/areas/).'],
      methods: model.functions.map((f) => behaviourMethod(f, imports, sdk)),
    },
    ...areaStatements(model, imports, 'DeviceBehaviours', 'device', KERNEL_MODULE.device),
    {
      kind: 'class',
      isExported: true,
      isAbstract: true,
      name: 'DeviceSyscallsBase',
      implements: ['MvSyscalls'],
      docs: ['Every syscall of the spec: output check, behaviour, exception to fault, error-table check, trace.'],
      properties: [
        { name: 'behaviours', scope: 'protected', isAbstract: true, isReadonly: true, type: 'DeviceBehaviours' },
        { name: 'tracing', docs: ['True while a trace listens: only then does a call build its argument list.'], scope: 'protected', isAbstract: true, isReadonly: true, type: 'boolean' },
        { name: 'args', docs: [`The generated argument checks' state (\`${sdkRuntimePackage(model)}\`), reused by every call.`], scope: 'protected', isAbstract: true, isReadonly: true, type: imports.type(sdkRuntimePackage(model), 'ArgumentCheck') },
      ],
      methods: [
        hook('unwritable', 'The status of a call one of whose direct outputs cannot be written (it has not acted).', [{ name: 'fn', type: 'MvFunctionName' }], statusEnum),
        hook('ruled', "The status of a call the spec's calling-context rules refuse (in an interrupt handler, outside application-test mode), or success.", [{ name: 'fn', type: 'MvFunctionName' }], statusEnum),
        hook('caught', 'The status of a call whose behaviour threw `err`.', [{ name: 'fn', type: 'MvFunctionName' }, { name: 'err', type: 'unknown' }], statusEnum),
        hook('done', "Every call's status passes here before it is returned.", [{ name: 'fn', type: 'MvFunctionName' }, { name: 'status', type: statusEnum }], statusEnum),
        hook('traceCall', 'Reports a finished call to the trace.', [{ name: 'fn', type: 'MvFunctionName' }, { name: 'args', type: 'readonly unknown[]' }, { name: 'status', type: statusEnum }], 'void'),
        ...model.functions.map((f) => syscallMethod(f, model, imports, sdk)),
      ],
    },
  ];
}
