// `neurad eval`: scores one or more runs with their study's protocol (NIfTI runs: the first
// study's, thresholds from the validation split only; 2D runs: the second study's image-level
// classification) and writes eval.json, per_subject.csv, report.html and the run's
// thresholds.json; with several --run, also the comparison tables. A seed study (neurad train
// --seeds) is evaluated seed by seed and summarised as mean ± std over seeds (seed_eval.ts).

import { join } from "node:path";
import { bool, choice, defineCommand, int, num, path } from "../command.ts";
import { comparisonTables, type EvalOptions, resultLines, runEval } from "../../eval/run_eval.ts";
import { runSeedStudyEval } from "../../eval/seed_eval.ts";
import { readSeedStudy } from "../../train/seed_study.ts";
import { writeTextFileAtomic } from "../../util/atomic_write.ts";
import { resolveUserPath } from "../user_path.ts";
import type { EvalResult } from "../../report/eval_result.ts";

export const evalCommand = defineCommand({
  name: "eval",
  summary: "evaluate runs as the studies did (AUROC, AUPRC, Dice) and write an HTML report",
  gpu: true,
  description: `NIfTI runs (first study): reconstructs every validation and test slice of the run's
dataset on the GPU, post-processes the residual (brain mask eroded, median filter), chooses
thresholds on the validation split only, and reports sample-, slice- and pixel-wise AUROC/AUPRC,
DICE_T and DICE_S ± std (bootstrap intervals), healthy-FPR thresholds, lesion detection by size
and per-subject rows, each ranking beside its no-model baseline (brain volume, brain area of the
slice, inverted intensity); a Dice row whose threshold marks over half the brain is flagged
degenerate.
2D class-folder runs (second study): scores every image 0.5·mse + 0.3·VGG16 mse + 0.2·(1 − D)
and classifies it (faithful: threshold 8, anomalous when score ≤ 8, every image at 128 px;
corrected: threshold by Youden's J on the validation split, test split at the training size);
accuracy, precision, recall, F1, confusion matrix, AUC of score and −score, beside the image mean
intensity as a no-model baseline.
Every table names its checkpoint (default best for a corrected evaluation, last for a faithful
one: the studies report final weights) and how its thresholds were chosen.
Writes OUT/eval.json, OUT/per_subject.csv, OUT/report.html and RUN/thresholds.json (read by
neurad detect for NIfTI runs).
A seed study (neurad train --seeds S,S,... --out RUN) is evaluated seed by seed into
RUN/seed-S/eval, then RUN/eval holds the study: every table as the mean over seeds, each metric's
standard deviation over seeds and its per-seed values (eval.json "seeds", printed), and a
report whose header says how many seeds it summarises.`,
  flags: {
    run: path({
      multiple: true,
      required: true,
      metavar: "RUN",
      exists: "folder",
      help: "run directory made by neurad train",
    }),
    data: path({ metavar: "DIR", exists: "folder", help: "dataset folder (default: the run's)" }),
    out: path({
      short: "o",
      metavar: "DIR",
      help: "output folder (default RUN/eval; with several runs, the comparison's folder, " +
        "default runs/comparison)",
    }),
    checkpoint: choice(["best", "last"], {
      help: "weights to evaluate: best (lowest validation loss) or last (the final weights the " +
        "studies report); default best, or last with a faithful evaluation",
    }),
    "threshold-scope": choice(["pooled", "per-dataset"], {
      help: "NIfTI runs: one pixel threshold from every pathological validation subject " +
        "(default; what detect applies) or one per dataset from its own (default when faithful: " +
        "the study's text)",
    }),
    "volume-fpr": num({
      min: 0.001,
      max: 0.5,
      metavar: "F",
      help: "NIfTI runs: healthy false-positive rate of detect's volume threshold, the (1 − F) " +
        "quantile of the healthy validation volume scores (default 0.05)",
    }),
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
      min: 1,
      max: 100000,
      metavar: "N",
      help: "bootstrap resamples for the 95 % intervals (default 1000)",
    }),
    faithful: bool({
      help: "evaluate as the study did (3D median, its erosion, dilated masks, per-dataset " +
        "thresholds, last checkpoint); " +
        "--no-faithful: as its text says (default: the run's mode)",
    }),
    "vgg-weights": path({
      metavar: "FILE",
      exists: "file",
      help: "2D runs: torchvision's ImageNet vgg16-397923af.pth for the score's VGG term " +
        "(without it: a seeded random VGG16, with a warning)",
    }),
    quiet: bool({ short: "q", default: false, help: "no progress lines" }),
  },
  async run(a) {
    const runs = a.run;
    const results: EvalResult[] = [];
    for (const runDir of runs) {
      const options: EvalOptions = {
        runDir,
        outDir: runs.length === 1 ? a.out : undefined,
        dataDir: a.data,
        checkpoint: a.checkpoint,
        thresholdScope: a["threshold-scope"],
        volumeFpr: a["volume-fpr"],
        medianFilter: a["median-filter"],
        residual: a.residual,
        bootstrap: a.bootstrap,
        faithful: a.faithful,
        vggWeights: a["vgg-weights"],
        quiet: a.quiet,
      };
      // A seed study (neurad train --seeds) is evaluated seed by seed, then summarised.
      const study = await readSeedStudy(runDir);
      const { result, outDir, reportPath } = study
        ? await runSeedStudyEval(study, options)
        : await runEval(options);
      results.push(result);
      for (const line of resultLines(result)) console.log(line);
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
