/**
 * neurad's engine: tensors on WebGPU compute shaders, reverse-mode autodiff, kernels, generic
 * layers and optimisers. It imports nothing of the MRI application (that is src/app.ts) and
 * reaches its host only through the platform interface, so it runs in Deno and in a browser.
 *
 * Every op returns a new tensor the caller owns: dispose it, declare it with `using`, or make it
 * inside a scope (tidy, scope, tidyAsync). The rules are stated once, in src/core/tensor.ts.
 *
 * @example
 * ```ts
 * import { getDevice, matmul, mseLoss, Tensor, tidy, zeros } from "./src/mod.ts";
 * await getDevice();
 * using w = Tensor.from([1, 2, 3, 4], [2, 2], { requiresGrad: true }); // freed at block end
 * using loss = tidy(() => mseLoss(matmul(w, w), zeros([2, 2]))); // tidy frees the rest
 * loss.backward();
 * console.log(await w.grad!.toArray()); // w.grad belongs to w: freed with it
 * ```
 * @module
 */

export { type DeviceInfo, deviceInfo, getDevice, NoAdapterError } from "./core/device.ts";
export { flush, startKernelTiming, stopKernelTiming, sync } from "./core/dispatch.ts";
export type { KernelTime } from "./core/kernel_timer.ts";
export { type BackwardFn, type DType, type GradOptions, Tensor } from "./core/tensor.ts";
export { keep, type Scope, scope, tidy, tidyAsync } from "./core/scope.ts";
export { enableGrad, isGradEnabled, noGrad, record } from "./core/autograd.ts";
export { grad } from "./core/backward.ts";
export { emptyCache, type MemoryStats, memoryStats } from "./core/memory.ts";
export {
  clearLeakReports,
  collectLeaks,
  formatLeak,
  leakDetection,
  type LeakReport,
  leakReports,
  onLeak,
  setLeakDetection,
} from "./core/leaks.ts";
export { arange, fill_, full, fullLike, ones, onesLike, zeros, zerosLike } from "./kernels/fill.ts";
export {
  getRngState,
  manualSeed,
  normal_,
  rand,
  randn,
  setRngState,
  uniform_,
} from "./kernels/random.ts";
export {
  abs,
  addScalar,
  clamp,
  exp,
  leakyRelu,
  log,
  mulScalar,
  neg,
  powScalar,
  relu,
  rsqrt,
  sigmoid,
  silu,
  softplus,
  sqrt,
  square,
  tanh,
} from "./kernels/unary.ts";
export {
  add,
  div,
  eq,
  ge,
  gt,
  le,
  lt,
  maximum,
  minimum,
  mul,
  ne,
  pow,
  sub,
  where,
} from "./kernels/binary.ts";
export {
  amax,
  amin,
  argmax,
  argmin,
  max,
  mean,
  min,
  sum,
  sumToShape,
  variance,
  variance as var,
} from "./kernels/reduce.ts";
export {
  cat,
  clone,
  concat,
  expand,
  flatten,
  pad,
  permute,
  reshape,
  slice,
  squeeze,
  stack,
  transpose,
  unsqueeze,
} from "./kernels/movement.ts";
export { matmul, type MatmulOptions, matmulTransposed, matmulVariant } from "./kernels/matmul.ts";
export { logSoftmax, softmax } from "./kernels/softmax.ts";
export {
  binaryCrossEntropyWithLogits,
  generatorHingeLoss,
  hingeDiscriminatorLoss,
  klDivNormal,
  l1Loss,
  mseLoss,
  type Reduction,
  vanillaDiscriminatorLoss,
} from "./nn/losses.ts";
export * from "./optim/mod.ts";
export { copy_ } from "./kernels/copy.ts";
export { dropout } from "./kernels/dropout.ts";
export { logsumexp } from "./kernels/logsumexp.ts";
export { adamStep } from "./kernels/adam.ts";

// Vector quantisation: nearest-codebook search, embedding gather, the quantiser layer.
export {
  codebookNorms,
  nearestCode,
  type NearestCodeResult,
  type NearestCodeVariant,
  nearestCodeVariant,
} from "./kernels/nearest_code.ts";
export { embedding, segmentSum } from "./kernels/embedding.ts";
export { bincount } from "./kernels/bincount.ts";
export {
  type CodebookUpdate,
  VectorQuantizer,
  type VectorQuantizerOptions,
  type VectorQuantizerOutput,
} from "./nn/vector_quantizer.ts";
export { kmeansPlusPlus } from "./nn/codebook_init.ts";
export {
  buffer,
  type IncompatibleKeys,
  type LoadStateDictOptions,
  Module,
  parameter,
} from "./nn/module.ts";

// Convolution, normalisation, pooling and resampling, and the layers over them.
export { conv2d, conv2dBiasAct, type Conv2dOptions } from "./kernels/conv2d.ts";
export { convTranspose2d, type ConvTranspose2dOptions } from "./kernels/conv_transpose2d.ts";
export { type ConvActivation, type ConvVariant, convVariant } from "./kernels/conv_gather.ts";
export { groupNorm, groupNormSilu } from "./kernels/group_norm.ts";
export { batchNorm } from "./kernels/batch_norm.ts";
export { avgPool2d, maxPool2d } from "./kernels/pool2d.ts";
export {
  interpolate,
  type InterpolateMode,
  type InterpolateOptions,
} from "./kernels/interpolate.ts";
export * from "./nn/layers.ts";
export { Dropout } from "./nn/dropout.ts";
export { Sequential } from "./nn/sequential.ts";
export { ModuleList } from "./nn/module_list.ts";
export { AttnBlock, type ProjOut } from "./nn/attn_block.ts";
export { summary, type SummaryReport, type SummaryRow } from "./nn/summary.ts";
export { ENGINE_ENV, envChoice, type EnvVarSpec } from "./core/env.ts";
export { errorLine, UserError } from "./core/errors.ts";
export { browserPlatform, type Platform, platform, setPlatform } from "./core/platform.ts";
export { hashU32, hashUniform, lowbias32, Prng } from "./core/prng.ts";
