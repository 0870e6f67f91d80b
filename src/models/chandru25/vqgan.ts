// chandru25-vqgan: the second study's EMA-codebook VQGAN generator (Chandru 2025;
// docs/models.md). Encoder: conv k4 s2 p1 3→C, ResidualBlock, conv k4 s2 p1 C→C, ResidualBlock (latent
// H/4 × W/4 × C). Quantiser: K = 1,024 codes of dimension C = 256, EMA decay 0.99, ε 1e-5.
// Decoder: ResidualBlock, convT k4 s2 p1 C→C, ResidualBlock, convT k4 s2 p1 C→3, tanh. Fully
// convolutional: trained at 3×64×64, the study tests at 3×128×128. Keys are the study's module
// paths (encoder.encoder.N…, quantizer.embedding.weight, decoder.decoder.N…), so its .pth loads.
// Modes:
//  - faithful (the study's code): no straight-through gradient and no VQ loss, so the encoder
//    never trains (it runs without a graph; its BN statistics still move in training mode); the
//    EMA codebook updates on every forward, eval included, from zero state that is not saved
//    (study_ema_quantizer.ts). reconstruct() therefore changes the codebook: call it image by
//    image (batch 1) in the study's order to reproduce its test; resetEmaState() zeroes N, M.
//  - corrected: straight-through, loss β·‖z − sg[e]‖² (vqLoss), the standard EMA update of
//    src/nn/vector_quantizer.ts in training mode only (frozen in eval), EMA state saved as
//    quantizer.embedding.cluster_size / embed_avg.

import type { Tensor } from "../../core/tensor.ts";
import { noGrad } from "../../core/autograd.ts";
import { tidy } from "../../core/scope.ts";
import { clone, reshape } from "../../kernels/movement.ts";
import { ones } from "../../kernels/fill.ts";
import { mulScalar } from "../../kernels/unary.ts";
import { type IncompatibleKeys, type LoadStateDictOptions, Module } from "../../nn/module.ts";
import { Conv2d } from "../../nn/conv2d.ts";
import { ConvTranspose2d } from "../../nn/conv_transpose2d.ts";
import { Tanh } from "../../nn/activations.ts";
import { VectorQuantizer } from "../../nn/vector_quantizer.ts";
import type { Autoencoder, AutoencoderOutput, StudyMode } from "../types.ts";
import { ResidualBlock } from "./blocks.ts";
import { Sequential } from "../../nn/sequential.ts";
import {
  checkOptionNames,
  type CommonModelOptions,
  intOption,
  resolveMode,
  resolveWidth,
  scaleChannels,
} from "../model_options.ts";
import { StudyEmaQuantizer } from "./study_ema_quantizer.ts";

const NAME = "chandru25-vqgan";

/** widthMultiplier scales the 256 hidden channels (= code dimension). */
export interface Chandru25VqganOptions extends CommonModelOptions {
  /** K, default 1,024. */
  numCodes?: number;
  /** Commitment weight β (corrected loss; faithful logs it). Default 0.25. */
  beta?: number;
  decay?: number;
  epsilon?: number;
  /** Side of the square training input, default 64 (the study tests at 128). */
  imageSize?: number;
}

/** A number option in [lo, hi] (default `def`), or a one-line error naming it. */
function numberOption(name: string, v: unknown, def: number, lo: number, hi: number): number {
  if (v === undefined) return def;
  if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi) {
    throw new Error(`neurad: ${NAME}: ${name} must be a number in [${lo}, ${hi}], got ${v}`);
  }
  return v;
}

/** The study's Encoder: one child "encoder" (a Sequential). */
class Encoder extends Module {
  readonly encoder: Sequential;
  constructor(c: number) {
    super();
    this.encoder = new Sequential([
      new Conv2d(3, c, 4, { stride: 2, padding: 1 }),
      new ResidualBlock(c),
      new Conv2d(c, c, 4, { stride: 2, padding: 1 }),
      new ResidualBlock(c),
    ]);
  }
  forward(x: Tensor): Tensor {
    return this.encoder.forward(x);
  }
}

/** The study's Decoder: one child "decoder" (a Sequential ending in tanh). */
class Decoder extends Module {
  readonly decoder: Sequential;
  /** decoder.3, the last convolution (where the adaptive GAN weight is measured). */
  readonly #last: ConvTranspose2d;
  constructor(c: number) {
    super();
    this.#last = new ConvTranspose2d(c, 3, 4, { stride: 2, padding: 1 });
    this.decoder = new Sequential([
      new ResidualBlock(c),
      new ConvTranspose2d(c, c, 4, { stride: 2, padding: 1 }),
      new ResidualBlock(c),
      this.#last,
      new Tanh(),
    ]);
  }
  get last(): ConvTranspose2d {
    return this.#last;
  }
  forward(x: Tensor): Tensor {
    return this.decoder.forward(x);
  }
}

