// The layers over the convolution, normalisation and resampling kernels, and their initialisers.

export { Conv2d, type Conv2dLayerOptions } from "./conv2d.ts";
export { ConvTranspose2d, type ConvTranspose2dLayerOptions } from "./conv_transpose2d.ts";
export { GroupNorm, type GroupNormOptions } from "./group_norm.ts";
export { BatchNorm2d, type BatchNorm2dOptions } from "./batch_norm2d.ts";
export { Linear } from "./linear.ts";
export { Upsample } from "./upsample.ts";
export { Dropout } from "./dropout.ts";
export { LeakyReLU, ReLU, Sigmoid, SiLU, Tanh } from "./activations.ts";
export {
  calculateGain,
  defaultLayerInit_,
  fanInAndFanOut,
  kaimingNormal_,
  type KaimingOptions,
  kaimingUniform_,
  type Nonlinearity,
  xavierUniform_,
} from "./init.ts";
