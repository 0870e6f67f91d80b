// chandru25-perceptual: the second study's random multi-scale perceptual network (Chandru 2025;
// docs/models.md), used for its training loss L_perc = mse(φ(x̂), φ(x)). branch1 = 3 × [conv 3×3 p1 +
// BN + ReLU] 3→64→128→256, branch2 the same with 5×5 p2, residual = conv 1×1 3→256;
// φ = branch1 + branch2 + residual. It is never trained: its weights are PyTorch's default
// initialisation drawn from `seed` (deterministic; the global RNG stream is restored after),
// its parameters do not require gradients (gradients still flow to the input), and its BN
// always normalises with the batch statistics (the study left it in training mode), so
// train()/eval() do not change it and it keeps no running statistics.

import type { Tensor } from "../../core/tensor.ts";
import { tidy } from "../../core/scope.ts";
import { add } from "../../kernels/binary.ts";
import { getRngState, manualSeed, setRngState } from "../../kernels/random.ts";
import { Conv2d } from "../../nn/conv2d.ts";
import { Module } from "../../nn/module.ts";
import type { StudyMode } from "../types.ts";
import { ConvBnRelu } from "./blocks.ts";
import { Sequential } from "../../nn/sequential.ts";
import type { IncompatibleKeys, LoadStateDictOptions } from "../../nn/module.ts";
import {
  checkOptionNames,
  type CommonModelOptions,
  intOption,
  resolveMode,
  resolveWidth,
  scaleChannels,
} from "../model_options.ts";

const NAME = "chandru25-perceptual";

/** Both modes use the same network; widthMultiplier scales the 64/128/256 channels. */
export interface Chandru25PerceptualOptions extends CommonModelOptions {
  /** Seed of the random weights. Default 0. */
  seed?: number;
}

export class Chandru25Perceptual extends Module {
  readonly mode: StudyMode;
  readonly seed: number;
  readonly outChannels: number;
  readonly branch1: Sequential;
  readonly branch2: Sequential;
  readonly residual: Conv2d;

  constructor(o: Chandru25PerceptualOptions = {}) {
    super();
    checkOptionNames(NAME, o, ["seed"]);
    this.mode = resolveMode(NAME, o.mode);
    this.seed = intOption(NAME, "seed", o.seed, 0, 0, 2 ** 31 - 1);
    const m = resolveWidth(NAME, o.widthMultiplier);
    const [c1, c2, c3] = [64, 128, 256].map((c) => scaleChannels(c, m));
    this.outChannels = c3;
    const saved = getRngState();
    manualSeed(this.seed);
    const bn = { trackRunningStats: false };
    const branch = (k: number) =>
      new Sequential([
        new ConvBnRelu(3, c1, k, bn),
        new ConvBnRelu(c1, c2, k, bn),
        new ConvBnRelu(c2, c3, k, bn),
      ]);
    this.branch1 = branch(3);
    this.branch2 = branch(5);
    this.residual = new Conv2d(3, c3, 1);
    setRngState(saved);
    this.requiresGrad_(false);
  }

  /** Loads weights and keeps them frozen. */
  override loadStateDict(
    state: Map<string, Tensor>,
    opts: boolean | LoadStateDictOptions = {},
  ): IncompatibleKeys {
    const result = super.loadStateDict(state, opts);
    this.requiresGrad_(false);
    return result;
  }

  /** φ(x): [N, 3, H, W] → [N, 256, H, W]. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== 3) {
      throw new Error(`neurad: ${NAME} expects [N, 3, H, W], got ${x}`);
    }
    return tidy(() =>
      add(add(this.branch1.forward(x), this.branch2.forward(x)), this.residual.forward(x))
    );
  }
}
