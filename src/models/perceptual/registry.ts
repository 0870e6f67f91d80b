// The perceptual networks by name: `vgg16-features` (torchvision VGG16 `features`) and `lpips`
// (VGG16 trunk + LPIPS heads). Their weights come only from files the user supplies
// (`loadWeights`, src/io/load_weights.ts); `PERCEPTUAL_WEIGHTS` says which file and which flag.

import type { Module } from "../../nn/module.ts";
import { Lpips } from "./lpips.ts";
import { Vgg16Features } from "./vgg16_features.ts";

export const PERCEPTUAL_MODELS: Record<string, (o: Record<string, unknown>) => Module> = {
  "vgg16-features": (o) => {
    for (const k of Object.keys(o)) {
      if (!["upTo", "widthMultiplier", "mode"].includes(k)) {
        throw new Error(`neurad: vgg16-features: unknown option '${k}'`);
      }
    }
    return new Vgg16Features(o as { upTo?: string; widthMultiplier?: number });
  },
  lpips: (o) => {
    for (const k of Object.keys(o)) {
      if (!["widthMultiplier", "mode"].includes(k)) {
        throw new Error(`neurad: lpips: unknown option '${k}'`);
      }
    }
    return new Lpips(o as { widthMultiplier?: number });
  },
};

/** Where each perceptual network's weights come from, for the one-line "missing" error. */
export const PERCEPTUAL_WEIGHTS: Record<string, { file: string; flag: string }> = {
  "vgg16-features": {
    file: "torchvision's ImageNet VGG16 weights, vgg16-397923af.pth " +
      "(torchvision.models.vgg16(weights='IMAGENET1K_V1'))",
    flag: "--vgg-weights", // neurad eval, 2D runs
  },
  lpips: {
    file: "torchvision's vgg16-397923af.pth (the trunk) and the LPIPS heads vgg.pth (the lpips " +
      "package's lpips/weights/v0.1/vgg.pth), or one file with both (taming's vgg_lpips)",
    flag: "--lpips-weights", // FILE or TRUNK.pth,HEADS.pth
  },
};

/** One-line error when a perceptual network's weights file was not given. */
export function missingWeightsError(model: string): Error {
  const w = PERCEPTUAL_WEIGHTS[model];
  return new Error(
    `${model} needs pretrained weights, which neurad never downloads: get ${w.file} and pass it ` +
      `with ${w.flag} FILE`,
  );
}
