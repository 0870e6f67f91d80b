// A seed study: one preset trained once per training seed, so that a metric's spread over seeds
// can be set beside a claimed difference between models (results at realistic budgets swing with
// the seed). `neurad train --seeds 0,1,2 --out RUN` trains RUN/seed-0, RUN/seed-1, ..., each a
// normal, resumable run directory whose config differs only in train.seed (the subject split,
// data.splitSeed, is the same for every seed: the spread is the training's alone), and keeps the
// study's manifest RUN/seeds.json (format, preset, seeds, the base config, each seed's status).
// The seeds train one after another; a stop (Ctrl-C / SIGTERM) ends the study after the current
// seed saved its checkpoint, and `--resume RUN` continues every seed not done: a seed with a
// checkpoint resumes exactly, one without starts (over). `neurad eval --run RUN` reads the
// manifest and evaluates each seed (src/eval/seed_eval.ts).

import { join } from "node:path";
import { UserError } from "../core/errors.ts";
import { writeTextFileAtomic } from "../util/atomic_write.ts";
import type { StopSignal } from "./interrupt.ts";
import { readRunConfig } from "./open_run.ts";
import { applyFlags, validateConfig } from "./resolve_config.ts";
import { clearRun, runEntries, SEEDS_FILE } from "./run_dir.ts";
import type { RunConfig } from "./run_config.ts";
import { train, type TrainOptions, type TrainResult } from "./trainer.ts";

/** The manifest's file name inside a study folder. */
export { SEEDS_FILE };

export type SeedStatus = "not started" | "training" | "interrupted" | "done";

export interface SeedRunEntry {
  seed: number;
  /** The seed's run directory, relative to the study folder (seed-N). */
  dir: string;
  status: SeedStatus;
  /** Optimiser steps done and training seconds (this seed's last invocation), once it stopped. */
  step?: number;
  seconds?: number;
}

export interface SeedStudyManifest {
  format: "neurad-seed-study";
  version: 1;
  preset: string;
  mode: RunConfig["mode"];
  seeds: number[];
  /** The config every seed trains with, train.seed aside (a not-started seed starts from it). */
  config: RunConfig;
  runs: SeedRunEntry[];
}

/** The run directory of one seed. */
export const seedDirName = (seed: number) => `seed-${seed}`;

/** `0,1,2` → [0, 1, 2]: distinct non-negative integers below 2^32, in the order given. */
export function parseSeeds(raw: string): number[] {
  const items = raw.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) {
    throw new UserError(`--seeds: expected integers separated by commas, got "${raw}"`);
  }
  const seeds = items.map((s) => {
    const n = Number(s);
    if (!/^\d+$/.test(s) || !Number.isSafeInteger(n) || n > 2 ** 32 - 1) {
      throw new UserError(`--seeds: "${s}" is not an integer from 0 to ${2 ** 32 - 1}`);
    }
    return n;
  });
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw new UserError(`--seeds: seed ${dup} is given twice`);
  return seeds;
}

/** The study's manifest, or null when `dir` holds none (a plain run, or nothing). */
export async function readSeedStudy(dir: string): Promise<SeedStudyManifest | null> {
  const path = join(dir, SEEDS_FILE);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return null;
    throw new UserError(`${path}: cannot read (${(e as Error).message})`);
  }
  let m: SeedStudyManifest;
  try {
    m = JSON.parse(text);
  } catch {
    throw new UserError(`${path}: not valid JSON (corrupt seed study manifest)`);
  }
  if (
    m?.format !== "neurad-seed-study" || !Array.isArray(m.seeds) || !Array.isArray(m.runs) ||
    m.runs.length !== m.seeds.length || typeof m.config?.model?.name !== "string" ||
    m.runs.some((r, i) => r.seed !== m.seeds[i] || r.dir !== seedDirName(r.seed))
  ) {
    throw new UserError(`${path}: not a neurad seed study manifest (format, seeds or runs)`);
  }
  return m;
}

async function writeManifest(dir: string, m: SeedStudyManifest): Promise<void> {
  await writeTextFileAtomic(join(dir, SEEDS_FILE), JSON.stringify(m, null, 2) + "\n");
}

/** `config` with this training seed (everything else, the split seed included, unchanged). */
export function withSeed(config: RunConfig, seed: number): RunConfig {
  return { ...config, train: { ...config.train, seed } };
}

export interface SeedStudyOptions
  extends Pick<TrainOptions, "quiet" | "write" | "signals" | "progressInterval" | "stop"> {
  /** The study folder (RUN). */
  outDir: string;
  /** Replace what `outDir` holds (an earlier study's seed runs, or a single run). */
  overwrite?: boolean;
  /** The trainer (tests may wrap it). */
  train?: typeof train;
}

