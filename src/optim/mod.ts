// The optimiser API in one import: the generic optimiser base with parameter groups and state
// dicts (optim/optimizer.ts), Adam/AdamW and SGD on it, learning-rate schedules, global-norm
// clipping and zeroGrad helpers.

export {
  type GroupHyper,
  type NamedParams,
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamsLike,
  type ParamState,
  type StepItem,
} from "./optimizer.ts";
export { Adam, type AdamGroupHyper, type AdamOptions, type AdamStateDict, AdamW } from "./adam.ts";
export { SGD, type SgdGroupHyper, type SgdOptions, type SgdStateDict } from "./sgd.ts";
export {
  constantLr,
  cosineLr,
  linearWarmup,
  type LrSchedule,
  LrScheduler,
  stepLr,
} from "./lr_scheduler.ts";
export { clipGradNorm_, gradNorm } from "./clip_grad.ts";
export { zeroGradOf } from "./zero_grad.ts";
