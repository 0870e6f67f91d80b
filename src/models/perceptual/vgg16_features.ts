// `vgg16-features`: torchvision's VGG16 `features` stack (13 conv 3×3 + ReLU, 5 max-pools) with
// torchvision's key names (`features.N.weight`), so `vgg16-397923af.pth` loads as is. It can stop
// at any named tap — `conv3_3` (before its ReLU: the second study's test score), `relu3_3`, ... —
// and return several taps at once (LPIPS reads relu1_2, relu2_2, relu3_3, relu4_3, relu5_3).
// `widthMultiplier` scales channels (tests only: real weights need width 1).

import { conv2d } from "../../kernels/conv2d.ts";
import { maxPool2d } from "../../kernels/pool2d.ts";
import { relu } from "../../kernels/unary.ts";
import type { Tensor } from "../../core/tensor.ts";
import { Conv2d } from "../../nn/conv2d.ts";
import { Module } from "../../nn/module.ts";
import { resolveWidth } from "../model_options.ts";

/** torchvision's `cfgs["D"]`: channels of each conv, "M" for a 2×2 max-pool. */
const CFG: (number | "M")[] = [
  64,
  64,
  "M",
  128,
  128,
  "M",
  256,
  256,
  256,
  "M",
  512,
  512,
  512,
  "M",
  512,
  512,
  512,
  "M",
];

/** The layer names of the stack in order: conv1_1, relu1_1, ..., pool5. */
export const VGG16_TAPS: readonly string[] = (() => {
  const names: string[] = [];
  let block = 1, conv = 1;
  for (const v of CFG) {
    if (v === "M") {
      names.push(`pool${block}`);
      block++;
      conv = 1;
    } else {
      names.push(`conv${block}_${conv}`, `relu${block}_${conv}`);
      conv++;
    }
  }
  return names;
})();

class FeatureStack extends Module {
  constructor(readonly convs: Map<number, Conv2d>) {
    super();
    for (const [i, c] of convs) this.registerModule(String(i), c);
  }
}

export interface Vgg16FeaturesOptions {
  /** The last layer computed (and returned by forward); default "relu5_3". */
  upTo?: string;
  widthMultiplier?: number;
}

export class Vgg16Features extends Module {
  readonly upTo: string;
  readonly features: FeatureStack;

  constructor(o: Vgg16FeaturesOptions = {}) {
    super();
    this.upTo = o.upTo ?? "relu5_3";
    if (!VGG16_TAPS.includes(this.upTo)) {
      throw new Error(`neurad: vgg16-features: upTo must be one of ${VGG16_TAPS.join(", ")}`);
    }
    const m = resolveWidth("vgg16-features", o.widthMultiplier);
    const convs = new Map<number, Conv2d>();
    let c = 3, index = 0;
    const last = VGG16_TAPS.indexOf(this.upTo);
    let tap = 0;
    for (const v of CFG) {
      if (tap > last) break;
      if (v === "M") {
        index++;
        tap++;
        continue;
      }
      const out = Math.max(1, Math.round(v * m));
      convs.set(index, new Conv2d(c, out, 3, { padding: 1 }));
      c = out;
      index += 2;
      tap += 2;
    }
    this.features = new FeatureStack(convs);
  }

  /** The output at `upTo`. */
  forward(x: Tensor): Tensor {
    return this.taps(x, [this.upTo]).get(this.upTo)!;
  }

  /** Outputs at several named layers (each at most `upTo`); the caller disposes them. */
  taps(x: Tensor, names: readonly string[]): Map<string, Tensor> {
    const want = new Set(names);
    for (const n of names) {
      if (VGG16_TAPS.indexOf(n) < 0 || VGG16_TAPS.indexOf(n) > VGG16_TAPS.indexOf(this.upTo)) {
        throw new Error(`neurad: vgg16-features: tap ${n} is not computed (upTo ${this.upTo})`);
      }
    }
    const out = new Map<string, Tensor>();
    let h = x, index = 0, tap = 0;
    const step = (next: Tensor, name: string) => {
      if (want.has(name)) out.set(name, next);
      if (h !== x && !out.has(nameOf(h))) h.dispose();
      h = next;
      names_.set(next, name);
    };
    const names_ = new Map<Tensor, string>();
    const nameOf = (t: Tensor) => names_.get(t) ?? "";
    const lastTap = Math.max(...names.map((n) => VGG16_TAPS.indexOf(n)));
    for (const v of CFG) {
      if (tap > lastTap) break;
      if (v === "M") {
        step(maxPool2d(h, 2, 2), VGG16_TAPS[tap]);
        index++;
        tap++;
        continue;
      }
      const conv = this.features.convs.get(index)!;
      step(conv2d(h, conv.weight, conv.bias, { padding: 1 }), VGG16_TAPS[tap]);
      if (tap + 1 > lastTap) break;
      step(relu(h), VGG16_TAPS[tap + 1]);
      index += 2;
      tap += 2;
    }
    if (h !== x && !out.has(nameOf(h))) h.dispose();
    return out;
  }
}
