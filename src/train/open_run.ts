// openRun(runDir, { checkpoint }): reopens a run directory written by `neurad train` for eval and
// detect: reads RUN/config.json, rebuilds the model (and discriminator) with createModel, loads
// the chosen checkpoint's weights and puts them in eval mode. openModelBytes does the same from
// the bytes of a `.neurad` model file (src/io/model_file.ts) with no file system, so a browser
// Worker can run it; exportModelFile writes such a file from a run. Every problem is one line
// naming the file (UserError), never a stack trace.

import { basename, join } from "node:path";
import { createModel } from "../models/create_model.ts";
import type { Autoencoder, Discriminator } from "../models/types.ts";
import type { Module } from "../nn/module.ts";
import { UserError } from "../core/errors.ts";
import {
  type CheckpointContents,
  type CheckpointMeta,
  readCheckpoint,
  stateUnder,
} from "./checkpoint_file.ts";
import { trainDefaults } from "./presets.ts";
import type { RunConfig } from "./run_config.ts";
import { storedCheckpointName, type StoredThresholds } from "../eval/stored_thresholds.ts";
import { decodeModelFile, encodeModelFile, MODEL_FILE_VERSION } from "../io/model_file.ts";
import type { ModelFileParts } from "../io/model_file.ts";
import { type HostTensor, parseSafetensors, serializeSafetensors } from "../io/safetensors.ts";
import { NEURAD_VERSION } from "../util/version.ts";

export interface OpenedRun {
  config: RunConfig;
  model: Autoencoder;
  discriminator?: Discriminator;
  /** The run directory (a model file: its name). */
  dir: string;
  /** The checkpoint file loaded, and its step/epoch (a model file: NAME.neurad#checkpoints/
   * best.safetensors, so storedCheckpointName names it too). */
  checkpointPath: string;
  step: number;
  epoch: number;
  /** What eval stored (RUN/thresholds.json, or the model file's copy); null when the run was
   * never evaluated or the file cannot be read. */
  thresholds?: StoredThresholds | null;
}

export interface OpenRunOptions {
  /** "best" (by validation loss; falls back to "last" when the run has no best yet). */
  checkpoint?: "best" | "last";
}

/** Reads and minimally validates RUN/config.json. */
export async function readRunConfig(dir: string): Promise<RunConfig> {
  const path = join(dir, "config.json");
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UserError(`${dir}: not a run directory (no config.json)`);
    }
    throw new UserError(`${path}: cannot read (${(e as Error).message})`);
  }
  let c: RunConfig;
  try {
    c = JSON.parse(text);
  } catch {
    throw new UserError(`${path}: not valid JSON (corrupt run config)`);
  }
  if (
    !c || typeof c !== "object" || typeof c.model?.name !== "string" ||
    typeof c.model.options !== "object" || !Array.isArray(c.data?.sliceShape)
  ) {
    throw new UserError(`${path}: not a neurad run config (model or data.sliceShape missing)`);
  }
  // Fields added to the training config since the run started take their defaults.
  withTrainDefaults(c);
  return c;
}

/** Fields added to the training config since the run started take their defaults. */
function withTrainDefaults(c: RunConfig): void {
  if (c.train && typeof c.train === "object") c.train = { ...trainDefaults(), ...c.train };
}

/** RUN/thresholds.json, or null when eval has not written one (or it cannot be parsed). */
async function readThresholdsLenient(dir: string): Promise<StoredThresholds | null> {
  try {
    return JSON.parse(await Deno.readTextFile(join(dir, "thresholds.json")));
  } catch {
    return null;
  }
}

