/**
 * neurad's application: unsupervised anomaly detection in brain MRI on the engine (src/mod.ts).
 * Data (NIfTI, layouts, preprocessing, splits, the demo cohort), the two studies' models, weights
 * in and out, training runs, evaluation, detection on one scan and the report, for programmatic
 * use; the CLI (src/cli/main.ts) is a thin layer over these.
 *
 * @example
 * ```ts
 * import { getDevice } from "./src/mod.ts";
 * import { detectScan, openRun } from "./src/app.ts";
 * await getDevice();
 * const run = await openRun("runs/demo");
 * const thresholds = JSON.parse(await Deno.readTextFile("runs/demo/thresholds.json")); // neurad eval
 * await Deno.mkdir("out", { recursive: true });
 * const result = await detectScan(run, "scan.nii.gz", "out", thresholds);
 * console.log(result.verdict);
 * ```
 * @module
 */

// MRI data: NIfTI I/O, dataset layouts, preprocessing, splits, demo cohort (src/data).
export * from "./data/mod.ts";

// Models by name (createModel registry), the model interfaces, and the first study's models.
export { createModel, modelNames } from "./models/create_model.ts";
export type {
  Autoencoder,
  AutoencoderOutput,
  Discriminator,
  ModelFactory,
  StudyMode,
} from "./models/types.ts";
export { type CommonModelOptions } from "./models/model_options.ts";
export { Reddipalli22Vae, type Reddipalli22VaeOptions } from "./models/reddipalli22/vae.ts";
export { Reddipalli22Vqvae, type Reddipalli22VqvaeOptions } from "./models/reddipalli22/vqvae.ts";
export { Reddipalli22Vqgan, type Reddipalli22VqganOptions } from "./models/reddipalli22/vqgan.ts";
export {
  Reddipalli22PatchGan,
  type Reddipalli22PatchGanOptions,
} from "./models/reddipalli22/patchgan.ts";
// VQGAN / PatchGAN building blocks (taming-transformers names): blocks.ResnetBlock, ...
export * as blocks from "./models/blocks/mod.ts";
export { vqganKeyFromStudy, vqganStudyKeys } from "./models/reddipalli22/study_keys.ts";
// The second study's models (Chandru 2025): EMA VQGAN, discriminator, perceptual net, DCGAN.
export {
  CHANDRU25_MODELS,
  Chandru25Dcgan,
  Chandru25DcganDiscriminator,
  Chandru25Discriminator,
  Chandru25Perceptual,
  Chandru25Vqgan,
  StudyEmaQuantizer,
} from "./models/chandru25/registry.ts";
// Weights in and out: PyTorch .pth/.ckpt (restricted reader), loadWeights, perceptual networks.
export { readPth, type ReadPthOptions } from "./io/pth/read_pth.ts";
export {
  loadLpipsWeights,
  loadWeights,
  type LoadWeightsOptions,
  readWeights,
} from "./io/load_weights.ts";
export { VGG16_TAPS, Vgg16Features } from "./models/perceptual/vgg16_features.ts";
export { Lpips } from "./models/perceptual/lpips.ts";
export { missingWeightsError, PERCEPTUAL_WEIGHTS } from "./models/perceptual/registry.ts";

// Training runs: presets, configuration, the trainer and opening a finished run.
export { PRESET_NAMES, presetConfig, type PresetName } from "./train/presets.ts";
export { resolveConfig, type ResolveOptions } from "./train/resolve_config.ts";
export type { RunConfig } from "./train/run_config.ts";
export { train, type TrainOptions, type TrainResult } from "./train/trainer.ts";
export { type OpenedRun, openRun, type OpenRunOptions } from "./train/open_run.ts";

// Evaluation (metrics exact to scikit-learn/SciPy, post-processing, the studies' protocols),
// detection on one scan, the report.
export * as metrics from "./eval/mod.ts";
export { type EvalOptions, type EvalOutput, runEval } from "./eval/run_eval.ts";
export { type DetectResult, detectScan } from "./detect/detect_scan.ts";
export {
  detectVolume,
  type DetectVolumeOptions,
  type DetectVolumeOutput,
} from "./detect/detect_volume.ts";
export type { EvalResult } from "./report/eval_result.ts";
export { buildReport, writeReport } from "./report/write_report.ts";
export { type DemoOptions, type DemoOutcome, runDemo } from "./demo/run_demo.ts";
