/**
 * `syscalls.ts` of the device core: the `MvSyscalls` methods, each a fixed-arity call (no
 * argument array unless tracing) that checks the call's direct outputs are writable, hands the
 * arguments to the area behaviour, turns an exception into the documented fault (`caught`),
 * holds the status against the function's error table (`done`) and reports it to the trace.
 * The `DeviceBehaviours` interface lists what the hand-written areas implement: a new function
 * in the spec is one missing method there, and nothing else.
 */
import type { Model } from '../../model/model.js';
import type { FunctionModel, ParamModel } from '../../model/types.js';
import type { Imports } from '../core/typescript/imports.js';
import type { Declaration, MethodDeclarationStructure } from '../core/typescript/printer.js';
import { statusTypeName, tsParamType } from '../core/typescript/typemap.js';
import { areaStatements } from './areas.js';
import { KERNEL_MODULE, importSdkTypes, sdkPackage, sdkRuntimePackage } from './modules.js';
import { outputsWritableExpression } from './outputs.js';

function parameters(fn: FunctionModel, imports: Imports, sdk: string): { name: string; type: string }[] {
  return fn.params.map((p: ParamModel) => ({ name: p.name, type: importSdkTypes(imports, sdk, tsParamType(p)) }));
}

function behaviourMethod(fn: FunctionModel, imports: Imports, sdk: string) {
  return {
    name: fn.name,
    docs: [`\`${fn.name}\` as the device does it; the arguments are as the application passed them (outputs checked writable).`],
    parameters: parameters(fn, imports, sdk),
    returnType: importSdkTypes(imports, sdk, statusTypeName(fn.name)),
  };
}

function syscallMethod(fn: FunctionModel, model: Model, imports: Imports, sdk: string) {
  const args = fn.params.map((p) => p.name).join(', ');
  const call = `this.behaviours.${fn.name}(${args})`;
  const writable = outputsWritableExpression(fn, model);
  if (writable) imports.value(sdkRuntimePackage(model), 'canWrite');
  const statusEnum = model.data.statusEnum;
  return {
    name: fn.name,
    parameters: parameters(fn, imports, sdk),
    returnType: statusTypeName(fn.name),
    statements: [
      `let $status: ${statusEnum};`,
      `try {\n  $status = ${writable ? `${writable} ? ${call} : this.unwritable('${fn.name}')` : call};\n} catch ($error) {\n  $status = this.caught('${fn.name}', $error);\n}`,
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
      ],
      methods: [
        hook('unwritable', 'The status of a call one of whose direct outputs cannot be written (it has not acted).', [{ name: 'fn', type: 'MvFunctionName' }], statusEnum),
        hook('caught', 'The status of a call whose behaviour threw `err`.', [{ name: 'fn', type: 'MvFunctionName' }, { name: 'err', type: 'unknown' }], statusEnum),
        hook('done', "Every call's status passes here before it is returned.", [{ name: 'fn', type: 'MvFunctionName' }, { name: 'status', type: statusEnum }], statusEnum),
        hook('traceCall', 'Reports a finished call to the trace.', [{ name: 'fn', type: 'MvFunctionName' }, { name: 'args', type: 'readonly unknown[]' }, { name: 'status', type: statusEnum }], 'void'),
        ...model.functions.map((f) => syscallMethod(f, model, imports, sdk)),
      ],
    },
  ];
}
