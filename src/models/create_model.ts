// createModel(name, options): the one place models are built by name (presets, run configs,
// checkpoints). The registry is the merge of per-study registry files; adding a study's models
// is one import and one spread line below.

import type { Module } from "../nn/module.ts";
import type { ModelFactory } from "./types.ts";
import { reddipalli22Models } from "./reddipalli22/registry.ts";
import { CHANDRU25_MODELS } from "./chandru25/registry.ts";
import { PERCEPTUAL_MODELS } from "./perceptual/registry.ts";

const REGISTRY: Record<string, ModelFactory> = {
  ...reddipalli22Models,
  ...CHANDRU25_MODELS,
  ...PERCEPTUAL_MODELS,
};

/** The registered model names, sorted. */
export function modelNames(): string[] {
  return Object.keys(REGISTRY).sort();
}

/**
 * Builds the model registered under `name` (e.g. "reddipalli22-vae") with `options`
 * (`{ mode?, widthMultiplier?, ...its own }`). Unknown names and bad options throw one line.
 */
export function createModel<M extends Module = Module>(
  name: string,
  options: Record<string, unknown> = {},
): M {
  const factory = Object.hasOwn(REGISTRY, name) ? REGISTRY[name] : undefined;
  if (!factory) {
    throw new Error(`neurad: unknown model '${name}' (known: ${modelNames().join(", ")})`);
  }
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new Error(`neurad: ${name}: options must be an object`);
  }
  return factory(options) as M;
}
