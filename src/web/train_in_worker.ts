// The training tab's work inside the GPU worker: healthy scans dropped into the page are read
// (parseNifti), preprocessed and cut into axial slices exactly as `neurad train` does for the
// `demo` preset (preprocessVolume, axialSlices), and the model is trained with the CLI's own step
// (trainStep: forward, loss, backward, optimiser) for a number of steps, each step's loss sent to
// the page for the live curve and, every few steps, an input/reconstruction pair as a PNG. The
// result exports as a .neurad file (encodeModelFile) that `neurad detect --model` and the page
// open. Fine-tuning starts from a copy of the opened model's weights and config.

import { encode } from "fast-png";
import { noGrad } from "../core/autograd.ts";
import { UserError } from "../core/errors.ts";
import { Tensor } from "../core/tensor.ts";
import { parseNifti } from "../data/nifti/read_nifti.ts";
import { affineSpacing } from "../data/preprocess/resample_spacing.ts";
import { axialSlices } from "../data/preprocess/axial_slices.ts";
import { type PreprocessOptions, preprocessVolume } from "../data/preprocess/preprocess_volume.ts";
import { encodeModelFile, MODEL_FILE_VERSION } from "../export/model_file.ts";
import type { OpenedModel } from "../export/open_model.ts";
import { serializeSafetensors } from "../io/safetensors.ts";
import { manualSeed } from "../kernels/random.ts";
import { createModel } from "../models/create_model.ts";
import type { Autoencoder } from "../models/types.ts";
import type { Module } from "../nn/module.ts";
import { addModuleState, type CheckpointMeta } from "../train/checkpoint_file.ts";
import { trainStep } from "../train/loss_steps.ts";
import { presetConfig } from "../train/presets.ts";
import type { RunConfig } from "../train/run_config.ts";
import { buildOptimizers } from "../train/run_optimizers.ts";
import { batchTensor, epochOrder, type ImageStack } from "../train/train_data.ts";
import { NEURAD_VERSION } from "../util/version.ts";
import type { TrainRequest } from "./worker_protocol.ts";

/** Steps between two sample reconstructions sent to the page. */
const SAMPLE_EVERY = 5;

export interface StepReport {
  step: number;
  total: number;
  loss: number;
  terms: Record<string, number>;
  samplePng?: Uint8Array;
}

/** The slices of the dropped scans, preprocessed as the config says; one line per bad file. */
export function sliceStack(
  scans: { fileName: string; bytes: Uint8Array }[],
  config: RunConfig,
): ImageStack {
  if (scans.length === 0) throw new UserError("no healthy scans: drop some into the Train tab");
  const [C, H, W] = config.data.sliceShape;
  if (C !== 1) {
    throw new UserError(`${config.model.name}: trains on ${C}-channel images, not scans`);
  }
  const parts: Float32Array[] = [];
  const groups: number[][] = [];
  let n = 0;
  for (const s of scans) {
    const vol = parseNifti(s.bytes, s.fileName, true, true);
    for (let i = 0; i < vol.data.length; i++) if (!Number.isFinite(vol.data[i])) vol.data[i] = 0;
    const pre = preprocessVolume(vol, null, config.data.preprocess as PreprocessOptions);
    const [w, h] = pre.image.dims;
    if (w !== W || h !== H) {
      throw new UserError(
        `${s.fileName}: preprocessing gives ${h}×${w} slices, the model takes ${H}×${W}`,
      );
    }
    const st = axialSlices(pre);
    if (st.images.length === 0) {
      throw new UserError(`${s.fileName}: no axial slice holds 1 % brain (empty scan?)`);
    }
    const k = st.images.length / (H * W);
    groups.push(Array.from({ length: k }, (_, i) => n + i));
    parts.push(st.images);
    n += k;
  }
  const images = new Float32Array(n * H * W);
  let o = 0;
  for (const p of parts) {
    images.set(p, o);
    o += p.length;
  }
  return { images, N: n, H, W, groups };
}

/** The voxel size the dropped scans share (mm), recorded in the config for detect; one line if
 * they differ by more than 5 %. */
export function sharedSpacing(scans: { fileName: string; bytes: Uint8Array }[]): number[] {
  let first: { name: string; s: number[] } | null = null;
  for (const s of scans) {
    const sp = affineSpacing(parseNifti(s.bytes, s.fileName, true, true).affine);
    if (!first) first = { name: s.fileName, s: sp };
    else if (sp.some((v, a) => Math.abs(v / first!.s[a] - 1) > 0.05)) {
      throw new UserError(
        `${s.fileName}: voxels of ${
          sp.map((v) => +v.toFixed(3)).join("×")
        } mm, but ${first.name} ` +
          `has ${first.s.map((v) => +v.toFixed(3)).join("×")} mm: train on scans of one voxel size`,
      );
    }
  }
  return first!.s.map((v) => +v.toFixed(4));
}

