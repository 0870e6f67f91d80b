/**
 * neurad: a deep-learning engine on WebGPU compute shaders, and unsupervised anomaly detection
 * in brain MRI built on it.
 *
 * @example
 * ```ts
 * import { getDevice, Tensor, matmul, mseLoss } from "./src/mod.ts";
 * await getDevice();
 * const w = Tensor.from([1, 2, 3, 4], [2, 2], { requiresGrad: true });
 * const loss = mseLoss(matmul(w, w), Tensor.from([0, 0, 0, 0], [2, 2]));
 * loss.backward();
 * console.log(await w.grad!.toArray());
 * ```
 * @module
 */

export { type DeviceInfo, deviceInfo, getDevice, NoAdapterError } from "./device.ts";
export { flush, startKernelTiming, stopKernelTiming, sync } from "./dispatch.ts";
export type { KernelTime } from "./kernel_timer.ts";
export { type DType, Tensor } from "./tensor.ts";
export { keep, tidy } from "./scope.ts";
export { type BackwardFn, enableGrad, isGradEnabled, noGrad, record } from "./autograd.ts";
export { grad, type GradOptions } from "./backward.ts";
export { emptyCache, type MemoryStats, memoryStats } from "./memory.ts";
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
} from "./losses.ts";
export * from "./optim.ts";
export { copy_ } from "./kernels/copy.ts";
export { dropout } from "./kernels/dropout.ts";
export { logsumexp } from "./kernels/logsumexp.ts";
export { adamStep } from "./kernels/adam.ts";

// MRI data: NIfTI I/O, dataset layouts, preprocessing, splits, demo cohort (src/data).
export * from "./data/mod.ts";

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
export { type LoadStateDictOptions, Module } from "./nn/module.ts";

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

// Models by name (createModel registry), the model interfaces, and the first study's models.
export { createModel, type ModelFactory, modelNames } from "./nn/models/create_model.ts";
export type {
  Autoencoder,
  AutoencoderOutput,
  Discriminator,
  StudyMode,
} from "./nn/models/types.ts";
export { type CommonModelOptions } from "./nn/models/model_options.ts";
export { Reddipalli22Vae, type Reddipalli22VaeOptions } from "./nn/models/reddipalli22/vae.ts";
export { Dropout } from "./nn/dropout.ts";
export { Sequential } from "./nn/sequential.ts";
export {
  Reddipalli22Vqvae,
  type Reddipalli22VqvaeOptions,
} from "./nn/models/reddipalli22/vqvae.ts";
export {
  Reddipalli22Vqgan,
  type Reddipalli22VqganOptions,
} from "./nn/models/reddipalli22/vqgan.ts";
export {
  Reddipalli22PatchGan,
  type Reddipalli22PatchGanOptions,
} from "./nn/models/reddipalli22/patchgan.ts";
export { ModuleList } from "./nn/module_list.ts";
// VQGAN / PatchGAN building blocks (taming-transformers names): blocks.ResnetBlock, ...
export * as blocks from "./nn/blocks/mod.ts";
export { summary, type SummaryReport, type SummaryRow } from "./nn/summary.ts";
export { vqganKeyFromStudy, vqganStudyKeys } from "./nn/models/reddipalli22/study_keys.ts";
// The second study's models (Chandru 2025): EMA VQGAN, discriminator, perceptual net, DCGAN.
export {
  CHANDRU25_MODELS,
  Chandru25Dcgan,
  Chandru25DcganDiscriminator,
  Chandru25Discriminator,
  Chandru25Perceptual,
  Chandru25Vqgan,
  StudyEmaQuantizer,
} from "./nn/models/chandru25/registry.ts";
// Weights in and out: PyTorch .pth/.ckpt (restricted reader), loadWeights, perceptual networks.
export { readPth, type ReadPthOptions } from "./io/pth/read_pth.ts";
export {
  loadLpipsWeights,
  loadWeights,
  type LoadWeightsOptions,
  readWeights,
} from "./io/load_weights.ts";
export { VGG16_TAPS, Vgg16Features } from "./nn/models/perceptual/vgg16_features.ts";
export { Lpips } from "./nn/models/perceptual/lpips.ts";
export { missingWeightsError, PERCEPTUAL_WEIGHTS } from "./nn/models/perceptual/registry.ts";