export class Chandru25Vqgan extends Module implements Autoencoder {
  readonly family = "vqgan" as const;
  readonly mode: StudyMode;
  readonly inputShape: readonly [number, number, number];
  readonly hidden: number;
  readonly encoder: Encoder;
  readonly quantizer: StudyEmaQuantizer | VectorQuantizer;
  readonly decoder: Decoder;

  constructor(o: Chandru25VqganOptions = {}) {
    super();
    checkOptionNames(NAME, o, ["numCodes", "beta", "decay", "epsilon", "imageSize"]);
    this.mode = resolveMode(NAME, o.mode);
    const size = intOption(NAME, "imageSize", o.imageSize, 64, 4, 4096);
    if (size % 4) {
      throw new Error(`neurad: ${NAME}: imageSize must be a multiple of 4, got ${size}`);
    }
    this.inputShape = [3, size, size];
    const c = this.hidden = scaleChannels(256, resolveWidth(NAME, o.widthMultiplier));
    const q = {
      numCodes: intOption(NAME, "numCodes", o.numCodes, 1024, 1, 65536),
      codeDim: c,
      beta: numberOption("beta", o.beta, 0.25, 0, 10),
      decay: numberOption("decay", o.decay, 0.99, 0, 1),
      epsilon: numberOption("epsilon", o.epsilon, 1e-5, 0, 1),
    };
    this.encoder = new Encoder(c);
    this.quantizer = this.mode === "faithful"
      ? new StudyEmaQuantizer(q)
      : new VectorQuantizer({ ...q, update: "ema" });
    this.decoder = new Decoder(c);
  }

  forward(x: Tensor): AutoencoderOutput {
    if (x.ndim !== 4 || x.shape[1] !== 3 || x.shape[2] % 4 || x.shape[3] % 4) {
      throw new Error(
        `neurad: chandru25-vqgan expects [N, 3, H, W] with H, W multiples of 4, ` +
          `got ${x}`,
      );
    }
    return tidy(() => {
      const faithful = this.mode === "faithful";
      // Faithful: nothing reaches the encoder, so it runs without recording a graph.
      const z = faithful ? noGrad(() => this.encoder.forward(x)) : this.encoder.forward(x);
      const q = this.quantizer.forward(z);
      const recon = this.decoder.forward(q.zq);
      const [n, , h, w] = z.shape;
      const out: AutoencoderOutput = {
        recon,
        perplexity: q.perplexity,
        usage: q.usage,
        indices: reshape(q.indices, [n, h, w]),
      };
      if (faithful) q.loss.dispose();
      else {
        out.vqLoss = q.loss; // β·commitment: the EMA rule moves the codebook
        out.commitmentLoss = mulScalar(q.loss.detach(), 1 / this.quantizer.beta); // for logs
      }
      return out;
    });
  }

  /**
   * loadStateDict, plus: in corrected mode a state without the EMA state (a checkpoint of the
   * study's code, or of faithful mode) loads too, its EMA state restarting from the loaded
   * codebook (N = 1, m = e), so later EMA steps continue from that codebook.
   */
  override loadStateDict(
    state: Map<string, Tensor>,
    opts: boolean | LoadStateDictOptions = {},
  ): IncompatibleKeys {
    const w = state.get("quantizer.embedding.weight");
    const [cs, ea] = ["quantizer.embedding.cluster_size", "quantizer.embedding.embed_avg"];
    if (this.mode === "faithful" || !w || state.has(cs) || state.has(ea)) {
      return super.loadStateDict(state, opts);
    }
    const added: [string, Tensor][] = [[cs, ones([w.shape[0]])], [ea, clone(w)]];
    try {
      return super.loadStateDict(new Map([...state, ...added]), opts);
    } finally {
      const assigned = typeof opts === "object" && opts.assign;
      if (!assigned) { for (const [, t] of added) t.dispose(); }
    }
  }

  /** The reconstruction for anomaly scores. Faithful: the EMA codebook updates here too. */
  reconstruct(x: Tensor): Tensor {
    return tidy(() => {
      const out = noGrad(() => this.forward(x));
      return out.recon;
    });
  }

  /**
   * Faithful only: zero the EMA state N, M (the codebook stays as the EMA left it; re-open the
   * run for the checkpoint's codebook); no-op in corrected mode.
   */
  resetEmaState() {
    if (this.quantizer instanceof StudyEmaQuantizer) this.quantizer.resetEmaState();
  }

  lastLayerWeight(): Tensor {
    return this.decoder.last.weight;
  }
}
