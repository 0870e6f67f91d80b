// The main job on the embedded data: build the demo cohort from Colin27 if missing, train the
// `demo` preset on it, evaluate it with the first study's protocol, write the report, and return
// where everything is with the headline metrics. `neurad demo` prints them.

import { join } from "node:path";
import { generateDemoCohort } from "../data/demo/demo_cohort.ts";
import { runEval } from "../eval/run_eval.ts";
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

export async function runDemo(o: DemoOptions): Promise<DemoOutcome> {
  const log = o.log ?? ((s: string) => console.log(s));
  let t = performance.now();
  if (!(await exists(join(o.dataDir, "cohort.json")))) {
    log(`building the demo cohort from the embedded Colin27 brain in ${o.dataDir}`);
    await generateDemoCohort({ outDir: o.dataDir, seed: o.seed ?? 1, quiet: o.quiet });
  }
  const data = (performance.now() - t) / 1000;
  // A previous demo run is replaced; anything else in the way is refused.
  if (await exists(o.runDir)) {
    const cfg = await Deno.readTextFile(join(o.runDir, "config.json")).then(JSON.parse, () => null);
    if (cfg?.preset !== "demo") {
      throw new UserError(`${o.runDir}: exists and is not a demo run; choose another --out`);
    }
    await Deno.remove(o.runDir, { recursive: true });
  }
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
