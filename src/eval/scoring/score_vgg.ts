// The VGG16 network of the second study's test score: torchvision's `features` up to conv3_3
// (before its ReLU), in eval mode. Weights come from the file the user passes (`--vgg-weights`,
// the formats of loadWeights: torchvision's vgg16-397923af.pth or any file with `features.N.*`
// keys; the rest of the file is ignored, every needed key is required). Without a file the
// network is a seeded random one (PyTorch's default init), and the caller must say so.

import { readWeights } from "../../io/load_weights.ts";
import { manualSeed } from "../../kernels/random.ts";
import { Vgg16Features } from "../../models/perceptual/vgg16_features.ts";
import { Tensor } from "../../core/tensor.ts";
import { UserError } from "../../core/errors.ts";

export interface ScoreVgg {
  vgg: Vgg16Features;
  /** "FILE" when loaded, or "random (seed S)". */
  source: string;
  random: boolean;
}

/** Builds V; `widthMultiplier` < 1 is for tests and quick runs (real weights are full width). */
export async function openScoreVgg(
  o: { weights?: string; seed?: number; widthMultiplier?: number } = {},
): Promise<ScoreVgg> {
  const seed = o.seed ?? 0;
  manualSeed(seed);
  const vgg = new Vgg16Features({ upTo: "conv3_3", widthMultiplier: o.widthMultiplier });
  vgg.requiresGrad_(false);
  vgg.eval();
  if (!o.weights) return { vgg, source: `random (seed ${seed})`, random: true };
  const own = vgg.stateDict();
  const state = new Map<string, Tensor>();
  try {
    const host = await readWeights(o.weights);
    const missing = [...own.keys()].filter((k) => !host.has(k));
    if (missing.length) {
      throw new UserError(
        `${o.weights}: --vgg-weights: not VGG16 features weights (missing ${
          missing.slice(0, 3).join(", ")
        }${missing.length > 3 ? ` +${missing.length - 3}` : ""}; expected torchvision's ` +
          "vgg16-397923af.pth keys features.N.weight/bias)",
      );
    }
    for (const k of own.keys()) {
      const h = host.get(k)!;
      state.set(k, Tensor.from(Float32Array.from(h.data as ArrayLike<number>), h.shape));
    }
    try {
      vgg.loadStateDict(state);
    } catch (e) {
      throw new UserError(
        `${o.weights}: --vgg-weights: ${(e as Error).message.replace(/^neurad: /, "")}`,
      );
    }
  } catch (e) {
    vgg.dispose();
    throw e;
  } finally {
    for (const t of state.values()) t.dispose();
  }
  return { vgg, source: o.weights, random: false };
}