/** Loads `prefix`-keyed weights of a checkpoint into `m`; a mismatch is one line. */
export function loadInto(
  m: Module,
  c: CheckpointContents,
  prefix: string,
  path: string,
  misfit = "checkpoint does not fit the run's model",
) {
  const state = stateUnder(c, prefix, path);
  try {
    if (state.size === 0) {
      throw new Error(`no '${prefix}' tensors`);
    }
    m.loadStateDict(state);
  } catch (e) {
    const msg = (e as Error).message.replace(/^neurad: /, "").split("\n")[0];
    throw new UserError(`${path}: ${misfit} (${msg})`);
  } finally {
    for (const t of state.values()) t.dispose();
  }
}

/** Opens a run for evaluation: config, model (eval mode) and discriminator from a checkpoint. */
export async function openRun(runDir: string, opts: OpenRunOptions = {}): Promise<OpenedRun> {
  const config = await readRunConfig(runDir);
  const which = opts.checkpoint ?? "best";
  let path = join(runDir, "checkpoints", `${which}.safetensors`);
  if (which === "best") {
    try {
      await Deno.stat(path);
    } catch {
      path = join(runDir, "checkpoints", "last.safetensors");
    }
  }
  try {
    await Deno.stat(path);
  } catch {
    throw new UserError(`${runDir}: the run has no checkpoint yet (${path} missing)`);
  }
  const ckpt = await readCheckpoint(path);
  const opened = buildOpened(config, ckpt, path, join(runDir, "config.json"));
  return {
    ...opened,
    dir: runDir,
    checkpointPath: path,
    thresholds: await readThresholdsLenient(runDir),
  };
}

/** Builds the config's model (and discriminator) with a checkpoint's weights, in eval mode. */
function buildOpened(
  config: RunConfig,
  ckpt: CheckpointContents,
  path: string,
  configSource: string,
  misfit?: string,
): Pick<OpenedRun, "config" | "model" | "discriminator" | "step" | "epoch"> {
  if (ckpt.meta.model !== config.model.name) {
    throw new UserError(
      `${path}: checkpoint of model '${ckpt.meta.model}', but the run config says '${config.model.name}'`,
    );
  }
  let model: Autoencoder;
  try {
    model = createModel<Module & Autoencoder>(config.model.name, config.model.options);
  } catch (e) {
    throw new UserError(`${configSource}: ${(e as Error).message.replace(/^neurad: /, "")}`);
  }
  let discriminator: Discriminator | undefined;
  try {
    loadInto(model, ckpt, "model.", path, misfit);
    if (config.discriminator) {
      try {
        discriminator = createModel<Module & Discriminator>(
          config.discriminator.name,
          config.discriminator.options,
        );
      } catch (e) {
        throw new UserError(`${configSource}: ${(e as Error).message.replace(/^neurad: /, "")}`);
      }
      loadInto(discriminator, ckpt, "disc.", path, misfit);
      discriminator.eval();
    }
  } catch (e) {
    model.dispose();
    discriminator?.dispose();
    throw e;
  }
  model.eval();
  return { config, model, discriminator, step: ckpt.meta.step, epoch: ckpt.meta.epoch };
}

/**
 * Opens a `.neurad` model file from its bytes (no file system: runs in a browser Worker):
 * checks the file (src/io/model_file.ts), builds the config's model and loads the weights in
 * eval mode. A config createModel refuses or weights that do not fit the model (missing or
 * unexpected keys, wrong shapes) are one line naming `fileName`.
 */
export function openModelBytes(bytes: Uint8Array, fileName: string): Promise<OpenedRun> {
  return new Promise((resolve) => resolve(openModelBytesNow(bytes, fileName)));
}

