/**
 * Opening and writing `.neurad` model files (src/export/model_file.ts) as runs: openModelBytes
 * builds the model of a file's config with its weights in eval mode, with no file system (the
 * browser page's Worker runs it), and returns it with the thresholds eval stored; modelFileParts
 * and exportModelFile gather a run directory's config, thresholds and checkpoint into one file.
 * This sits above train (checkpoints, openRun) and eval (the stored thresholds), which is why it
 * is not in either.
 * @module
 */

import { basename, join } from "node:path";
import { UserError } from "../core/errors.ts";
import { storedCheckpointName, type StoredThresholds } from "../eval/stored_thresholds.ts";
import { type HostTensor, parseSafetensors, serializeSafetensors } from "../io/safetensors.ts";
import { type CheckpointMeta, readCheckpoint } from "../train/checkpoint_file.ts";
import {
  buildOpened,
  type OpenedRun,
  readRunConfig,
  withTrainDefaults,
} from "../train/open_run.ts";
import { NEURAD_VERSION } from "../util/version.ts";
import {
  decodeModelFile,
  encodeModelFile,
  MODEL_FILE_VERSION,
  type ModelFileParts,
} from "./model_file.ts";

/** A model opened from a `.neurad` file: the run's model and the thresholds eval stored. */
export interface OpenedModel extends OpenedRun {
  /** RUN/thresholds.json as eval stored it; null when the run was never evaluated. */
  thresholds: StoredThresholds | null;
}

/**
 * Opens a `.neurad` model file from its bytes (no file system: runs in a browser Worker):
 * checks the file (model_file.ts), builds the config's model and loads the weights in
 * eval mode. A config createModel refuses or weights that do not fit the model (missing or
 * unexpected keys, wrong shapes) are one line naming `fileName`.
 */
export function openModelBytes(bytes: Uint8Array, fileName: string): Promise<OpenedModel> {
  return new Promise((resolve) => resolve(openModelBytesNow(bytes, fileName)));
}

function openModelBytesNow(bytes: Uint8Array, fileName: string): OpenedModel {
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
