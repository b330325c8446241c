/**
 * `syscalls.ts` of the mock: the `MvSyscalls` methods, each of which hands its arguments to the
 * runtime's dispatcher (record, force, validate) and then to a typed behaviour, and the
 * `MockBehaviours` interface the hand-written runtime implements. A new function in the spec adds
 * a method to both, so the runtime stops compiling until it gives the function a behaviour.
 */
import type { Model } from '../../model/model.js';
import type { FunctionModel, ParamModel } from '../../model/types.js';
import type { Imports } from '../core/typescript/imports.js';
import type { Declaration } from '../core/typescript/printer.js';
import { statusTypeName, tsParamType } from '../core/typescript/typemap.js';
import { areaStatements } from '../runtime/areas.js';
import { KERNEL_MODULE } from '../runtime/modules.js';
import { outputsWritableBlock } from '../runtime/outputs.js';
import { RUNTIME, sdkPackage } from './modules.js';

/** Imports every SDK name a TypeScript type mentions. */
function importTypes(imports: Imports, sdk: string, tsType: string): string {
  for (const name of tsType.match(/\bMv[A-Za-z0-9_]*\b/g) ?? []) imports.type(sdk, name);
  return tsType;
}

/** The type a behaviour sees: the dispatcher has already refused NULL and ill-formed pointers. */
function checkedType(p: ParamModel): string {
  return tsParamType(p).replace(/ \| null$/, '');
}

function behaviourMethod(fn: FunctionModel, imports: Imports, sdk: string, standalone: boolean) {
  return {
    name: fn.name,
    docs: [standalone ? `\`${fn.name}\`, once its outputs are writable.` : `\`${fn.name}\` once its arguments passed \`FUNCTION_SCHEMAS.${fn.name}\`: pointers are set, handles are live and of the right kind.`],
    parameters: [
      { name: 'call', type: `MockCall<'${fn.name}'>` },
      ...fn.params.map((p) => ({ name: p.name, type: importTypes(imports, sdk, checkedType(p)) })),
    ],
    returnType: importTypes(imports, sdk, statusTypeName(fn.name)),
  };
}

function syscallMethod(fn: FunctionModel, model: Model, imports: Imports, sdk: string) {
  const args = fn.params.map((p) => p.name);
  const checked = fn.params.map((p) => (p.type.pointer > 0 ? `${p.name}!` : p.name));
  const status = statusTypeName(fn.name);
  // The device's entry layer runs the same output check (../runtime/outputs.ts).
  const writable = outputsWritableBlock(fn, model, '$writable = false;');
  return {
    name: fn.name,
    parameters: fn.params.map((p) => ({ name: p.name, type: importTypes(imports, sdk, tsParamType(p)) })),
    returnType: status,
    statements: [
      ...(writable ? ['let $writable = true;', writable] : []),
      `return this.dispatch('${fn.name}', [${args.join(', ')}], ${writable ? '$writable' : 'true'}, (call) => this.behaviours.${fn.name}(${['call', ...checked].join(', ')})) as ${status};`,
    ],
  };
}

/**
 * The statements of `syscalls.ts`. `standalone` (a spec outside this repository): no area modules
 * exist beside the output, so the behaviours are whatever the test gives `SpecMock` (mock.ts), and
 * `MockCall` is declared here over the spec's own function names.
 */
