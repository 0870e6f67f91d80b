// The optimiser API in one import: optimisers with parameter groups (optim/optimizer.ts,
// optim/adam.ts), learning-rate schedules, global-norm clipping and zeroGrad helpers.

export {
  type GroupHyper,
  type NamedParams,
  Optimizer,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamsLike,
} from "./optimizer.ts";
export { Adam, type AdamOptions, type AdamStateDict, AdamW } from "./adam.ts";
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
