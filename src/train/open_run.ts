// openRun(runDir, { checkpoint }): reopens a run directory written by `neurad train` for eval and
// detect: reads RUN/config.json, rebuilds the model (and discriminator) with createModel, loads
// the chosen checkpoint's weights and puts them in eval mode. buildOpened is the part without a
// file system, shared with the `.neurad` model file (src/export/open_model.ts). Every problem is
// one line naming the file (UserError), never a stack trace.

import { join } from "node:path";
import { createModel } from "../models/create_model.ts";
import type { Autoencoder, Discriminator } from "../models/types.ts";
import type { Module } from "../nn/module.ts";
import { UserError } from "../core/errors.ts";
import { SEEDS_FILE } from "./run_dir.ts";
import { type CheckpointContents, readCheckpoint, stateUnder } from "./checkpoint_file.ts";
import { trainDefaults } from "./presets.ts";
import type { RunConfig } from "./run_config.ts";

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
      // A seed study holds runs, one per seed: name the one to use.
      const study = await Deno.stat(join(dir, SEEDS_FILE)).then(() => true, () => false);
      throw new UserError(
        study
          ? `${dir}: a seed study, not one run: give one of its runs (${join(dir, "seed-0")}, ...)`
          : `${dir}: not a run directory (no config.json)`,
      );
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
export function withTrainDefaults(c: RunConfig): void {
  if (c.train && typeof c.train === "object") c.train = { ...trainDefaults(), ...c.train };
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
  return { ...opened, dir: runDir, checkpointPath: path };
}

/** Builds the config's model (and discriminator) with a checkpoint's weights, in eval mode;
 * `misfit` words the error when the weights do not fit. No file system. */
export function buildOpened(
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
