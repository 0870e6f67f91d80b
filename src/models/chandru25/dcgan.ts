// chandru25-dcgan: the second study's DCGAN baseline. The study published no code for it; its
// text gives 64×64 images and z = 100, so this is the standard DCGAN of the PyTorch tutorial
// (Radford et al. 2016): generator convT k4 (s1 p0, then s2 p1) 100→512→256→128→64→3 with BN +
// ReLU between and tanh at the end; discriminator conv k4 s2 p1 3→64 (LReLU 0.2), 64→128→256→512
// (BN + LReLU 0.2), conv k4 s1 p0 512→1; no biases; weights N(0, 0.02), BN weight N(1, 0.02),
// bias 0. Keys are the tutorial's (main.N). 3,576,704 and 2,765,568 parameters at full width.
// The Autoencoder view of the generator: its "reconstruction" of x is G(z) for fresh z ~ N(0, 1)
// (one per image of x), as the study scored it; it ignores x except for its batch size and
// needs 64×64 inputs. The discriminator returns logits (N, 1, 1, 1); the tutorial's sigmoid
// belongs to the loss.

import type { Tensor } from "../../core/tensor.ts";
import { noGrad } from "../../core/autograd.ts";
import { tidy } from "../../core/scope.ts";
import { fill_ } from "../../kernels/fill.ts";
import { normal_, randn } from "../../kernels/random.ts";
import { Conv2d } from "../../nn/conv2d.ts";
import { ConvTranspose2d } from "../../nn/conv_transpose2d.ts";
import { BatchNorm2d } from "../../nn/batch_norm2d.ts";
import { LeakyReLU, ReLU, Tanh } from "../../nn/activations.ts";
import { Module } from "../../nn/module.ts";
import type { Autoencoder, AutoencoderOutput, Discriminator, StudyMode } from "../types.ts";
import { Sequential, type TensorLayer } from "../../nn/sequential.ts";
import {
  checkOptionNames,
  type CommonModelOptions,
  intOption,
  resolveMode,
  resolveWidth,
  scaleChannels,
} from "../model_options.ts";

/**
 * The study has no code for this model, so both modes agree; widthMultiplier scales
 * ngf / ndf = 64.
 */
export interface Chandru25DcganOptions extends CommonModelOptions {
  /** Latent size, default 100. */
  latentDim?: number;
}

/** The tutorial's weights_init: conv N(0, 0.02); BN weight N(1, 0.02), bias 0. */
function dcganInit(m: Module) {
  for (const [, sub] of m.namedModules()) {
    if (sub instanceof Conv2d || sub instanceof ConvTranspose2d) normal_(sub.weight, 0, 0.02);
    if (sub instanceof BatchNorm2d) {
      normal_(sub.weight!, 1, 0.02);
      fill_(sub.bias!, 0);
    }
  }
}

const G_NAME = "chandru25-dcgan", D_NAME = "chandru25-dcgan-discriminator";

/** The generator G: z [N, latentDim, 1, 1] → [N, 3, 64, 64] in [−1, 1]. */
export class Chandru25Dcgan extends Module implements Autoencoder {
  readonly family = "dcgan" as const;
  readonly mode: StudyMode;
  readonly inputShape = [3, 64, 64] as const;
  readonly latentDim: number;
  readonly main: Sequential;
  readonly #last: ConvTranspose2d;

  constructor(o: Chandru25DcganOptions = {}) {
    super();
    checkOptionNames(G_NAME, o, ["latentDim"]);
    this.mode = resolveMode(G_NAME, o.mode);
    this.latentDim = intOption(G_NAME, "latentDim", o.latentDim, 100, 1, 4096);
    const ngf = scaleChannels(64, resolveWidth(G_NAME, o.widthMultiplier));
    const widths = [this.latentDim, ngf * 8, ngf * 4, ngf * 2, ngf];
    const layers: TensorLayer[] = [];
    for (let i = 0; i < 4; i++) {
      layers.push(
        new ConvTranspose2d(widths[i], widths[i + 1], 4, {
          stride: i === 0 ? 1 : 2,
          padding: i === 0 ? 0 : 1,
          bias: false,
        }),
        new BatchNorm2d(widths[i + 1]),
        new ReLU(),
      );
    }
    this.#last = new ConvTranspose2d(ngf, 3, 4, { stride: 2, padding: 1, bias: false });
    layers.push(this.#last, new Tanh());
    this.main = new Sequential(layers);
    dcganInit(this);
  }

  /** G(z) for z [N, latentDim, 1, 1]. */
  generate(z: Tensor): Tensor {
    if (z.ndim !== 4 || z.shape[1] !== this.latentDim || z.shape[2] !== 1 || z.shape[3] !== 1) {
      throw new Error(
        `neurad: chandru25-dcgan expects z of shape [N, ${this.latentDim}, 1, 1], ` +
          `got ${z}`,
      );
    }
    return this.main.forward(z);
  }

  /** recon = G(z), z ~ N(0, 1) drawn fresh, one per image of x (x [N, 3, 64, 64]). */
  forward(x: Tensor): AutoencoderOutput {
    const [c, h, w] = this.inputShape;
    if (x.ndim !== 4 || x.shape[1] !== c || x.shape[2] !== h || x.shape[3] !== w) {
      throw new Error(`neurad: ${G_NAME} works on [N, 3, 64, 64] images, got ${x}`);
    }
    return tidy(() => ({ recon: this.generate(randn([x.shape[0], this.latentDim, 1, 1])) }));
  }

  reconstruct(x: Tensor): Tensor {
    return noGrad(() => this.forward(x).recon);
  }

  lastLayerWeight(): Tensor {
    return this.#last.weight;
  }
}

/** The DCGAN discriminator D: [N, 3, 64, 64] → logits [N, 1, 1, 1]. */
export class Chandru25DcganDiscriminator extends Module implements Discriminator {
  readonly mode: StudyMode;
  readonly main: Sequential;

  constructor(o: Chandru25DcganOptions = {}) {
    super();
    checkOptionNames(D_NAME, o, []);
    this.mode = resolveMode(D_NAME, o.mode);
    const ndf = scaleChannels(64, resolveWidth(D_NAME, o.widthMultiplier));
    const layers: TensorLayer[] = [
      new Conv2d(3, ndf, 4, { stride: 2, padding: 1, bias: false }),
      new LeakyReLU(0.2),
    ];
    for (const m of [1, 2, 4]) {
      layers.push(
        new Conv2d(ndf * m, ndf * m * 2, 4, { stride: 2, padding: 1, bias: false }),
        new BatchNorm2d(ndf * m * 2),
        new LeakyReLU(0.2),
      );
    }
    layers.push(new Conv2d(ndf * 8, 1, 4, { bias: false }));
    this.main = new Sequential(layers);
    dcganInit(this);
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== 3 || x.shape[2] !== 64 || x.shape[3] !== 64) {
      throw new Error(`neurad: ${D_NAME} expects [N, 3, 64, 64], got ${x}`);
    }
    return this.main.forward(x);
  }
}
