/**
 * The TypeScript signature of a syscall exactly as `MvSyscalls` declares it. The SDK and the
 * docs both print it from here, so the two can never disagree.
 */
import type { Model } from '../../../model/model.js';
import type { FunctionModel } from '../../../model/types.js';
import { statusTypeName, tsParamType } from './typemap.js';

export { tsTypeOf, tsValueType, tsFieldType, tsParamType, statusTypeName } from './typemap.js';

export interface SignatureOptions {
  /** Wrap one parameter per line when the one-line form is longer than this. Default 100. */
  maxWidth?: number;
  /** Leading indentation the width counts (the interface indents its members by 2). Default 0. */
  indent?: number;
}

/**
 * `mvMqttRequestConnect(handle: MvChannelHandle, request: MvMqttConnectRequest | null): MvMqttRequestConnectStatus`,
 * wrapped one parameter per line (with a trailing comma) when it would be too wide.
 */
export function tsFunctionSignature(fn: FunctionModel, _model?: Model, opts: SignatureOptions = {}): string {
  const maxWidth = opts.maxWidth ?? 100;
  const params = fn.params.map((p) => `${p.name}: ${tsParamType(p)}`);
  const returns = statusTypeName(fn.name);
  const oneLine = `${fn.name}(${params.join(', ')}): ${returns}`;
  if (params.length === 0 || (opts.indent ?? 0) + oneLine.length + 1 <= maxWidth) return oneLine;
  return `${fn.name}(\n${params.map((p) => `  ${p},\n`).join('')}): ${returns}`;
}
