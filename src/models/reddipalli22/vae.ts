// The first study's VAE (Reddipalli 2022; Baur et al.'s "unified" encoder/decoder) for 1×95×79
// slices: 3 × [conv k5 s2 p2 → BN → LReLU] to 128×12×10, μ and log σ² heads (conv 1×1 → 16,
// BN, LReLU, flatten, Linear → L), decoder Linear → Dropout(0.2) → 16×12×10 → BN, LReLU, conv
// 1×1 → 128, BN, LReLU → 3 × [convT k5 s2 → BN → LReLU] → conv 1×1 → 1. Weight keys are the
// study code's module paths (encoderUnified.Enc.0.weight, fc_enc_btn_mu.weight, ...).
// faithful: samples z at test time too, and registers the study's never-applied
// conv_enc_btn2_mu (counted in its Table 4.3); corrected: z = μ at test time, no dead weights.

import { formatShape } from "../../core/shape.ts";
import { add, mul } from "../../kernels/binary.ts";
import { exp, mulScalar } from "../../kernels/unary.ts";
import { randn } from "../../kernels/random.ts";
import { leakyRelu } from "../../kernels/unary.ts";
import { reshape } from "../../kernels/movement.ts";
import { tidy } from "../../core/scope.ts";
import { Tensor } from "../../core/tensor.ts";
import { defaultLayerInit_ } from "../../nn/init.ts";
import { LeakyReLU } from "../../nn/activations.ts";
import { BatchNorm2d } from "../../nn/batch_norm2d.ts";
import { Conv2d } from "../../nn/conv2d.ts";
import { ConvTranspose2d } from "../../nn/conv_transpose2d.ts";
import { Dropout } from "../../nn/dropout.ts";
import { Linear } from "../../nn/linear.ts";
import { Module, parameter } from "../../nn/module.ts";
import { Sequential, type TensorLayer } from "../../nn/sequential.ts";
import type { Autoencoder, AutoencoderOutput, StudyMode } from "../types.ts";
import {
  checkOptionNames,
  type CommonModelOptions,
  intOption,
  resolveMode,
  resolveWidth,
  scaleChannels,
} from "../model_options.ts";

export interface Reddipalli22VaeOptions extends CommonModelOptions {
  /** Latent size L, 32–256 (default 128). */
  latentDim?: number;
  /** Decoder dropout after the first Linear (default 0.2, the study's). */
  dropRate?: number;
}

const NAME = "reddipalli22-vae";
/** Bottleneck grid for 95×79 input after three stride-2 convs. */
const GRID = [12, 10] as const;

/** Encoder: the study's Encoder_unified (indices as its nn.Sequential "Enc"). */
class UnifiedEncoder extends Module {
  readonly Enc: Sequential;
  constructor(widths: number[]) {
    super();
    const layers: TensorLayer[] = [];
    for (let i = 1; i < widths.length; i++) {
      layers.push(new Conv2d(widths[i - 1], widths[i], 5, { stride: 2, padding: 2, bias: false }));
      layers.push(new BatchNorm2d(widths[i]), new LeakyReLU(0.01));
    }
    this.Enc = new Sequential(layers);
  }
  forward(x: Tensor): Tensor {
    return this.Enc.forward(x);
  }
}

/** Decoder: the study's Decoder_unified (convT k5 s2 with paddings 2, 1, 1; output pad 0). */
class UnifiedDecoder extends Module {
  readonly Dec: Sequential;
  constructor(widths: number[]) {
    super();
    const layers: TensorLayer[] = [];
    const pads = [2, 1, 1];
    for (let i = 1; i < widths.length; i++) {
      layers.push(
        new ConvTranspose2d(widths[i - 1], widths[i], 5, {
          stride: 2,
          padding: pads[i - 1],
          bias: false,
        }),
      );
      layers.push(new BatchNorm2d(widths[i]), new LeakyReLU(0.01));
    }
    this.Dec = new Sequential(layers);
  }
  forward(x: Tensor): Tensor {
    return this.Dec.forward(x);
  }
}

/** A registered weight the study's code creates and never applies (conv_enc_btn2_mu). */
class UnappliedWeight extends Module {
  readonly weight: Tensor;
  constructor(shape: number[]) {
    super();
    const w = Tensor.empty(shape);
    defaultLayerInit_(w, null);
    this.weight = parameter(w);
  }
  forward(): Tensor {
    throw new Error("neurad: conv_enc_btn2_mu is registered by the study's code and never applied");
  }
}

/** Extra input to forward(): fixed ε for the reparameterisation (tests against PyTorch). */
export interface VaeForwardOptions {
  eps?: Tensor;
}

export class Reddipalli22Vae extends Module implements Autoencoder {
  readonly family = "vae" as const;
  readonly mode: StudyMode;
  readonly inputShape = [1, 95, 79] as const;
  readonly latentDim: number;
  readonly widthMultiplier: number;
  readonly bottleneck: number;
  readonly encoderUnified: UnifiedEncoder;
  readonly conv_enc_btn1_mu: Conv2d;
  readonly BN_enc_btn1_mu: BatchNorm2d;
  /** faithful only: registered by the study's code, counted in its Table 4.3, never applied. */
  readonly conv_enc_btn2_mu: UnappliedWeight | null;
  readonly fc_enc_btn_mu: Linear;
  readonly conv_enc_btn1_logvar: Conv2d;
  readonly BN_enc_btn1_logvar: BatchNorm2d;
  readonly fc_enc_btn_logvar: Linear;
  readonly fc_dec_btn: Linear;
  readonly dropout: Dropout;
  readonly BN_dec_btn0: BatchNorm2d;
  readonly conv_dec_btn1: Conv2d;
  readonly BN_dec_btn1: BatchNorm2d;
  readonly decoderUnified: UnifiedDecoder;
  readonly conv_dec_final: Conv2d;

