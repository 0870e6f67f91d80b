// loadWeights(module, file): fills a model from a weights file — safetensors (neurad's own
// checkpoints or any safetensors state dict) or a PyTorch .pth/.pt/.ckpt read by the restricted
// reader (src/io/pth/) — with `prefix` / `key` to pick a nested state dict and strict key checks.
// Integer tensors (BatchNorm's num_batches_tracked) are cast to the model's dtype.

import { UserError } from "../core/errors.ts";
import type { IncompatibleKeys, Module } from "../nn/module.ts";
import { Tensor } from "../core/tensor.ts";
import { type HostTensor, readSafetensors } from "./safetensors.ts";
import { readPth } from "./pth/read_pth.ts";

export interface LoadWeightsOptions {
  /** Keep names starting with this prefix and strip it ("model."). */
  prefix?: string;
  /** .pth: dotted path of the nested dict ("state_dict" is found by itself). */
  key?: string;
  /**
   * Require every model key and no extra ones (default true). With false, what matches is
   * loaded and the missing and unexpected keys are returned (torch's strict=False).
   */
  strict?: boolean;
  /**
   * Strict, except that missing BatchNorm `num_batches_tracked` buffers are tolerated (old
   * PyTorch checkpoints predate them); they keep the model's value.
   */
  allowMissingNumBatchesTracked?: boolean;
  /** Rename keys (e.g. torchvision `features.N` → `net.features.N`) before loading. */
  rename?: (key: string) => string;
}

/** Reads a weights file into host tensors by dotted name. */
export async function readWeights(
  path: string,
  o: Pick<LoadWeightsOptions, "prefix" | "key"> = {},
): Promise<Map<string, HostTensor>> {
  if (/\.safetensors$/i.test(path)) {
    const { tensors } = await readSafetensors(path);
    if (!o.prefix) return tensors;
    const out = new Map<string, HostTensor>();
    for (const [k, t] of tensors) if (k.startsWith(o.prefix)) out.set(k.slice(o.prefix.length), t);
    return out;
  }
  if (/\.(pth|pt|ckpt|bin)$/i.test(path)) return await readPth(path, o);
  throw new UserError(
    `${path}: unknown weights format (expected .safetensors, .pth, .pt or .ckpt)`,
  );
}

/**
 * Loads a weights file into `module` (values copied into its tensors); returns the keys that
 * were missing or unexpected (both empty after a strict load).
 */
export async function loadWeights(
  module: Module,
  path: string,
  o: LoadWeightsOptions = {},
): Promise<IncompatibleKeys> {
  const host = await readWeights(path, o);
  const own = module.stateDict();
  const state = new Map<string, Tensor>();
  try {
    for (const [k0, h] of host) {
      const k = o.rename ? o.rename(k0) : k0;
      const dtype = own.get(k)?.dtype ?? (h.dtype === "F32" ? "f32" : "i32");
      const data = dtype === "f32" ? Float32Array.from(h.data as ArrayLike<number>) : dtype ===
          "i32"
        ? Int32Array.from(h.data as ArrayLike<number>)
        : Uint32Array.from(h.data as ArrayLike<number>);
      state.set(k, Tensor.from(data, h.shape, { dtype }));
    }
    try {
      return module.loadStateDict(state, {
        strict: o.strict ?? true,
        allowMissingNumBatchesTracked: o.allowMissingNumBatchesTracked,
      });
    } catch (e) {
      throw new UserError(`${path}: ${(e as Error).message.replace(/^neurad: /, "")}`);
    }
  } finally {
    for (const t of state.values()) t.dispose();
  }
}

/** The LPIPS weights name used in neurad for a key of torchvision, lpips or taming files. */
function lpipsKey(k: string): string | null {
  if (k.startsWith("features.")) return `net.${k}`; // torchvision vgg16
  const slice = k.match(/^net\.slice\d\.(\d+)\.(weight|bias)$/); // taming's vgg16 slices
  if (slice) return `net.features.${slice[1]}.${slice[2]}`;
  if (/^(lin\d\.model\.1\.weight|net\.features\.\d+\.(weight|bias))$/.test(k)) return k;
  if (/^scaling_layer\.(shift|scale)$/.test(k)) return k;
  return null; // classifier.*, anything else: not part of LPIPS
}

/** Loads LPIPS from one or more files (comma-separated: trunk and heads); every key required. */
export async function loadLpipsWeights(module: Module, paths: string) {
  const files = paths.split(",").filter(Boolean);
  const state = new Map<string, Tensor>();
  const own = module.stateDict();
  try {
    for (const f of files) {
      for (const [k0, h] of await readWeights(f)) {
        const k = lpipsKey(k0);
        if (!k || !own.has(k)) continue;
        state.set(k, Tensor.from(Float32Array.from(h.data as ArrayLike<number>), h.shape));
      }
    }
    const missing = [...own.keys()].filter((k) => !state.has(k) && !k.startsWith("scaling_layer"));
    if (missing.length) {
      throw new UserError(
        `${paths}: LPIPS weights incomplete: missing ${missing.slice(0, 4).join(", ")}` +
          `${
            missing.length > 4 ? ` (+${missing.length - 4})` : ""
          }; pass the trunk and the heads ` +
          "as --lpips-weights TRUNK.pth,HEADS.pth",
      );
    }
    let loaded: IncompatibleKeys;
    try {
      loaded = module.loadStateDict(state, { strict: false });
    } catch (e) {
      throw new UserError(`${paths}: ${(e as Error).message.replace(/^neurad: /, "")}`);
    }
    // Only the fixed input scaling may come from the model itself (its constants are LPIPS's).
    const unfilled = loaded.missingKeys.filter((k) => !k.startsWith("scaling_layer"));
    if (unfilled.length) throw new UserError(`${paths}: LPIPS weights missing ${unfilled[0]}`);
  } finally {
    for (const t of state.values()) t.dispose();
  }
}
