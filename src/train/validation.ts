// The end-of-epoch evaluation of a run: the mean validation loss over the validation images and
// the sample panel, both in eval mode on their own seeded GPU RNG streams (the training stream
// is saved and restored around them, so they never change what training draws next).

import { noGrad } from "../core/autograd.ts";
import { tidy } from "../core/scope.ts";
import { Tensor } from "../core/tensor.ts";
import { getRngState, setRngState } from "../kernels/random.ts";
import { cat, reshape } from "../kernels/movement.ts";
import type { Autoencoder } from "../models/types.ts";
import { validationLoss } from "./loss_steps.ts";
import type { RunConfig } from "./run_config.ts";
import { writePanel } from "./sample_panel.ts";
import { batchTensor, type TrainData } from "./train_data.ts";

/** Mean validation loss over the validation images (eval mode, own RNG stream, restored). */
export async function validate(model: Autoencoder, data: TrainData, config: RunConfig) {
  if (data.val.N === 0) return NaN;
  const saved = getRngState();
  setRngState({ seed: config.train.seed + 0x5eed, offset: 0 });
  model.eval();
  const bs = config.train.batchSize;
  const parts: Tensor[] = [];
  for (let i = 0; i < data.val.N; i += bs) {
    const idx = Array.from({ length: Math.min(bs, data.val.N - i) }, (_, j) => i + j);
    const x = batchTensor(data.val, idx, data.shape[0]);
    const l = validationLoss(model, x);
    parts.push(tidy(() => noGrad(() => reshape(l, [1]))));
    l.dispose();
    x.dispose();
  }
  const all = tidy(() => cat(parts, 0));
  const v = await all.toArray();
  all.dispose();
  for (const p of parts) p.dispose();
  model.train();
  setRngState(saved);
  // Weighted by batch size.
  let s = 0;
  for (let i = 0, b = 0; i < data.val.N; i += bs, b++) s += v[b] * Math.min(bs, data.val.N - i);
  return s / data.val.N;
}

/** Writes the panel of 4 evenly spaced validation images (training images without any). */
export async function samples(
  path: string,
  model: Autoencoder,
  data: TrainData,
  config: RunConfig,
) {
  const n = Math.min(4, data.val.N || data.train.N);
  const src = data.val.N ? data.val : data.train;
  const saved = getRngState();
  setRngState({ seed: config.train.seed + 0x5a3e, offset: 0 });
  model.eval();
  // Evenly spaced images (NIfTI validation stacks run bottom to top within each subject).
  const idx = Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * src.N) / n));
  const x = batchTensor(src, idx, data.shape[0]);
  const r = noGrad(() => model.reconstruct(x));
  const [xs, rs] = await Tensor.toArrays([x, r]);
  x.dispose();
  r.dispose();
  model.train();
  setRngState(saved);
  const range: [number, number] = config.data.kind === "images2d" ? [-1, 1] : [0, 1];
  await writePanel(path, xs as Float32Array, rs as Float32Array, x.shape, range);
}
