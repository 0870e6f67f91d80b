// `neurad demo`: the main job on the embedded data (src/demo/run_demo.ts) — demo cohort from
// Colin27 if missing, train the `demo` preset, evaluate, write the report — then the headline
// metrics and where the report is.

import { bool, defineCommand, int, path } from "../command.ts";
import { runDemo } from "../../demo/run_demo.ts";

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
    const r = out.result;
    console.log("");
    for (const x of r.rankings) {
      console.log(
        `${x.dataset.padEnd(6)} ${x.level.padEnd(6)} AUROC ${
          (100 * x.auroc).toFixed(1).padStart(5)
        } %` +
          `  AUPRC ${(100 * x.auprc).toFixed(1).padStart(5)} %`,
      );
    }
    for (const d of r.dice) {
      console.log(
        `${d.dataset.padEnd(6)} Dice ${d.filter.replace("median ", "")}  DICE_T ${
          (100 * d.diceT).toFixed(1)
        } %  DICE_S ${(100 * d.diceS.mean).toFixed(1)} ± ${
          (100 * d.diceS.std).toFixed(1)
        } %  (threshold from validation)`,
      );
    }
    const s = out.seconds;
    console.log(
      `\ncohort ${s.data.toFixed(0)} s, training ${s.train.toFixed(0)} s, evaluation ${
        s.eval.toFixed(0)
      } s\nreport: ${out.reportPath}`,
    );
    return 0;
  },
});