function openModelBytesNow(bytes: Uint8Array, fileName: string): OpenedRun {
  const parts = decodeModelFile(bytes, fileName);
  const config = parts.config;
  withTrainDefaults(config);
  let parsed: ReturnType<typeof parseSafetensors>;
  try {
    parsed = parseSafetensors(parts.weights, fileName);
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0].replace(`${fileName}: `, "");
    throw new UserError(`${fileName}: corrupt model file (weights: ${msg})`);
  }
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(parsed.metadata.neurad ?? "");
  } catch {
    meta = {
      format: "neurad-checkpoint-1",
      model: config.model.name,
      step: parts.meta?.step ?? 0,
      epoch: parts.meta?.epoch ?? 0,
      batchInEpoch: 0,
      rng: {},
      dataHash: "",
      neuradVersion: parts.meta?.neuradVersion ?? "",
    };
  }
  const opened = buildOpened(
    config,
    { meta, tensors: parsed.tensors },
    fileName,
    `${fileName}: run config`,
    "weights do not fit the model of its run config",
  );
  return {
    ...opened,
    dir: fileName,
    checkpointPath: `${fileName}#checkpoints/${parts.checkpoint}.safetensors`,
    thresholds: parts.thresholds,
  };
}

export interface ExportModelOptions {
  /** Which weights (default: the checkpoint RUN/thresholds.json was calibrated on, else best;
   * best falls back to last when the run has no best yet, as openRun does). */
  checkpoint?: "best" | "last";
  /** Time stamp of the export (tests fix it). */
  now?: Date;
}

/**
 * What a model file of `runDir` holds: config, the checkpoint's model (and discriminator)
 * weights without optimiser state, RUN/thresholds.json and which checkpoint it is. Reads files;
 * builds no model.
 */
export async function modelFileParts(
  runDir: string,
  opts: ExportModelOptions = {},
): Promise<ModelFileParts> {
  const config = await readRunConfig(runDir);
  const thresholdsPath = join(runDir, "thresholds.json");
  let thresholds: StoredThresholds | null = null;
  let text: string | null = null;
  try {
    text = await Deno.readTextFile(thresholdsPath);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new UserError(`${thresholdsPath}: cannot read (${(e as Error).message})`);
    }
  }
  if (text !== null) {
    try {
      thresholds = JSON.parse(text);
    } catch {
      throw new UserError(`${thresholdsPath}: not valid JSON (re-run neurad eval)`);
    }
    if (!thresholds || typeof thresholds.threshold !== "number") {
      throw new UserError(`${thresholdsPath}: no pixel threshold (re-run neurad eval)`);
    }
  }
  const calibrated = thresholds ? storedCheckpointName(thresholds) : undefined;
  let which = opts.checkpoint ?? calibrated ?? "best";
  let path = join(runDir, "checkpoints", `${which}.safetensors`);
  if (which === "best" && !(await exists(path))) {
    which = "last";
    path = join(runDir, "checkpoints", "last.safetensors");
  }
  if (!(await exists(path))) {
    throw new UserError(`${runDir}: the run has no checkpoint yet (${path} missing)`);
  }
  const ckpt = await readCheckpoint(path);
  if (ckpt.meta.model !== config.model.name) {
    throw new UserError(
      `${path}: checkpoint of model '${ckpt.meta.model}', but the run config says '${config.model.name}'`,
    );
  }
  const kept = new Map<string, HostTensor>();
  for (const [k, t] of ckpt.tensors) {
    if (k.startsWith("model.") || k.startsWith("disc.")) kept.set(k, t);
  }
  const { extra: _extra, rng: _rng, ...meta } = ckpt.meta;
  return {
    version: MODEL_FILE_VERSION,
    config,
    weights: serializeSafetensors(kept, { neurad: JSON.stringify({ ...meta, rng: {} }) }),
    thresholds,
    checkpoint: which,
    meta: {
      neuradVersion: NEURAD_VERSION,
      exportedAt: (opts.now ?? new Date()).toISOString(),
      run: basename(runDir),
      step: ckpt.meta.step,
      epoch: ckpt.meta.epoch,
    },
  };
}

/** The bytes of a `.neurad` model file of `runDir` (see modelFileParts). */
export async function exportModelFile(
  runDir: string,
  opts: ExportModelOptions = {},
): Promise<Uint8Array> {
  return encodeModelFile(await modelFileParts(runDir, opts));
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
