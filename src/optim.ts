// The optimiser API in one import: optimisers with parameter groups (optim/optimizer.ts,
// optim/adam.ts), learning-rate schedules, global-norm clipping and zeroGrad helpers.

export {
  type GroupHyper,
  type NamedParams,
  Optimizer,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamsLike,
} from "./optim/optimizer.ts";
export { Adam, type AdamOptions, type AdamStateDict, AdamW } from "./optim/adam.ts";
export {
  constantLr,
  cosineLr,
  linearWarmup,
  type LrSchedule,
  LrScheduler,
  stepLr,
} from "./optim/lr_scheduler.ts";
export { clipGradNorm_, gradNorm } from "./optim/clip_grad.ts";
export { zeroGradOf } from "./optim/zero_grad.ts";
