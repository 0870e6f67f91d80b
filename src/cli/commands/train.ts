// `neurad train --preset NAME --data DIR [--out RUN] [--faithful] [--config FILE.json]
// [--<config field> VALUE] [--steps N] [--save-every N] [--seeds S,S,...] [--resume RUN |
// --overwrite] [--dry-run]`: resolves the run config (preset → JSON → flags), prints and saves it,
// and trains into the run directory (src/train/trainer.ts). --resume continues RUN from
// checkpoints/last with RUN/config.json; an --out that holds a run is refused unless --overwrite
// starts it over. --seeds trains the preset once per training seed into RUN/seed-N with the
// study's manifest RUN/seeds.json (src/train/seed_study.ts); --resume RUN continues its seeds.
// Ctrl-C / SIGTERM save a resumable checkpoint and exit 130 / 143. --dry-run adds the steps, the
// measured time per step on this adapter and the time to the end (src/train/estimate.ts).

import { join } from "node:path";
import { type Args, bool, choice, defineCommand, int, path, pathList, str } from "../command.ts";
import { deviceInfo, getDevice } from "../../core/device.ts";
import { createModel } from "../../models/create_model.ts";
import type { Module } from "../../nn/module.ts";
import { UserError } from "../../core/errors.ts";
import { resolveUserPath } from "../user_path.ts";
import { PRESET_NAMES } from "../../train/presets.ts";
import { applyFlags, resolveConfig, validateConfig } from "../../train/resolve_config.ts";
import { readRunConfig } from "../../train/open_run.ts";
import type { RunConfig } from "../../train/run_config.ts";
import { loadTrainData } from "../../train/train_data.ts";
import { train } from "../../train/trainer.ts";
import { describeEstimate, estimateRun } from "../../train/estimate.ts";
import { SIGNAL_EXIT_CODE } from "../../train/interrupt.ts";
import { refuseExistingRun } from "../../train/run_dir.ts";
import {
  parseSeeds,
  readSeedStudy,
  resumeSeedStudy,
  type SeedStudyResult,
  trainSeedStudy,
} from "../../train/seed_study.ts";

const FLAGS = {
  preset: choice(PRESET_NAMES, {
    metavar: "NAME",
    required: { unless: "resume" },
    help: "training preset",
  }),
  data: path({
    metavar: "DIR",
    exists: "folder",
    required: { unless: "resume" },
    help: "dataset folder: NIfTI layout or 2D class folders",
  }),
  out: path({ short: "o", metavar: "RUN", help: "run directory (default runs/PRESET)" }),
  faithful: bool({
    default: false,
    help: "reproduce the study's code as run (default: corrected)",
  }),
  config: path({ metavar: "FILE", exists: "file", help: "JSON config merged over the preset" }),
  steps: int({ min: 1, metavar: "N", help: "stop after N optimiser steps" }),
  "save-every": int({ min: 1, metavar: "N", help: "checkpoint every N steps" }),
  "lpips-weights": pathList({
    metavar: "TRUNK,HEADS",
    exists: "file",
    help: "LPIPS weights files, comma-separated (VQGAN perceptual term; docs/weights.md)",
  }),
  seeds: str({
    metavar: "S,S,...",
    help: "train once per training seed into RUN/seed-S (a seed study, RUN/seeds.json; the " +
      "split is the same for every seed); neurad eval --run RUN gives mean ± std over seeds",
  }),
  resume: path({
    metavar: "RUN",
    help: "continue RUN from its last checkpoint (a seed study: every seed not done)",
  }),
  overwrite: bool({
    default: false,
    help: "start over when --out holds a run (its checkpoints, log and samples are removed)",
  }),
  "dry-run": bool({
    default: false,
    help: "print the config, model summary, data, steps and time per step on this adapter; exit",
  }),
  quiet: bool({ short: "q", default: false, help: "no progress bar" }),
};

type TrainArgs = Args<typeof FLAGS, Record<never, never>>;

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);
const lastCheckpoint = (run: string) => join(run, "checkpoints", "last.safetensors");

/** The config-field overrides of this invocation: extra flags and the shorthand flags. */
function trainOverrides(a: TrainArgs, overrides: Record<string, string>): Record<string, string> {
  const extra = { ...overrides };
  if (a.steps !== undefined) extra["train.steps"] = String(a.steps);
  if (a["save-every"] !== undefined) extra["train.saveEvery"] = String(a["save-every"]);
  if (a["lpips-weights"] !== undefined) extra["train.lpipsWeights"] = a["lpips-weights"].join(",");
  return extra;
}

