// The first study's VQGAN for 1×95×79 slices (its code follows dome272's VQGAN-pytorch; blocks
// here carry taming's names, see study_keys.ts for the mapping): Encoder 128,128,128,256,256,512
// (2 ResnetBlocks per stage, attention on the last) → quant_conv 1×1 → codebook K×D →
// post_quant_conv 1×1 → Decoder 512,256,256,128,128 (3 ResnetBlocks per stage, attention on
// the first two, 5×4 → 80×64) → output tail: convT k5 ×3 (→ 92×76), convT k4 p2 (→ 91×75),
// conv 1×1 to one channel.
// faithful: AttnBlocks register proj_out and never apply it; the last conv has padding 2, so
// the output's 2-pixel border is only its bias; the quantiser loss is β·codebook + commitment.
// corrected: proj_out applied (taming), last conv padding 0 then bilinear resize 91×75 → 95×79,
// loss codebook + β·commitment.

import { formatShape } from "../../core/shape.ts";
import { interpolate } from "../../kernels/interpolate.ts";
import { tidy } from "../../core/scope.ts";
import type { Tensor } from "../../core/tensor.ts";
import { Decoder } from "../blocks/decoder.ts";
import { Encoder } from "../blocks/encoder.ts";
import { Conv2d } from "../../nn/conv2d.ts";
import { ConvTranspose2d } from "../../nn/conv_transpose2d.ts";
import { Module } from "../../nn/module.ts";
import type { TensorLayer } from "../../nn/sequential.ts";
import { VectorQuantizer } from "../../nn/vector_quantizer.ts";
import type { Autoencoder, AutoencoderOutput, StudyMode } from "../types.ts";
import {
  checkOptionNames,
  type CommonModelOptions,
  intOption,
  resolveMode,
  resolveWidth,
  scaleGroupChannels,
} from "../model_options.ts";
import { vqFields } from "./vq_outputs.ts";

export interface Reddipalli22VqganOptions extends CommonModelOptions {
  /** Code dimension D, 64–256 (default 128). */
  embedDim?: number;
  /** Number of codes K, 64–256 (default 128). */
  numCodes?: number;
  /** Commitment β (default 0.25). */
  beta?: number;
  /**
   * GroupNorm groups of every block, 1–32 (default 32, the study's and taming's). Fewer groups
   * let `widthMultiplier` shrink the model below 32 channels a stage (for tests and soak runs:
   * the stage widths are multiples of it).
   */
  normGroups?: number;
}

const NAME = "reddipalli22-vqgan";

/** Bilinear resize to a fixed size (the corrected tail's last step). */
class ResizeTo extends Module {
  constructor(readonly size: [number, number]) {
    super();
  }
  forward(x: Tensor): Tensor {
    return interpolate(x, { size: this.size, mode: "bilinear", alignCorners: false });
  }
}

export class Reddipalli22Vqgan extends Module implements Autoencoder {
  readonly family = "vqgan" as const;
  readonly mode: StudyMode;
  readonly inputShape = [1, 95, 79] as const;
  readonly embedDim: number;
  readonly numCodes: number;
  readonly beta: number;
  readonly encoder: Encoder;
  readonly decoder: Decoder;
  readonly codebook: VectorQuantizer;
  readonly quant_conv: Conv2d;
  readonly post_quant_conv: Conv2d;
  readonly #betaQ: number;
  readonly #lossScale: number;
  readonly #lastConv: Conv2d;

  constructor(o: Reddipalli22VqganOptions = {}) {
    super();
    checkOptionNames(NAME, o, ["embedDim", "numCodes", "beta", "normGroups"]);
    this.mode = resolveMode(NAME, o.mode);
    const m = resolveWidth(NAME, o.widthMultiplier);
    const D = this.embedDim = intOption(NAME, "embedDim", o.embedDim, 128, 64, 256);
    this.numCodes = intOption(NAME, "numCodes", o.numCodes, 128, 64, 256);
    this.beta = o.beta ?? 0.25;
    if (!(this.beta > 0 && this.beta <= 10)) {
      throw new Error(`neurad: ${NAME}: beta must be in (0, 10], got ${o.beta}`);
    }
    const faithful = this.mode === "faithful";
    const projOut = faithful ? "unapplied" : "applied";
    const groups = intOption(NAME, "normGroups", o.normGroups, 32, 1, 32);
    const g = (c: number) => scaleGroupChannels(c, m, groups);
    let lastConv: Conv2d | null = null;
    const tail = (c: number): TensorLayer[] => {
      lastConv = new Conv2d(c, 1, 1, { padding: faithful ? 2 : 0 });
      const layers: TensorLayer[] = [
        new ConvTranspose2d(c, c, 5),
        new ConvTranspose2d(c, c, 5),
        new ConvTranspose2d(c, c, 5),
        new ConvTranspose2d(c, c, 4, { padding: 2 }),
        lastConv,
      ];
      if (!faithful) layers.push(new ResizeTo([95, 79]));
      return layers;
    };
    this.encoder = new Encoder({
      inChannels: 1,
      channels: [128, 128, 128, 256, 256, 512].map(g),
      numResBlocks: 2,
      attnStages: [4],
      zChannels: D,
      projOut,
      normGroups: groups,
    });
    this.decoder = new Decoder({
      zChannels: D,
      channels: [512, 256, 256, 128, 128].map(g),
      numResBlocks: 3,
      attnStages: [0, 1],
      projOut,
      normGroups: groups,
      tail,
    });
    this.#lastConv = lastConv!;
    // faithful β·codebook + commitment = β·(codebook + (1/β)·commitment).
    this.#betaQ = faithful ? 1 / this.beta : this.beta;
    this.#lossScale = faithful ? this.beta : 1;
    this.codebook = new VectorQuantizer({ numCodes: this.numCodes, codeDim: D, beta: this.#betaQ });
    this.quant_conv = new Conv2d(D, D, 1);
    this.post_quant_conv = new Conv2d(D, D, 1);
  }

  forward(x: Tensor): AutoencoderOutput {
    const [, c, hh, ww] = x.shape;
    if (x.ndim !== 4 || c !== 1 || hh !== 95 || ww !== 79) {
      throw new Error(`neurad: ${NAME} takes [N, 1, 95, 79] slices, got ${formatShape(x.shape)}`);
    }
    return tidy(() => {
      const z = this.quant_conv.forward(this.encoder.forward(x));
      const q = this.codebook.forward(z);
      const { zq, ...rest } = vqFields(q, this.#betaQ, this.#lossScale, z.shape);
      return { recon: this.decoder.forward(this.post_quant_conv.forward(zq)), ...rest };
    });
  }

  reconstruct(x: Tensor): Tensor {
    return tidy(() => this.forward(x).recon);
  }

  /** The decoder's last conv (decoder.model[-1] in the study's code). */
  lastLayerWeight(): Tensor {
    return this.#lastConv.weight;
  }
}
