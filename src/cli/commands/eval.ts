// `neurad eval`: scores one or more runs with their study's protocol (NIfTI runs: the first
// study's, thresholds from the validation split only; 2D runs: the second study's image-level
// classification) and writes eval.json, per_subject.csv, report.html and the run's
// thresholds.json; with several --run, also the comparison tables.

import { join } from "node:path";
import { bool, choice, defineCommand, int, path } from "../command.ts";
import { comparisonTables, runEval } from "../../eval/run_eval.ts";
import { writeTextFileAtomic } from "../../util/atomic_write.ts";
import { resolveUserPath } from "../user_path.ts";
import type { EvalResult } from "../../report/eval_result.ts";

export const evalCommand = defineCommand({
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
    run: path({
      multiple: true,
      required: true,
      metavar: "RUN",
      help: "run directory made by neurad train",
    }),
    data: path({ metavar: "DIR", help: "dataset folder (default: the run's)" }),
    out: path({
      short: "o",
      metavar: "DIR",
      help: "output folder (default RUN/eval; with several runs, the comparison's folder, " +
        "default runs/comparison)",
    }),
    checkpoint: choice(["best", "last"], { default: "best", help: "checkpoint" }),
    "median-filter": int({
      min: 1,
      max: 31,
      metavar: "K",
      check: (k) => (k % 2 === 1 ? undefined : `must be odd, got ${k}`),
      help: "median filter size, odd (default 9; the study also reports 5)",
    }),
    residual: choice(["absolute", "positive"], {
      help: "|x − x̂| (default; T1 lesions are dark) or the positive part (hyperintense lesions)",
    }),
    bootstrap: int({
      min: 0,
      max: 100000,
      metavar: "N",
      help: "bootstrap resamples (default 1000)",
    }),
    faithful: bool({
      help: "post-process as the study's code did (3D median, its erosion, dilated masks); " +
        "--no-faithful: as its text says (default: the run's mode)",
    }),
    "vgg-weights": path({
      metavar: "FILE",
      help: "2D runs: torchvision's ImageNet vgg16-397923af.pth for the score's VGG term " +
        "(without it: a seeded random VGG16, with a warning)",
    }),
    quiet: bool({ short: "q", default: false, help: "no progress lines" }),
  },
  async run(a) {
    const runs = a.run;
    const results: EvalResult[] = [];
    for (const runDir of runs) {
      const { result, outDir, reportPath } = await runEval({
        runDir,
        outDir: runs.length === 1 ? a.out : undefined,
        dataDir: a.data,
        checkpoint: a.checkpoint,
        medianFilter: a["median-filter"],
        residual: a.residual,
        bootstrap: a.bootstrap,
        faithful: a.faithful,
        vggWeights: a["vgg-weights"],
        quiet: a.quiet,
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
      console.log(`wrote ${join(outDir, "eval.json")}${reportPath ? ` and ${reportPath}` : ""}`);
    }
    if (runs.length > 1) {
      const out = a.out ?? resolveUserPath(join("runs", "comparison"));
      await Deno.mkdir(out, { recursive: true });
      const t = comparisonTables(results);
      await writeTextFileAtomic(join(out, "comparison.md"), t.md);
      await writeTextFileAtomic(join(out, "comparison.csv"), t.csv);
      await writeTextFileAtomic(join(out, "comparison.json"), JSON.stringify(t.json, null, 1));
      console.log(t.md);
      console.log(`wrote ${join(out, "comparison")}.{md,csv,json}`);
    }
    return 0;
  },
});
