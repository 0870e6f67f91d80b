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
import { Module } from "../../nn/module.ts";
import { Vgg16Features } from "./vgg16_features.ts";

const TAPS = ["relu1_2", "relu2_2", "relu3_3", "relu4_3", "relu5_3"] as const;

class LinHead extends Module {
  constructor(channels: number) {
    super();
    const inner = new (class extends Module {
      constructor() {
        super();
        const w = Tensor.from(new Float32Array(channels).fill(1 / channels), [1, channels, 1, 1]);
        this.registerParameter("weight", w);
      }
    })();
    const model = new (class extends Module {
      constructor() {
        super();
        this.registerModule("1", inner);
      }
    })();
    this.registerModule("model", model);
  }
  get weight(): Tensor {
    return this.stateDict().get("model.1.weight")!;
  }
}

export interface LpipsOptions {
  widthMultiplier?: number;
}

export class Lpips extends Module {
  readonly net: Vgg16Features;
  readonly heads: LinHead[] = [];

  constructor(o: LpipsOptions = {}) {
    super();
    this.net = this.registerModule("net", new Vgg16Features({ ...o, upTo: "relu5_3" }));
    const chans = this.net.features.convs;
    const width = (i: number) => chans.get(i)!.outChannels;
    // relu1_2 ← conv index 2, relu2_2 ← 7, relu3_3 ← 14, relu4_3 ← 21, relu5_3 ← 28.
    [2, 7, 14, 21, 28].forEach((ci, k) => {
      this.heads.push(this.registerModule(`lin${k}`, new LinHead(width(ci))));
    });
    this.registerBuffer("scaling_layer.shift", Tensor.from([-0.030, -0.088, -0.188], [1, 3, 1, 1]));
    this.registerBuffer("scaling_layer.scale", Tensor.from([0.458, 0.448, 0.450], [1, 3, 1, 1]));
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
    return div(sub(x3, this.tensor("scaling_layer.shift")), this.tensor("scaling_layer.scale"));
  }
}

/** x / (‖x‖₂ over channels + 1e-10), as lpips.normalize_tensor. */
function unitNormalise(x: Tensor): Tensor {
  const norm = addScalar(sqrt(sum(mul(x, x), 1, true)), 1e-10);
  return div(x, norm);
}