/** The exit status of a seed study and its one-line summary. */
function studyExit(s: SeedStudyResult, out: string): number {
  if (s.stopped) return SIGNAL_EXIT_CODE[s.stopped]; // the study said what is left
  const runs = s.manifest.runs.map((r) => `seed ${r.seed} step ${r.step ?? "?"}`).join(", ");
  const seconds = s.trained.reduce((t, x) => t + x.result.seconds, 0);
  console.log(
    `trained seed study ${out}: ${runs}; ${seconds.toFixed(1)} s; ` +
      `evaluate with neurad eval --run ${out}`,
  );
  return 0;
}

/** The config of this invocation (fresh or resumed); flags override either. */
async function configFor(
  a: TrainArgs,
  overrides: Record<string, string>,
): Promise<{ config: RunConfig; out: string; resume: boolean }> {
  const extra = trainOverrides(a, overrides);
  if (a.resume !== undefined) {
    if (a.overwrite) {
      throw new UserError("--overwrite: not with --resume (which continues the run)");
    }
    if (!(await exists(lastCheckpoint(a.resume)))) {
      throw new UserError(
        `--resume: ${a.resume} has no checkpoints/last.safetensors to resume from`,
      );
    }
    const config = validateConfig(applyFlags(await readRunConfig(a.resume), extra));
    return { config, out: a.resume, resume: true };
  }
  const config = await resolveConfig({
    preset: a.preset,
    faithful: a.faithful,
    configFile: a.config,
    dataDir: a.data,
    extra,
  });
  const out = a.out ?? resolveUserPath(join("runs", a.preset));
  // A seed study checks its folder itself (src/train/seed_study.ts).
  if (!a.overwrite && !a["dry-run"] && a.seeds === undefined) await refuseExistingRun(out);
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

export const trainCommand = defineCommand({
  name: "train",
  summary: "train a study model (presets of both studies, demo) into a run directory",
  gpu: true,
  description: `Presets: ${PRESET_NAMES.join(", ")}.
Every config field can be set with --<dotted.name> VALUE (e.g. --train.lr 1e-3,
--model.options.latentDim 64) or a unique bare name (--lr 1e-3). The resolved config is printed
and saved to RUN/config.json; RUN/log.jsonl, RUN/samples/ and RUN/checkpoints/ follow.`,
  flags: FLAGS,
  extraFlags: {
    usage: "--<config.field> VALUE",
    help: "any config field, by dotted or unique bare name (see above)",
  },
  async run(a, overrides) {
    const seeds = a.seeds === undefined ? undefined : parseSeeds(a.seeds);
    if (seeds && a.resume !== undefined) {
      throw new UserError("--seeds: not with --resume (the study's seeds are in RUN/seeds.json)");
    }
    if (seeds && ("seed" in overrides || "train.seed" in overrides)) {
      throw new UserError("--seeds: not with --train.seed (each seed run gets its own)");
    }
    if (a.resume !== undefined && await readSeedStudy(a.resume)) {
      if (a.overwrite) {
        throw new UserError("--overwrite: not with --resume (which continues the run)");
      }
      const study = await resumeSeedStudy(a.resume, trainOverrides(a, overrides), {
        quiet: a.quiet,
        signals: true,
      });
      return studyExit(study, a.resume);
    }
    const { config, out, resume } = await configFor(a, overrides);
    console.log(JSON.stringify(config, null, 2));
    if (a["dry-run"]) {
      await getDevice();
      for (const ref of [config.model, config.discriminator, config.perceptual]) {
        if (ref) console.log(modelSummary(ref.name, ref.options));
      }
      const d = await loadTrainData(config.data, a.quiet);
      console.log(
        `data ${config.data.dir}: ${d.train.N} training images (${d.train.groups.length} volumes), ` +
          `${d.val.N} validation images, ${d.shape.join("×")}`,
      );
      const estimate = await estimateRun(config, d);
      const lines = describeEstimate(estimate, config.train.batchSize, deviceInfo().description);
      for (const line of lines) console.log(line);
      for (const w of estimate.warnings) console.error(`warning: ${w}`);
      if (seeds) console.log(`seeds ${seeds.join(", ")}: ${seeds.length} runs like this one`);
      return 0;
    }
    if (seeds) {
      const study = await trainSeedStudy(config, seeds, {
        outDir: out,
        overwrite: a.overwrite,
        quiet: a.quiet,
        signals: true,
      });
      return studyExit(study, out);
    }
    const r = await train(config, {
      outDir: out,
      resume,
      overwrite: a.overwrite,
      quiet: a.quiet,
      signals: true,
    });
    if (r.stopped) return SIGNAL_EXIT_CODE[r.stopped]; // the trainer said where it saved
    console.log(
      `trained ${out}: step ${r.step}, epoch ${r.epoch}, best validation loss ${
        r.bestValLoss.toPrecision(4)
      }, ${r.seconds.toFixed(1)} s`,
    );
    return 0;
  },
});
