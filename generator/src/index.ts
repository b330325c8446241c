/** Public API of @mvmqtt/generator, for tools and tests. */
export { loadModel, runPipeline, validateSpec, type PipelineResult } from './pipeline.js';
export { Model } from './model/model.js';
export { buildModel } from './model/build.js';
export { ABIS, DEVICE_ABI } from './model/abi.js';
export { parseCType } from './model/ctype.js';
export { generate, renderTargets, findRepoRoot, specLabel, type GenerateOptions, type GenerateResult, type TargetOutcome, type TargetResult } from './generate.js';
export { generateParallel, type ParallelResult } from './parallel.js';
export { formatDiagnostic, SpecInvalidError, type Diagnostic } from './spec/diagnostics.js';
export { loadSpec, type LoadedSpec } from './spec/load.js';
export { TARGETS, findTarget } from './emit/targets.js';
export { walkItems, type Emitter, type EmitContext, type ItemHooks, type OutputFile } from './emit/emitter.js';
export { bannerLines, lineCommentBanner, blockCommentBanner, htmlCommentBanner } from './emit/banner.js';
export { GENERATOR_VERSION } from './version.js';
export type * from './model/types.js';
export * from './diff/index.js';