export function syscallStatements(model: Model, imports: Imports, standalone = false): (string | Declaration)[] {
  const sdk = sdkPackage(model);
  imports.type(sdk, 'MvSyscalls');
  imports.type(sdk, 'MvFunctionName');
  imports.type(sdk, model.data.statusEnum);
  if (!standalone) imports.type(RUNTIME.call, 'MockCall');
  const mockCall = `/** What a behaviour learns about its call beyond the arguments. */
export interface MockCall<F extends MvFunctionName = MvFunctionName> {
  readonly fn: F;
  /** Position of the call in the mock's call records. */
  readonly index: number;
}`;
  return [
    ...(standalone ? [mockCall] : []),
    {
      kind: 'interface',
      isExported: true,
      name: 'MockBehaviours',
      docs: [
        standalone
          ? 'What each syscall does in the mock: a test gives `SpecMock` the ones it needs (mock.ts); the others answer OKAY.'
          : 'What each syscall does in the mock once its arguments are well formed; implemented by hand, one module per spec area (src/areas/).',
      ],
      methods: model.functions.map((f) => behaviourMethod(f, imports, sdk, standalone)),
    },
    ...(standalone ? [] : areaStatements(model, imports, 'MockBehaviours', 'mock', KERNEL_MODULE.mock)),
    {
      kind: 'class',
      isExported: true,
      isAbstract: true,
      name: 'MockSyscallsBase',
      implements: ['MvSyscalls'],
      docs: ['Every syscall of the spec, routed through `dispatch` (record, forced status, output check, argument checks) to its behaviour.'],
      properties: [{ name: 'behaviours', scope: 'protected', isAbstract: true, isReadonly: true, type: 'MockBehaviours' }],
      methods: [
        {
          name: 'dispatch',
          scope: 'protected',
          isAbstract: true,
          typeParameters: [{ name: 'F', constraint: 'MvFunctionName' }],
          parameters: [
            { name: 'fn', type: 'F' },
            { name: 'args', type: 'readonly unknown[]' },
            { name: 'outputsWritable', type: 'boolean' },
            { name: 'behaviour', type: `(call: MockCall<F>) => ${model.data.statusEnum}` },
          ],
          returnType: model.data.statusEnum,
        },
        ...model.functions.map((f) => syscallMethod(f, model, imports, sdk)),
      ],
    },
  ];
}

/**
 * `mock.ts` of a standalone mock: `SpecMock`, every call of the spec answered by the published
 * mock package's `SpecMockEngine` with the spec's own tables (from the generated SDK beside it).
 */
export function specMockStatements(model: Model, imports: Imports, mockPackage: string): string[] {
  const sdk = sdkPackage(model);
  const status = model.data.statusEnum;
  imports.value(mockPackage, 'SpecMockEngine');
  imports.value(sdk, 'FUNCTIONS');
  imports.value(sdk, 'STATUS_NAMES');
  imports.value(sdk, model.data.successStatus);
  imports.type(sdk, 'MvFunctionName');
  imports.type(sdk, status);
  imports.value('./syscalls.js', 'MockSyscallsBase');
  imports.type('./syscalls.js', 'MockBehaviours');
  imports.type('./syscalls.js', 'MockCall');
  return [
    `/**
 * A mock of every system call of this spec: each call is recorded (\`engine.calls\`); an output it
 * cannot write gets the status the function's error table gives for that; a status forced with
 * \`engine.force(fn, status)\` (one the table lists) comes next; otherwise the behaviour given to the
 * constructor for that function runs, and a function without one answers ${model.data.successStatus}.
 */
export class SpecMock extends MockSyscallsBase {
  protected readonly behaviours: MockBehaviours;
  /** The call records and forced statuses (\`SpecMockEngine\` of the mock package). */
  readonly engine = new SpecMockEngine<MvFunctionName>(FUNCTIONS, STATUS_NAMES, ${model.data.successStatus});

  constructor(private readonly given: Partial<MockBehaviours> = {}) {
    super();
    this.behaviours = given as MockBehaviours;
  }

  protected dispatch<F extends MvFunctionName>(fn: F, args: readonly unknown[], outputsWritable: boolean, behaviour: (call: MockCall<F>) => ${status}): ${status} {
    const own = this.given[fn] !== undefined;
    return this.engine.dispatch(fn, args, outputsWritable, own ? (index) => behaviour({ fn, index }) : undefined) as ${status};
  }
}`,
  ];
}
