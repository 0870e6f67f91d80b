// The first study's VQ-VAE for 1×95×79 slices (its architecture file is missing from the
// published code; this is the layer set that fits the text and Table 4.3, with the Zalando
// VQ-VAE's module names): encoder conv k5 s2 p1 1→32→64→128 with ReLU (→ 11×9), conv 3×3 p1
// 128→128, residual stack; pre_vq_conv 1×1 → D; quantiser K×D (loss mse(e, sg z) + 0.25·mse(z,
// sg e)); decoder conv 3×3 D→128, residual stack, convT k5 s2 p1 128→64 + ReLU, 64→32 + ReLU,
// 32→1. Residual stack: 2 × [ReLU → conv 3×3 (no bias) → ReLU → conv 1×1 (no bias)] added to
// the input, then ReLU.
// faithful: the Zalando block's first ReLU is in place (nn.ReLU(True)), so each residual adds
// to relu(x) rather than x; corrected adds to x.

import { formatShape } from "../../core/shape.ts";
import { add } from "../../kernels/binary.ts";
import { relu } from "../../kernels/unary.ts";
import { tidy } from "../../core/scope.ts";
import type { Tensor } from "../../core/tensor.ts";
import { ReLU } from "../../nn/activations.ts";
import { Conv2d } from "../../nn/conv2d.ts";
import { ConvTranspose2d } from "../../nn/conv_transpose2d.ts";
import { Module } from "../../nn/module.ts";
import { ModuleList } from "../../nn/module_list.ts";
import { Sequential } from "../../nn/sequential.ts";
import { VectorQuantizer } from "../../nn/vector_quantizer.ts";
import type { Autoencoder, AutoencoderOutput, StudyMode } from "../types.ts";
import {
  checkOptionNames,
  type CommonModelOptions,
  intOption,
  resolveMode,
  resolveWidth,
  scaleChannels,
} from "../model_options.ts";
import { vqFields } from "./vq_outputs.ts";

export interface Reddipalli22VqvaeOptions extends CommonModelOptions {
  /** Code dimension D, 32–256 (default 128). */
  embedDim?: number;
  /** Number of codes K, 32–256 (default 128). */
  numCodes?: number;
}

const NAME = "reddipalli22-vqvae";
const BETA = 0.25;

class Residual extends Module {
  readonly _block: Sequential;
  constructor(ch: number, hidden: number, readonly inPlaceRelu: boolean) {
    super();
    this._block = new Sequential([
      new ReLU(),
      new Conv2d(ch, hidden, 3, { padding: 1, bias: false }),
      new ReLU(),
      new Conv2d(hidden, ch, 1, { bias: false }),
    ]);
  }
  forward(x: Tensor): Tensor {
    return tidy(() => add(this.inPlaceRelu ? relu(x) : x, this._block.forward(x)));
  }
}

class ResidualStack extends Module {
  readonly layers: ModuleList<Residual>;
  constructor(ch: number, hidden: number, n: number, inPlaceRelu: boolean) {
    super();
    this.layers = new ModuleList(
      Array.from({ length: n }, () => new Residual(ch, hidden, inPlaceRelu)),
    );
  }
  forward(x: Tensor): Tensor {
    return tidy(() => relu(this.layers.items.reduce((h, m) => m.forward(h), x)));
  }
}

class VqvaeEncoder extends Module {
  readonly conv_1: Conv2d;
  readonly conv_2: Conv2d;
  readonly conv_3: Conv2d;
  readonly conv_4: Conv2d;
  readonly residual_stack: ResidualStack;
  constructor(w: number[], hidden: number, inPlaceRelu: boolean) {
    super();
    const down = (a: number, b: number) => new Conv2d(a, b, 5, { stride: 2, padding: 1 });
    this.conv_1 = down(1, w[0]);
    this.conv_2 = down(w[0], w[1]);
    this.conv_3 = down(w[1], w[2]);
    this.conv_4 = new Conv2d(w[2], w[2], 3, { padding: 1 });
    this.residual_stack = new ResidualStack(w[2], hidden, 2, inPlaceRelu);
  }
  forward(x: Tensor): Tensor {
    return tidy(() => {
      let h = this.conv_1.forward(x, "relu");
      h = this.conv_2.forward(h, "relu");
      h = this.conv_3.forward(h, "relu");
      return this.residual_stack.forward(this.conv_4.forward(h));
    });
  }
}

