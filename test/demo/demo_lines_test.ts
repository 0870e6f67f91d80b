// What `neurad demo` prints (demoLines, src/demo/run_demo.ts): every ranking metric and Dice row
// beside its no-model baseline, the checkpoint and threshold scope, a degenerate row said instead
// of its numbers, the metrics the model does not beat, then the times and the report's path.

import { ok, strictEqual } from "node:assert";
import { demoLines } from "../../src/demo/run_demo.ts";
import type { EvalResult, RankingResult } from "../../src/report/eval_result.ts";

function ranking(dataset: string, level: RankingResult["level"], auroc: number): RankingResult {
  const names = { sample: "brain volume", slice: "brain area of the slice", pixel: "1 − x" };
  return {
    level,
    dataset,
    auroc,
    auprc: auroc / 4,
    roc: { fpr: [], tpr: [] },
    pr: { recall: [], precision: [] },
    scores: { healthy: [], anomalous: [] },
    positives: 1,
    negatives: 1,
    baseline: { name: names[level], auroc: 0.8, auprc: 0.2 },
  };
}

const result = {
  run: "runs/demo",
  checkpoint: "best",
  checkpointDetail: { requested: "best", path: "p", step: 212, epoch: 4, note: "n" },
  thresholdScope: "pooled",
  protocol: "reddipalli22",
  rankings: [ranking("brats", "slice", 0.853), ranking("atlas", "pixel", 0.718)],
  dice: [
    {
      dataset: "brats",
      filter: "median 9×9",
      threshold: 0.1,
      diceT: 0.227,
      diceS: { mean: 0.215, std: 0.062 },
      baseline: {
        name: "1 − x",
        threshold: 0.5,
        diceT: 0.168,
        diceS: { mean: 0.158, std: 0.05 },
        maskFraction: 0.1,
      },
    },
    {
      dataset: "atlas",
      filter: "median 9×9",
      threshold: 0.01,
      diceT: 0.01,
      diceS: { mean: 0.01, std: 0 },
      degenerate: "the threshold marks 97 % of the brain",
    },
  ],
  classification: [],
} as unknown as EvalResult;

Deno.test("demoLines(): metrics beside their baselines, degenerate rows, unbeaten notes, times", () => {
  const lines = demoLines({
    result,
    reportPath: "runs/demo/eval/report.html",
    seconds: { data: 0.2, train: 154.4, eval: 99.1 },
  });
  ok(lines.includes("checkpoint best (step 212) · thresholds pooled"), lines.join("\n"));
  ok(
    lines.includes(
      "brats    slice  AUROC 85.30  AUPRC 21.32  " +
        "(baseline brain area of the slice: AUROC 80.00  AUPRC 20.00)",
    ),
    lines.join("\n"),
  );
  ok(lines.some((l) => l.includes("DICE_T 22.70") && l.includes("(baseline DICE_T 16.80)")));
  ok(lines.some((l) => l.startsWith("atlas    median 9×9   DEGENERATE: the threshold marks 97 %")));
  ok(
    lines.some((l) =>
      l.startsWith("note: atlas pixel-wise AUROC: the model (71.80 %) does not beat its baseline")
    ),
  );
  strictEqual(lines.at(-2), "cohort 0 s, training 154 s, evaluation 99 s");
  strictEqual(lines.at(-1), "report: runs/demo/eval/report.html");
});
