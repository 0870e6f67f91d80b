// `neurad eval`: scores one or more runs with their study's protocol (NIfTI runs: the first
// study's, thresholds from the validation split only; 2D runs: the second study's image-level
// classification) and writes eval.json, per_subject.csv, report.html and the run's
// thresholds.json; with several --run, also the comparison tables.

import type { CommandSpec } from "../command.ts";
import { comparisonTables, runEval } from "../../eval/run_eval.ts";
import { writeTextFileAtomic } from "../../util/atomic_write.ts";
import { UserError } from "../../core/errors.ts";
import type { EvalResult } from "../../report/eval_result.ts";

export const evalCommand: CommandSpec = {
  name: "eval",
  summary: "evaluate runs as the studies did (AUROC, AUPRC, Dice) and write an HTML report",
  description: `NIfTI runs (first study): reconstructs every validation and test slice of the run's
dataset on the GPU, post-processes the residual (brain mask eroded, median filter), chooses
thresholds on the validation split only, and reports sample-, slice- and pixel-wise AUROC/AUPRC,
DICE_T and DICE_S ± std (bootstrap intervals), healthy-FPR thresholds, lesion detection by size
and per-subject rows.
2D class-folder runs (second study): scores every image 0.5·mse + 0.3·VGG16 mse + 0.2·(1 − D)
and classifies it (faithful: threshold 8, anomalous when score ≤ 8, every image at 128 px;
corrected: threshold by Youden's J on the validation split, test split at the training size);
accuracy, precision, recall, F1, confusion matrix, AUC of score and −score.
Writes OUT/eval.json, OUT/per_subject.csv, OUT/report.html and RUN/thresholds.json (read by
neurad detect for NIfTI runs).`,
  flags: {
    run: { type: "path", multiple: true, metavar: "RUN", help: "run directory (repeatable)" },
    data: { type: "path", metavar: "DIR", help: "dataset folder (default: the run's)" },
    out: {
      type: "path",
      short: "o",
      metavar: "DIR",
      help: "output folder (default RUN/eval; with several runs, the comparison's folder)",
    },
    checkpoint: { type: "string", choices: ["best", "last"], help: "checkpoint (default best)" },
    "median-filter": {
      type: "integer",
      min: 1,
      max: 31,
      metavar: "K",
      help: "median filter size, odd (default 9; the study also reports 5)",
    },
    residual: {
      type: "string",
      choices: ["absolute", "positive"],
      help: "|x − x̂| (default; T1 lesions are dark) or the positive part (hyperintense lesions)",
    },
    bootstrap: {
      type: "integer",
      min: 0,
      max: 100000,
      metavar: "N",
      help: "bootstrap resamples (default 1000)",
    },
    faithful: {
      type: "boolean",
      help: "post-process as the study's code did (3D median, its erosion, dilated masks); " +
        "--no-faithful: as its text says (default: the run's mode)",
    },
    "vgg-weights": {
      type: "path",
      metavar: "FILE",
      help: "2D runs: torchvision's ImageNet vgg16-397923af.pth for the score's VGG term " +
        "(without it: a seeded random VGG16, with a warning)",
    },
    quiet: { type: "boolean", short: "q", help: "no progress lines" },
  },
  async run(args) {
    const f = args.flags;
    const runs = (f.run as string[] | undefined) ?? [];
    if (!runs.length) throw new UserError("--run: required (a run directory made by neurad train)");
    const k = f["median-filter"] as number | undefined;
    if (k !== undefined && k % 2 === 0) {
      throw new UserError(`--median-filter: must be odd, got ${k}`);
    }
    const results: EvalResult[] = [];
    for (const runDir of runs) {
      const { result, outDir, reportPath } = await runEval({
        runDir,
        outDir: runs.length === 1 ? f.out as string | undefined : undefined,
        dataDir: f.data as string | undefined,
        checkpoint: f.checkpoint as "best" | "last" | undefined,
        medianFilter: k,
        residual: f.residual as "absolute" | "positive" | undefined,
        bootstrap: f.bootstrap as number | undefined,
        faithful: f.faithful as boolean | undefined,
        vggWeights: f["vgg-weights"] as string | undefined,
        quiet: f.quiet === true,
      });
      results.push(result);
      for (const x of result.rankings) {
        console.log(
          `${x.dataset.padEnd(8)} ${x.level.padEnd(6)} AUROC ${(100 * x.auroc).toFixed(2)}  AUPRC ${
            (100 * x.auprc).toFixed(2)
          }`,
        );
      }
      for (const d of result.dice) {
        console.log(
          `${d.dataset.padEnd(8)} ${d.filter.padEnd(12)} DICE_T ${
            (100 * d.diceT).toFixed(2)
          }  DICE_S ${(100 * d.diceS.mean).toFixed(2)} ± ${
            (100 * d.diceS.std).toFixed(2)
          }  (oracle ${d.oracle ? (100 * d.oracle.diceT).toFixed(2) : "–"})`,
        );
      }
      for (const c of result.classification) {
        const m = c.confusion;
        console.log(
          `${c.dataset.padEnd(8)} threshold ${
            c.threshold.toPrecision(4)
          } (${c.thresholdSource}, ${c.direction})  accuracy ${
            (100 * c.accuracy).toFixed(2)
          }  precision ${(100 * c.precision).toFixed(2)}  recall ${
            (100 * c.recall).toFixed(2)
          }  F1 ${(100 * c.f1).toFixed(2)}  AUC ${(100 * c.auc).toFixed(2)} (−score ${
            (100 * c.aucNegated).toFixed(2)
          })  TN ${m.tn} FP ${m.fp} FN ${m.fn} TP ${m.tp}`,
        );
      }
      console.log(`wrote ${outDir}/eval.json${reportPath ? ` and ${reportPath}` : ""}`);
    }
    if (runs.length > 1) {
      const out = (f.out as string | undefined) ?? "runs/comparison";
      await Deno.mkdir(out, { recursive: true });
      const t = comparisonTables(results);
      await writeTextFileAtomic(`${out}/comparison.md`, t.md);
      await writeTextFileAtomic(`${out}/comparison.csv`, t.csv);
      await writeTextFileAtomic(`${out}/comparison.json`, JSON.stringify(t.json, null, 1));
      console.log(t.md);
      console.log(`wrote ${out}/comparison.{md,csv,json}`);
    }
    return 0;
  },
};
