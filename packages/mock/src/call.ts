/** What a behaviour learns about its call beyond the arguments. */
import type { MvFunctionName } from '@mvmqtt/sdk';
import type { NestedFault } from '@mvmqtt/sdk/runtime';

export interface MockCall<F extends MvFunctionName = MvFunctionName> {
  readonly fn: F;
  /** Position of the call in `MockMicrovisor.calls`. */
  readonly index: number;
  /** A bad pointer found inside an argument, which the call reports late (LATEFAULT) once it goes ahead. */
  readonly lateFault?: NestedFault;
  /** The first required element the arguments leave empty (`request.host`). */
  readonly missing?: string;
}