class VqvaeDecoder extends Module {
  readonly conv_1: Conv2d;
  readonly residual_stack: ResidualStack;
  readonly conv_trans_1: ConvTranspose2d;
  readonly conv_trans_2: ConvTranspose2d;
  readonly conv_trans_3: ConvTranspose2d;
  constructor(d: number, w: number[], hidden: number, inPlaceRelu: boolean) {
    super();
    const up = (a: number, b: number) => new ConvTranspose2d(a, b, 5, { stride: 2, padding: 1 });
    this.conv_1 = new Conv2d(d, w[2], 3, { padding: 1 });
    this.residual_stack = new ResidualStack(w[2], hidden, 2, inPlaceRelu);
    this.conv_trans_1 = up(w[2], w[1]);
    this.conv_trans_2 = up(w[1], w[0]);
    this.conv_trans_3 = up(w[0], 1);
  }
  forward(z: Tensor): Tensor {
    return tidy(() => {
      let h = this.residual_stack.forward(this.conv_1.forward(z));
      h = relu(this.conv_trans_1.forward(h));
      h = relu(this.conv_trans_2.forward(h));
      return this.conv_trans_3.forward(h);
    });
  }
}

export class Reddipalli22Vqvae extends Module implements Autoencoder {
  readonly family = "vqvae" as const;
  readonly mode: StudyMode;
  readonly inputShape = [1, 95, 79] as const;
  readonly embedDim: number;
  readonly numCodes: number;
  readonly encoder: VqvaeEncoder;
  readonly pre_vq_conv: Conv2d;
  readonly vq_vae: VectorQuantizer;
  readonly decoder: VqvaeDecoder;

  constructor(o: Reddipalli22VqvaeOptions = {}) {
    super();
    checkOptionNames(NAME, o, ["embedDim", "numCodes"]);
    this.mode = resolveMode(NAME, o.mode);
    const m = resolveWidth(NAME, o.widthMultiplier);
    this.embedDim = intOption(NAME, "embedDim", o.embedDim, 128, 32, 256);
    this.numCodes = intOption(NAME, "numCodes", o.numCodes, 128, 32, 256);
    const w = [32, 64, 128].map((c) => scaleChannels(c, m));
    const hidden = scaleChannels(32, m);
    const inPlace = this.mode === "faithful";
    this.encoder = new VqvaeEncoder(w, hidden, inPlace);
    this.pre_vq_conv = new Conv2d(w[2], this.embedDim, 1);
    this.vq_vae = new VectorQuantizer({
      numCodes: this.numCodes,
      codeDim: this.embedDim,
      beta: BETA,
    });
    this.decoder = new VqvaeDecoder(this.embedDim, w, hidden, inPlace);
  }

  forward(x: Tensor): AutoencoderOutput {
    const [, c, hh, ww] = x.shape;
    if (x.ndim !== 4 || c !== 1 || hh !== 95 || ww !== 79) {
      throw new Error(`neurad: ${NAME} takes [N, 1, 95, 79] slices, got ${formatShape(x.shape)}`);
    }
    return tidy(() => {
      const z = this.pre_vq_conv.forward(this.encoder.forward(x));
      const { zq, ...rest } = vqFields(this.vq_vae.forward(z), BETA, 1, z.shape);
      return { recon: this.decoder.forward(zq), ...rest };
    });
  }

  reconstruct(x: Tensor): Tensor {
    return tidy(() => this.forward(x).recon);
  }

  lastLayerWeight(): Tensor {
    return this.decoder.conv_trans_3.weight;
  }
}
