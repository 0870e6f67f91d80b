// The VQGAN / PatchGAN building blocks (taming-transformers names), exported together.

export { normalize, ResnetBlock } from "./resnet_block.ts";
export { AttnBlock, type ProjOut } from "../../nn/attn_block.ts";
export { Downsample } from "./downsample.ts";
export { Upsample } from "./upsample.ts";
export { Encoder, type EncoderOptions } from "./encoder.ts";
export { Decoder, type DecoderOptions } from "./decoder.ts";
export { NLayerDiscriminator, type NLayerDiscriminatorOptions } from "./nlayer_discriminator.ts";
