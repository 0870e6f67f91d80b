// `neurad demo`: the main job on the embedded data (src/demo/run_demo.ts) — demo cohort from
// Colin27 if missing, train the `demo` preset, evaluate, write the report — then the metrics
// beside their no-model baselines and where the report is (demoLines).

import { bool, defineCommand, int, path } from "../command.ts";
import { demoLines, runDemo } from "../../demo/run_demo.ts";

export const demoCommand = defineCommand({
  name: "demo",
  summary: "the whole pipeline on the embedded demo data: cohort, training, evaluation, report",
  gpu: true,
  description:
    "Builds the demo cohort (data/demo) from the embedded Colin27 T1 if missing, trains " +
    "the `demo` preset into runs/demo (replacing an earlier demo run), evaluates it with the " +
    "first study's protocol and writes runs/demo/eval/report.html. Minutes on a CPU adapter.",
  flags: {
    data: path({ metavar: "DIR", default: "data/demo", help: "demo cohort folder" }),
    out: path({ short: "o", metavar: "RUN", default: "runs/demo", help: "run directory" }),
    steps: int({
      min: 1,
      max: 1_000_000,
      metavar: "N",
      help: "stop training after N steps (default: the preset's epochs)",
    }),
    seed: int({ min: 0, max: 2 ** 31 - 1, default: 1, metavar: "S", help: "cohort seed" }),
    quiet: bool({ short: "q", default: false, help: "no progress bars" }),
  },
  async run({ data, out: runDir, steps, seed, quiet }) {
    const out = await runDemo({ dataDir: data, runDir, steps, seed, quiet });
    for (const line of demoLines(out)) console.log(line);
    return 0;
  },
});