/** A grey PNG of an input slice beside its reconstruction (rows flipped: anterior up). */
function samplePng(x: Float32Array, r: Float32Array, H: number, W: number): Uint8Array {
  const out = new Uint8Array(H * 2 * W);
  const g = (v: number) => Math.round(255 * Math.min(1, Math.max(0, v)));
  for (let y = 0; y < H; y++) {
    for (let i = 0; i < W; i++) {
      out[(H - 1 - y) * 2 * W + i] = g(x[y * W + i]);
      out[(H - 1 - y) * 2 * W + W + i] = g(r[y * W + i]);
    }
  }
  return encode({ width: 2 * W, height: H, data: out, channels: 1 });
}

export class TrainSession {
  readonly config: RunConfig;
  readonly model: Module & Autoencoder;
  #data: ImageStack;
  #opt: ReturnType<typeof buildOptimizers>["opt"];
  #steps: number;
  #step = 0;
  #epoch = 0;

  constructor(req: TrainRequest, base: OpenedModel | null) {
    const config: RunConfig = base ? structuredClone(base.config) : presetConfig("demo");
    config.train.seed = req.seed;
    const spacing = sharedSpacing(req.scans);
    const pre = config.data.preprocess as Record<string, unknown>;
    if (!base && spacing.some((v) => Math.abs(v - 1) > 0.05)) pre.spacing = spacing;
    this.#data = sliceStack(req.scans, config);
    manualSeed(req.seed);
    this.model = createModel<Module & Autoencoder>(config.model.name, config.model.options);
    try {
      if (base) {
        const state = (base.model as unknown as Module).stateDict();
        this.model.loadStateDict(state);
      }
      this.model.train();
      this.#opt = buildOptimizers(config.train, this.model).opt;
    } catch (e) {
      this.model.dispose();
      throw e;
    }
    this.config = config;
    this.#steps = req.steps > 0 ? req.steps : config.train.epochs *
      Math.ceil(this.#data.N / config.train.batchSize);
  }

  /** Runs the steps; `report` sees each one. Stops between steps when `signal` aborts. */
  async run(
    signal: AbortSignal,
    report: (r: StepReport) => void,
  ): Promise<{ steps: number; losses: number[] }> {
    const t = this.config.train, d = this.#data, [C] = this.config.data.sliceShape;
    const losses: number[] = [];
    let order: number[] = [], at = 0;
    for (let s = 0; s < this.#steps; s++) {
      if (signal.aborted) throw signal.reason;
      if (at >= order.length) {
        order = epochOrder(d, "all-slices", t.seed, this.#epoch++);
        at = 0;
      }
      const idx = order.slice(at, at + t.batchSize);
      at += idx.length;
      const x = batchTensor(d, idx, C);
      const terms = trainStep({ model: this.model, opt: this.#opt }, t, x, this.#step, this.#epoch);
      x.dispose();
      this.#step++;
      const names = Object.keys(terms);
      const vals = await Tensor.toArrays(names.map((k) => terms[k]));
      for (const k of names) terms[k].dispose();
      const tv: Record<string, number> = {};
      names.forEach((k, i) => (tv[k] = vals[i][0]));
      losses.push(tv.loss);
      const r: StepReport = { step: s + 1, total: this.#steps, loss: tv.loss, terms: tv };
      if ((s + 1) % SAMPLE_EVERY === 0 || s + 1 === this.#steps) r.samplePng = await this.#sample();
      report(r);
    }
    return { steps: this.#steps, losses };
  }

  async #sample(): Promise<Uint8Array> {
    const d = this.#data, [C] = this.config.data.sliceShape;
    const mid = d.groups[0][Math.floor(d.groups[0].length / 2)];
    const x = batchTensor(d, [mid], C);
    this.model.eval();
    const r = noGrad(() => this.model.reconstruct(x));
    this.model.train();
    const [rv] = await Tensor.toArrays([r]);
    x.dispose();
    r.dispose();
    const hw = d.H * d.W;
    return samplePng(d.images.subarray(mid * hw, (mid + 1) * hw), rv as Float32Array, d.H, d.W);
  }

  /** The trained model as a .neurad file (no thresholds: `neurad eval` calibrates those). */
  async exportModel(fileName: string): Promise<Uint8Array> {
    const tensors = new Map<string, import("../io/safetensors.ts").HostTensor>();
    await addModuleState(tensors, this.model, "model.");
    const meta: CheckpointMeta = {
      format: "neurad-checkpoint-1",
      model: this.config.model.name,
      step: this.#step,
      epoch: this.#epoch,
      batchInEpoch: 0,
      rng: {},
      dataHash: "",
      neuradVersion: NEURAD_VERSION,
    };
    return encodeModelFile({
      version: MODEL_FILE_VERSION,
      config: this.config,
      weights: serializeSafetensors(tensors, { neurad: JSON.stringify(meta) }),
      thresholds: null,
      checkpoint: "last",
      meta: {
        neuradVersion: NEURAD_VERSION,
        exportedAt: new Date().toISOString(),
        run: fileName.replace(/\.neurad$/i, ""),
        step: this.#step,
        epoch: this.#epoch,
      },
    });
  }

  dispose(): void {
    this.#opt.dispose();
    this.model.dispose();
  }
}