export interface SeedStudyResult {
  manifest: SeedStudyManifest;
  /** Each seed trained by this invocation, in order. */
  trained: { seed: number; result: TrainResult }[];
  /** Set when a signal stopped the study (the seed it stopped in is `interrupted`). */
  stopped?: StopSignal;
}

/**
 * Starts a seed study in `o.outDir`: refuses a folder holding a study or a run unless
 * `o.overwrite` (which clears them first), writes the manifest, then trains every seed.
 */
export async function trainSeedStudy(
  config: RunConfig,
  seeds: number[],
  o: SeedStudyOptions,
): Promise<SeedStudyResult> {
  if (seeds.length === 0) throw new UserError("--seeds: no seed given");
  const old = await readSeedStudy(o.outDir);
  const single = await runEntries(o.outDir);
  if (!o.overwrite && (old || single.length)) {
    throw new UserError(
      `--out: ${o.outDir} already holds ${old ? "a seed study (seeds.json)" : "a run"}; ` +
        `continue it with --resume ${o.outDir} or start over with --overwrite`,
    );
  }
  if (o.overwrite) {
    // The old study's seed runs go entirely, including seeds the new study does not train.
    for (const r of old?.runs ?? []) await clearRun(join(o.outDir, r.dir));
    if (single.length) await clearRun(o.outDir);
  }
  await Deno.mkdir(o.outDir, { recursive: true });
  const manifest: SeedStudyManifest = {
    format: "neurad-seed-study",
    version: 1,
    preset: config.preset,
    mode: config.mode,
    seeds,
    config,
    runs: seeds.map((seed) => ({ seed, dir: seedDirName(seed), status: "not started" })),
  };
  await writeManifest(o.outDir, manifest);
  return await trainSeeds(manifest, {}, { ...o, overwrite: true });
}

/**
 * Continues the study in `dir`: seeds marked done are kept as they are; a seed with a
 * checkpoint resumes exactly (its own config.json, with `overrides`); the others start from the
 * manifest's config (with `overrides`), over anything a kill left before their first checkpoint.
 */
export async function resumeSeedStudy(
  dir: string,
  overrides: Record<string, string>,
  o: Omit<SeedStudyOptions, "outDir" | "overwrite">,
): Promise<SeedStudyResult> {
  const manifest = await readSeedStudy(dir);
  if (!manifest) throw new UserError(`--resume: ${dir} holds no seed study (${SEEDS_FILE})`);
  return await trainSeeds(manifest, overrides, { ...o, outDir: dir, overwrite: true });
}

/** Trains the manifest's seeds that are not done, in order, keeping the manifest current. */
async function trainSeeds(
  manifest: SeedStudyManifest,
  overrides: Record<string, string>,
  o: SeedStudyOptions,
): Promise<SeedStudyResult> {
  const write = o.write ?? ((s: string) => console.error(s));
  const run = o.train ?? train;
  const trained: SeedStudyResult["trained"] = [];
  for (const entry of manifest.runs) {
    if (entry.status === "done") continue;
    const runDir = join(o.outDir, entry.dir);
    const hasCheckpoint = await Deno.stat(join(runDir, "checkpoints", "last.safetensors")).then(
      () => true,
      () => false,
    );
    const base = hasCheckpoint
      ? await readRunConfig(runDir)
      : withSeed(manifest.config, entry.seed);
    const config = validateConfig(applyFlags(base, overrides));
    if (config.train.seed !== entry.seed) {
      throw new UserError(
        `${join(runDir, "config.json")}: train.seed is ${config.train.seed}, the study's ` +
          `${SEEDS_FILE} says ${entry.seed}`,
      );
    }
    write(
      `seed ${entry.seed} (${manifest.runs.indexOf(entry) + 1} of ${manifest.runs.length}): ` +
        `${hasCheckpoint ? "resuming" : "training"} ${runDir}`,
    );
    entry.status = "training";
    await writeManifest(o.outDir, manifest);
    const result = await run(config, {
      outDir: runDir,
      resume: hasCheckpoint,
      overwrite: !hasCheckpoint,
      quiet: o.quiet,
      write: o.write,
      signals: o.signals,
      progressInterval: o.progressInterval,
      stop: o.stop,
    });
    entry.status = result.stopped ? "interrupted" : "done";
    entry.step = result.step;
    entry.seconds = Math.round(result.seconds * 10) / 10;
    await writeManifest(o.outDir, manifest);
    trained.push({ seed: entry.seed, result });
    if (result.stopped) {
      const left = manifest.runs.filter((r) => r.status !== "done").map((r) => r.seed);
      write(
        `seed study ${o.outDir}: stopped in seed ${entry.seed}; seeds ${
          left.join(", ")
        } not done; continue them all with --resume ${o.outDir}`,
      );
      return { manifest, trained, stopped: result.stopped };
    }
  }
  return { manifest, trained };
}
