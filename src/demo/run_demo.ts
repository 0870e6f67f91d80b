// The main job on the embedded data: build the demo cohort from Colin27 if missing, train the
// `demo` preset on it, evaluate it with the first study's protocol, write the report, and return
// where everything is with the headline metrics. `neurad demo` prints them (demoLines): each
// metric beside its no-model baseline, the rows that are not results and the metrics the model
// does not beat, as `neurad eval` prints them.

import { join } from "node:path";
import { generateDemoCohort } from "../data/demo/demo_cohort.ts";
import { resultLines, runEval } from "../eval/run_eval.ts";
import type { EvalResult } from "../report/eval_result.ts";
import { resolveConfig } from "../train/resolve_config.ts";
import { train } from "../train/trainer.ts";
import { UserError } from "../core/errors.ts";

export interface DemoOptions {
  dataDir: string;
  runDir: string;
  /** Stop training after this many steps (default: the preset's epochs). */
  steps?: number;
  seed?: number;
  quiet?: boolean;
  log?: (line: string) => void;
}

export interface DemoOutcome {
  result: EvalResult;
  reportPath: string;
  seconds: { data: number; train: number; eval: number };
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

/** The names in folder `dir` (none when it is absent), or a UserError naming `flag`. */
async function entries(dir: string, flag: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    if (e instanceof Deno.errors.NotADirectory) {
      throw new UserError(`${flag}: ${dir}: not a folder`);
    }
    throw new UserError(`${flag}: ${dir}: cannot read (${(e as Error).message})`);
  }
  return names.sort();
}

const listed = (names: string[]) =>
  `${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""}`;

/**
 * Refuses, before anything is built, what the demo would overwrite or mix with: a run folder
 * (`--out`) that is neither absent, empty nor an earlier demo run, and a cohort folder (`--data`)
 * without a demo cohort that is not empty.
 */
export async function checkDemoFolders(o: Pick<DemoOptions, "dataDir" | "runDir">): Promise<void> {
  const run = await entries(o.runDir, "--out");
  if (run.length) {
    const cfg = await Deno.readTextFile(join(o.runDir, "config.json")).then(JSON.parse, () => null);
    if (cfg?.preset !== "demo") {
      throw new UserError(
        `--out: ${o.runDir}: not empty and not a demo run (${listed(run)}); ` +
          "choose an empty or new folder",
      );
    }
  }
  const data = await entries(o.dataDir, "--data");
  if (data.length && !data.includes("cohort.json")) {
    throw new UserError(
      `--data: ${o.dataDir}: not empty and not a demo cohort (${listed(data)}); ` +
        "choose an empty or new folder, or one made by neurad demo-data",
    );
  }
}

export async function runDemo(o: DemoOptions): Promise<DemoOutcome> {
  const log = o.log ?? ((s: string) => console.log(s));
  await checkDemoFolders(o);
  let t = performance.now();
  if (!(await exists(join(o.dataDir, "cohort.json")))) {
    log(`building the demo cohort from the embedded Colin27 brain in ${o.dataDir}`);
    await generateDemoCohort({ outDir: o.dataDir, seed: o.seed ?? 1, quiet: o.quiet });
  }
  const data = (performance.now() - t) / 1000;
  // A previous demo run is replaced (checkDemoFolders refused anything else).
  await Deno.remove(o.runDir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  t = performance.now();
  const extra: Record<string, string> = {};
  if (o.steps) extra["train.steps"] = String(o.steps);
  const config = await resolveConfig({ preset: "demo", dataDir: o.dataDir, extra });
  log(
    `training the demo preset (${config.model.name}, ${config.train.epochs} epochs) into ${o.runDir}`,
  );
  await train(config, { outDir: o.runDir, quiet: o.quiet });
  const trainS = (performance.now() - t) / 1000;
  t = performance.now();
  log("evaluating on the validation (thresholds) and test splits");
  const ev = await runEval({ runDir: o.runDir, bootstrap: 200, quiet: o.quiet });
  return {
    result: ev.result,
    reportPath: ev.reportPath!,
    seconds: { data, train: trainS, eval: (performance.now() - t) / 1000 },
  };
}

/** What `neurad demo` prints at the end: the metrics beside their baselines, times, the report. */
export function demoLines(o: DemoOutcome): string[] {
  const s = o.seconds;
  return [
    "",
    "test split, percent; each metric beside its no-model baseline (same metric code, no model):",
    ...resultLines(o.result),
    "",
    `cohort ${s.data.toFixed(0)} s, training ${s.train.toFixed(0)} s, evaluation ${
      s.eval.toFixed(0)
    } s`,
    `report: ${o.reportPath}`,
  ];
}
