// The training and validation images of a run, on the host: NIfTI datasets through loadSlices
// (healthy subjects of the train / val splits of the seeded manifest) or 2D class folders
// through loadImages2D (healthy images only), checked against the config's slice shape; a hash
// of the training images (saved in checkpoints, so a resume on other data is refused); and the
// per-epoch sampler (a pure function of seed and epoch, so a resumed run draws the same batches).

import { loadImages2D } from "../data/image2d/load_images2d.ts";
import { loadSlices } from "../data/load_slices.ts";
import { hashU32, Prng } from "../core/prng.ts";
import { UserError } from "../core/errors.ts";
import { Tensor } from "../core/tensor.ts";
import type { DataConfig, Sampling } from "./run_config.ts";
import { preprocessCacheDir } from "../data/cache_dir.ts";

/** A stack of single-channel images [N, H, W]; `groups` lists image indices per volume. */
export interface ImageStack {
  images: Float32Array;
  N: number;
  H: number;
  W: number;
  groups: number[][];
}

export interface TrainData {
  train: ImageStack;
  val: ImageStack;
  /** The model's input [C, H, W]; single-channel images are replicated to C channels. */
  shape: [number, number, number];
  /** sha256 of the training images' bytes (hex, 16 chars). */
  hash: string;
}

function grouped(ids: string[]): number[][] {
  const m = new Map<string, number[]>();
  ids.forEach((id, i) => (m.get(id) ?? m.set(id, []).get(id)!).push(i));
  return [...m.values()];
}

function capped(s: ImageStack, max: number): ImageStack {
  if (!max || s.N <= max) return s;
  // Evenly spaced, deterministic subset.
  const pick = Array.from({ length: max }, (_, i) => Math.floor((i * s.N) / max));
  const hw = s.H * s.W;
  const images = new Float32Array(max * hw);
  pick.forEach((j, i) => images.set(s.images.subarray(j * hw, (j + 1) * hw), i * hw));
  return { images, N: max, H: s.H, W: s.W, groups: pick.map((_, i) => [i]) };
}

/** Loads a run's data and checks it fits `data.sliceShape`. */
export async function loadTrainData(d: DataConfig, quiet = false): Promise<TrainData> {
  const [C, H, W] = d.sliceShape;
  let train: ImageStack, val: ImageStack;
  if (d.kind === "nifti") {
    const common = {
      seed: d.splitSeed,
      preprocess: d.preprocess,
      cacheDir: preprocessCacheDir(d.cacheDir),
      masksDir: d.masksDir || undefined,
      cohort: "healthy" as const,
      quiet,
    };
    const tr = await loadSlices(d.dir, { ...common, split: "train" });
    const va = await loadSlices(d.dir, { ...common, split: "val" });
    if (tr.H !== H || tr.W !== W || C !== 1) {
      throw new UserError(
        `${d.dir}: the data gives 1×${tr.H}×${tr.W} slices but the config's data.sliceShape is ` +
          `${C}×${H}×${W} (the model is built for it)`,
      );
    }
    train = { images: tr.images, N: tr.N, H, W, groups: grouped(tr.subjectIds) };
    val = { images: va.images, N: va.N, H, W, groups: grouped(va.subjectIds) };
  } else {
    if (H !== W) {
      throw new UserError(`--data.sliceShape: 2D images are square, got ${H}×${W}`);
    }
    const load = async (split: "train" | "val") => {
      const s = await loadImages2D(d.dir, { size: H, split, seed: d.splitSeed });
      const keep = s.healthy.map((h, i) => (h ? i : -1)).filter((i) => i >= 0);
      const hw = H * W;
      const images = new Float32Array(keep.length * hw);
      keep.forEach((j, i) => images.set(s.images.subarray(j * hw, (j + 1) * hw), i * hw));
      return { images, N: keep.length, H, W, groups: keep.map((_, i) => [i]) };
    };
    train = await load("train");
    val = await load("val");
  }
  if (train.N === 0) {
    throw new UserError(`${d.dir}: no healthy training images in the train split`);
  }
  val = capped(val, d.maxValImages);
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new Uint8Array(
      train.images.buffer as ArrayBuffer,
      train.images.byteOffset,
      train.images.byteLength,
    ),
  );
  const hash = [...new Uint8Array(digest)].slice(0, 8).map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  return { train, val, shape: [C, H, W], hash };
}

/** The image indices of one epoch, in order: a pure function of (seed, epoch, sampling). */
export function epochOrder(
  s: ImageStack,
  sampling: Sampling,
  seed: number,
  epoch: number,
): number[] {
  const rng = new Prng(hashU32(seed >>> 0, epoch));
  if (sampling === "random-slice-per-volume") {
    const picks = s.groups.map((g) => g[Math.floor(rng.next() * g.length)]);
    return rng.shuffle(picks);
  }
  return rng.shuffle(Array.from({ length: s.N }, (_, i) => i));
}

/** Number of batches in one epoch (the last may be partial). */
export function batchesPerEpoch(s: ImageStack, sampling: Sampling, batchSize: number): number {
  const n = sampling === "random-slice-per-volume" ? s.groups.length : s.N;
  return Math.ceil(n / batchSize);
}

/** Uploads images `idx` of `s` as an [n, C, H, W] tensor (channels replicated). */
export function batchTensor(s: ImageStack, idx: readonly number[], C: number): Tensor {
  const hw = s.H * s.W;
  const out = new Float32Array(idx.length * C * hw);
  idx.forEach((j, i) => {
    const img = s.images.subarray(j * hw, (j + 1) * hw);
    for (let c = 0; c < C; c++) out.set(img, (i * C + c) * hw);
  });
  return Tensor.from(out, [idx.length, C, s.H, s.W]);
}