  constructor(o: Reddipalli22VaeOptions = {}) {
    super();
    checkOptionNames(NAME, o, ["latentDim", "dropRate"]);
    this.mode = resolveMode(NAME, o.mode);
    this.widthMultiplier = resolveWidth(NAME, o.widthMultiplier);
    this.latentDim = intOption(NAME, "latentDim", o.latentDim, 128, 32, 256);
    const dropRate = o.dropRate ?? 0.2;
    const w = (c: number) => scaleChannels(c, this.widthMultiplier);
    const enc = [1, w(32), w(64), w(128)];
    const dec = [w(128), w(128), w(64), w(32)];
    const b = w(16), L = this.latentDim;
    this.bottleneck = b;
    const flat = b * GRID[0] * GRID[1];
    this.encoderUnified = new UnifiedEncoder(enc);
    this.conv_enc_btn1_mu = new Conv2d(enc[3], b, 1, { bias: false });
    this.BN_enc_btn1_mu = new BatchNorm2d(b);
    this.conv_enc_btn2_mu = this.mode === "faithful"
      ? new UnappliedWeight([L, b, GRID[0], GRID[1]])
      : null;
    this.fc_enc_btn_mu = new Linear(flat, L);
    this.conv_enc_btn1_logvar = new Conv2d(enc[3], b, 1, { bias: false });
    this.BN_enc_btn1_logvar = new BatchNorm2d(b);
    this.fc_enc_btn_logvar = new Linear(flat, L);
    this.fc_dec_btn = new Linear(L, flat);
    this.dropout = new Dropout(dropRate);
    this.BN_dec_btn0 = new BatchNorm2d(b);
    this.conv_dec_btn1 = new Conv2d(b, dec[0], 1, { bias: false });
    this.BN_dec_btn1 = new BatchNorm2d(dec[0]);
    this.decoderUnified = new UnifiedDecoder(dec);
    this.conv_dec_final = new Conv2d(dec[3], 1, 1);
  }

  /** The study's parameter count (Table 4.3): with conv_enc_btn2_mu (b·L·12·10) in any mode. */
  studyParameterCount(): number {
    let n = 0;
    for (const p of this.parameters()) n += p.size;
    if (this.mode === "corrected") n += this.bottleneck * this.latentDim * GRID[0] * GRID[1];
    return n;
  }

  #head(x: Tensor, conv: Conv2d, bn: BatchNorm2d, fc: Linear): Tensor {
    return tidy(() => {
      const h = leakyRelu(bn.forward(conv.forward(x)), 0.01);
      return fc.forward(reshape(h, [h.shape[0], h.shape[1] * h.shape[2] * h.shape[3]]));
    });
  }

  /** Encoder to (μ, log σ²), each [N, L]. */
  encode(x: Tensor): { mu: Tensor; logvar: Tensor } {
    const [, c, hh, ww] = x.shape;
    if (x.ndim !== 4 || c !== 1 || hh !== 95 || ww !== 79) {
      throw new Error(`neurad: ${NAME} takes [N, 1, 95, 79] slices, got ${formatShape(x.shape)}`);
    }
    return tidy(() => {
      const h = this.encoderUnified.forward(x);
      return {
        mu: this.#head(h, this.conv_enc_btn1_mu, this.BN_enc_btn1_mu, this.fc_enc_btn_mu),
        logvar: this.#head(
          h,
          this.conv_enc_btn1_logvar,
          this.BN_enc_btn1_logvar,
          this.fc_enc_btn_logvar,
        ),
      };
    });
  }

  /** Decoder from z [N, L] to [N, 1, 95, 79]. */
  decode(z: Tensor): Tensor {
    return tidy(() => {
      const y = this.dropout.forward(this.fc_dec_btn.forward(z));
      let h = reshape(y, [z.shape[0], this.bottleneck, GRID[0], GRID[1]]);
      h = leakyRelu(this.BN_dec_btn0.forward(h), 0.01);
      h = leakyRelu(this.BN_dec_btn1.forward(this.conv_dec_btn1.forward(h)), 0.01);
      return this.conv_dec_final.forward(this.decoderUnified.forward(h));
    });
  }

  /**
   * Training mode: z = μ + ε·exp(½ log σ²). Eval mode: faithful samples likewise (the study
   * did), corrected decodes μ. `eps` fixes ε (shape [N, L]) instead of drawing it.
   */
  forward(x: Tensor, o: VaeForwardOptions = {}): AutoencoderOutput {
    return tidy(() => {
      const { mu, logvar } = this.encode(x);
      const sample = this.training || this.mode === "faithful";
      const z = sample
        ? add(mu, mul(o.eps ?? randn(mu.shape), exp(mulScalar(logvar, 0.5))))
        : reshape(mu, mu.shape);
      return { recon: this.decode(z), mu, logvar };
    });
  }

  reconstruct(x: Tensor): Tensor {
    return tidy(() => this.forward(x).recon);
  }

  lastLayerWeight(): Tensor {
    return this.conv_dec_final.weight;
  }
}
