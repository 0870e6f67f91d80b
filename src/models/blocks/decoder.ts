// The VQGAN decoder as the first study's code lays it out (one nn.Sequential "model"; blocks
// with taming's names): conv 3×3 from zChannels → ResnetBlock, AttnBlock, ResnetBlock → per
// stage i [numResBlocks ResnetBlocks to channels[i] (+ AttnBlock after each on attention
// stages), then an Upsample unless i = 0] → GroupNorm, swish → the caller's output tail.

import type { Tensor } from "../../core/tensor.ts";
import { SiLU } from "../../nn/activations.ts";
import { Conv2d } from "../../nn/conv2d.ts";
import { Module } from "../../nn/module.ts";
import { Sequential, type TensorLayer } from "../../nn/sequential.ts";
import { AttnBlock, type ProjOut } from "../../nn/attn_block.ts";
import { normalize, ResnetBlock } from "./resnet_block.ts";
import { Upsample } from "./upsample.ts";

export interface DecoderOptions {
  zChannels: number;
  /** Output channels of each stage (study: 512, 256, 256, 128, 128). */
  channels: number[];
  numResBlocks: number;
  /** Stages (0-based) whose ResnetBlocks are each followed by an AttnBlock. */
  attnStages: number[];
  projOut?: ProjOut;
  /** GroupNorm groups of every block (taming and the study: 32). */
  normGroups?: number;
  /** Layers after the final GroupNorm + swish, given the channel count there. */
  tail: (channels: number) => TensorLayer[];
}

export class Decoder extends Module {
  readonly model: Sequential;

  constructor(o: DecoderOptions) {
    super();
    const ch = o.channels;
    const g = o.normGroups ?? 32;
    const attn = (c: number) => new AttnBlock(c, o.projOut ?? "applied", g);
    let cin = ch[0];
    const layers: TensorLayer[] = [
      new Conv2d(o.zChannels, cin, 3, { padding: 1 }),
      new ResnetBlock(cin, cin, g),
      attn(cin),
      new ResnetBlock(cin, cin, g),
    ];
    for (let i = 0; i < ch.length; i++) {
      for (let j = 0; j < o.numResBlocks; j++) {
        layers.push(new ResnetBlock(cin, ch[i], g));
        cin = ch[i];
        if (o.attnStages.includes(i)) layers.push(attn(cin));
      }
      if (i !== 0) layers.push(new Upsample(cin));
    }
    layers.push(normalize(cin, g), new SiLU(), ...o.tail(cin));
    this.model = new Sequential(layers);
  }

  /** The last layer of the tail (where the adaptive GAN weight is measured). */
  get lastLayer(): TensorLayer {
    return this.model.layers[this.model.layers.length - 1];
  }

  forward(x: Tensor): Tensor {
    return this.model.forward(x);
  }
}
