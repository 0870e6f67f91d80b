// The VQGAN encoder as the first study's code lays it out (one nn.Sequential "model", keys
// model.<i>...; blocks with taming's names): conv 3×3 in → per stage [numResBlocks ResnetBlocks
// (+ AttnBlock after each on attention stages)] and a Downsample between stages → ResnetBlock,
// AttnBlock, ResnetBlock → GroupNorm, swish → conv 3×3 to zChannels.

import type { Tensor } from "../../core/tensor.ts";
import { SiLU } from "../../nn/activations.ts";
import { Conv2d } from "../../nn/conv2d.ts";
import { Module } from "../../nn/module.ts";
import { Sequential, type TensorLayer } from "../../nn/sequential.ts";
import { AttnBlock, type ProjOut } from "../../nn/attn_block.ts";
import { Downsample } from "./downsample.ts";
import { normalize, ResnetBlock } from "./resnet_block.ts";

export interface EncoderOptions {
  inChannels: number;
  /** Stage boundaries: stage i maps channels[i] → channels[i + 1] (study: 128,128,128,256,256,512). */
  channels: number[];
  numResBlocks: number;
  /** Stages (0-based) whose ResnetBlocks are each followed by an AttnBlock. */
  attnStages: number[];
  zChannels: number;
  projOut?: ProjOut;
  /** GroupNorm groups of every block (taming and the study: 32). */
  normGroups?: number;
}

export class Encoder extends Module {
  readonly model: Sequential;

  constructor(o: EncoderOptions) {
    super();
    const ch = o.channels, last = ch[ch.length - 1];
    const g = o.normGroups ?? 32;
    const attn = (c: number) => new AttnBlock(c, o.projOut ?? "applied", g);
    const layers: TensorLayer[] = [new Conv2d(o.inChannels, ch[0], 3, { padding: 1 })];
    for (let i = 0; i < ch.length - 1; i++) {
      let cin = ch[i];
      for (let j = 0; j < o.numResBlocks; j++) {
        layers.push(new ResnetBlock(cin, ch[i + 1], g));
        cin = ch[i + 1];
        if (o.attnStages.includes(i)) layers.push(attn(cin));
      }
      if (i !== ch.length - 2) layers.push(new Downsample(ch[i + 1]));
    }
    layers.push(new ResnetBlock(last, last, g), attn(last), new ResnetBlock(last, last, g));
    layers.push(normalize(last, g), new SiLU(), new Conv2d(last, o.zChannels, 3, { padding: 1 }));
    this.model = new Sequential(layers);
  }

  forward(x: Tensor): Tensor {
    return this.model.forward(x);
  }
}
