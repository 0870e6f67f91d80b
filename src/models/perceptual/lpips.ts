// `lpips`: the LPIPS perceptual distance (Zhang et al. 2018) with the VGG16 trunk, as the `lpips`
// package and taming-transformers' `LPIPS` compute it: inputs in [−1, 1] are shifted and scaled
// (`scaling_layer`), VGG16 features are taken at relu1_2, relu2_2, relu3_3, relu4_3 and relu5_3,
// unit-normalised over channels, squared differences are weighted per channel by the 1×1 heads
// `lin0..lin4` (`linK.model.1.weight`, no bias), averaged over space and summed over layers →
// one distance per image [N, 1, 1, 1]. One-channel (grey MRI) input is replicated to three, as a
// grey image is fed to VGG. Keys: the trunk under `net.` with torchvision's indices
// (`net.features.N.weight`), the heads as in the lpips package's `vgg.pth`.

import { add, div, mul, sub } from "../../kernels/binary.ts";
import { conv2d } from "../../kernels/conv2d.ts";
import { Tensor } from "../../core/tensor.ts";
import { expand } from "../../kernels/movement.ts";
import { mean, sum } from "../../kernels/reduce.ts";
import { addScalar, sqrt, square } from "../../kernels/unary.ts";
import { tidy } from "../../core/scope.ts";
import { buffer, Module, parameter } from "../../nn/module.ts";
import { Vgg16Features } from "./vgg16_features.ts";

const TAPS = ["relu1_2", "relu2_2", "relu3_3", "relu4_3", "relu5_3"] as const;

/** A head's 1×1 conv weight [1, C, 1, 1] (no bias), 1/C until loaded; read by Lpips. */
class HeadWeight extends Module {
  readonly weight: Tensor;
  constructor(channels: number) {
    super();
    const w = Tensor.from(new Float32Array(channels).fill(1 / channels), [1, channels, 1, 1]);
    this.weight = parameter(w);
  }
}

/** lpips' NetLinLayer.model, nn.Sequential(Dropout, Conv2d): only the conv (key 1) has weights. */
class HeadLayers extends Module {
  readonly 1: HeadWeight;
  constructor(channels: number) {
    super();
    this[1] = new HeadWeight(channels);
  }
}

/** lpips' NetLinLayer (`linK.model.1.weight`); LPIPS uses it without dropout. */
class LinHead extends Module {
  readonly model: HeadLayers;
  constructor(channels: number) {
    super();
    this.model = new HeadLayers(channels);
  }
  get weight(): Tensor {
    return this.model[1].weight;
  }
}

/** lpips' ScalingLayer: the [−1, 1] input's shift and scale per channel (buffers). */
class ScalingLayer extends Module {
  readonly shift = buffer(Tensor.from([-0.030, -0.088, -0.188], [1, 3, 1, 1]));
  readonly scale = buffer(Tensor.from([0.458, 0.448, 0.450], [1, 3, 1, 1]));
}

export interface LpipsOptions {
  widthMultiplier?: number;
}

export class Lpips extends Module {
  readonly net: Vgg16Features;
  /** lin0 … lin4, registered under those names. */
  readonly heads: LinHead[] = [];
  readonly scaling_layer: ScalingLayer;

  constructor(o: LpipsOptions = {}) {
    super();
    this.net = new Vgg16Features({ ...o, upTo: "relu5_3" });
    const chans = this.net.features.convs;
    const width = (i: number) => chans.get(i)!.outChannels;
    // relu1_2 ← conv index 2, relu2_2 ← 7, relu3_3 ← 14, relu4_3 ← 21, relu5_3 ← 28.
    [2, 7, 14, 21, 28].forEach((ci, k) => {
      this.heads.push(this.registerModule(`lin${k}`, new LinHead(width(ci))));
    });
    this.scaling_layer = new ScalingLayer();
    this.requiresGrad_(false);
  }

  /** LPIPS distance per image, [N, 1, 1, 1]; gradients flow to both inputs. */
  forward(x: Tensor, y: Tensor): Tensor {
    return tidy(() => {
      const fx = this.net.taps(this.#scale(x), TAPS);
      const fy = this.net.taps(this.#scale(y), TAPS);
      let total: Tensor | null = null;
      TAPS.forEach((t, k) => {
        const d = square(sub(unitNormalise(fx.get(t)!), unitNormalise(fy.get(t)!)));
        const w = conv2d(d, this.heads[k].weight, null);
        const layer = mean(w, [2, 3], true);
        total = total ? add(total, layer) : layer;
      });
      return total!;
    });
  }

  #scale(x: Tensor): Tensor {
    const x3 = x.shape[1] === 1 ? expand(x, [x.shape[0], 3, x.shape[2], x.shape[3]]) : x;
    return div(sub(x3, this.scaling_layer.shift), this.scaling_layer.scale);
  }
}

/** x / (‖x‖₂ over channels + 1e-10), as lpips.normalize_tensor. */
function unitNormalise(x: Tensor): Tensor {
  const norm = addScalar(sqrt(sum(mul(x, x), 1, true)), 1e-10);
  return div(x, norm);
}
