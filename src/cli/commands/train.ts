// `neurad train --preset NAME --data DIR [--out RUN] [--faithful] [--config FILE.json]
// [--<config field> VALUE] [--steps N] [--save-every N] [--resume RUN] [--dry-run]`: resolves the
// run config (preset → JSON → flags), prints and saves it, and trains into the run directory
// (src/train/trainer.ts). --resume continues RUN from checkpoints/last with RUN/config.json.

import type { CommandSpec, ParsedArgs } from "../command.ts";
import { getDevice } from "../../core/device.ts";
import { createModel } from "../../models/create_model.ts";
import type { Module } from "../../nn/module.ts";
import { UserError } from "../../core/errors.ts";
import { resolveUserPath } from "../parse_args.ts";
import { PRESET_NAMES } from "../../train/presets.ts";
import { applyFlags, resolveConfig, validateConfig } from "../../train/resolve_config.ts";
import { readRunConfig } from "../../train/open_run.ts";
import type { RunConfig } from "../../train/run_config.ts";
import { loadTrainData } from "../../train/train_data.ts";
import { train } from "../../train/trainer.ts";

async function exists(p: string): Promise<boolean> {
  return await Deno.stat(p).then(() => true, () => false);
}

/** The config of this invocation (fresh or resumed); flags override either. */
async function configFor(
  args: ParsedArgs,
): Promise<{ config: RunConfig; out: string; resume: boolean }> {
  const f = args.flags;
  const extra = { ...args.extra };
  if (f.steps !== undefined) extra["train.steps"] = String(f.steps);
  if (f["save-every"] !== undefined) extra["train.saveEvery"] = String(f["save-every"]);
  if (f["lpips-weights"] !== undefined) {
    // Comma-separated files (trunk, heads), each resolved from the user's directory.
    extra["train.lpipsWeights"] = String(f["lpips-weights"]).split(",").filter(Boolean)
      .map(resolveUserPath).join(",");
  }
  if (typeof f.resume === "string") {
    const run = f.resume;
    if (!(await exists(`${run}/checkpoints/last.safetensors`))) {
      throw new UserError(`--resume: ${run} has no checkpoints/last.safetensors to resume from`);
    }
    const config = validateConfig(applyFlags(await readRunConfig(run), extra));
    return { config, out: run, resume: true };
  }
  if (typeof f.preset !== "string") throw new UserError("--preset: required (or --resume RUN)");
  if (typeof f.data !== "string") throw new UserError("--data: required (the dataset folder)");
  const config = await resolveConfig({
    preset: f.preset,
    faithful: f.faithful === true,
    configFile: typeof f.config === "string" ? f.config : undefined,
    dataDir: f.data,
    extra,
  });
  const out = typeof f.out === "string" ? f.out : resolveUserPath(`runs/${f.preset}`);
  if (await exists(`${out}/checkpoints/last.safetensors`)) {
    throw new UserError(`--out: ${out} already holds a run (continue it with --resume ${out})`);
  }
  return { config, out, resume: false };
}

/** "name (mode): N parameters" and the count of each top-level block, without running it. */
function modelSummary(name: string, options: Record<string, unknown>): string {
  const m = createModel<Module>(name, options);
  const fmt = (n: number) => n.toLocaleString("en");
  const blocks = new Map<string, number>();
  let total = 0;
  for (const [k, p] of m.namedParameters()) {
    const top = k.split(".")[0];
    blocks.set(top, (blocks.get(top) ?? 0) + p.size);
    total += p.size;
  }
  m.dispose();
  const lines = [...blocks].map(([k, n]) => `  ${k.padEnd(28)} ${fmt(n).padStart(12)}`);
  return [`model ${name} (${options.mode ?? "corrected"}): ${fmt(total)} parameters`, ...lines]
    .join("\n");
}

export const trainCommand: CommandSpec = {
  name: "train",
  summary: "train a study model (presets of both studies, demo) into a run directory",
  description: `Presets: ${PRESET_NAMES.join(", ")}.
Every config field can be set with --<dotted.name> VALUE (e.g. --train.lr 1e-3,
--model.options.latentDim 64) or a unique bare name (--lr 1e-3). The resolved config is printed
and saved to RUN/config.json; RUN/log.jsonl, RUN/samples/ and RUN/checkpoints/ follow.`,
  flags: {
    preset: { type: "string", choices: PRESET_NAMES, metavar: "NAME", help: "training preset" },
    data: {
      type: "path",
      metavar: "DIR",
      help: "dataset folder (NIfTI layout or 2D class folders)",
    },
    out: { type: "path", short: "o", metavar: "RUN", help: "run directory (default runs/PRESET)" },
    faithful: { type: "boolean", help: "reproduce the study's code as run (default: corrected)" },
    config: { type: "path", metavar: "FILE", help: "JSON config merged over the preset" },
    steps: { type: "integer", min: 1, metavar: "N", help: "stop after N optimiser steps" },
    "save-every": { type: "integer", min: 1, metavar: "N", help: "checkpoint every N steps" },
    "lpips-weights": {
      type: "string",
      metavar: "TRUNK,HEADS",
      help: "LPIPS weights files, comma-separated (VQGAN perceptual term; docs/weights.md)",
    },
    resume: { type: "path", metavar: "RUN", help: "continue RUN from its last checkpoint" },
    "dry-run": { type: "boolean", help: "print the config, model summary and data found; exit" },
    quiet: { type: "boolean", short: "q", help: "no progress bar" },
  },
  allowExtraFlags: true,
  async run(args) {
    const { config, out, resume } = await configFor(args);
    console.log(JSON.stringify(config, null, 2));
    if (args.flags["dry-run"]) {
      await getDevice();
      for (const ref of [config.model, config.discriminator, config.perceptual]) {
        if (ref) console.log(modelSummary(ref.name, ref.options));
      }
      const d = await loadTrainData(config.data, args.flags.quiet === true);
      console.log(
        `data ${config.data.dir}: ${d.train.N} training images (${d.train.groups.length} volumes), ` +
          `${d.val.N} validation images, ${d.shape.join("×")}`,
      );
      return 0;
    }
    const r = await train(config, { outDir: out, resume, quiet: args.flags.quiet === true });
    console.log(
      `trained ${out}: step ${r.step}, epoch ${r.epoch}, best validation loss ${
        r.bestValLoss.toPrecision(4)
      }, ${r.seconds.toFixed(1)} s`,
    );
    return 0;
  },
};
