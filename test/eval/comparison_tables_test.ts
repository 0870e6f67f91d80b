// comparisonTables (`neurad eval --run A --run B`): the studies' table, one row per run and
// pathology dataset (model, mode, ED, EV, sample/slice/pixel AUROC and AUPRC, DICE_T, DICE_S),
// in Markdown (percent), CSV (fractions) and JSON; the DICE columns are the main filter's row.

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert";
import type { EvalResult, RankingResult } from "../../src/report/eval_result.ts";
import { comparisonTables } from "../../src/eval/run_eval.ts";

const rk = (level: RankingResult["level"], dataset: string, auroc: number): RankingResult => ({
  level,
  dataset,
  auroc,
  auprc: auroc / 2,
  roc: { fpr: [], tpr: [] },
  pr: { recall: [], precision: [] },
  scores: { healthy: [], anomalous: [] },
  positives: 1,
  negatives: 1,
});

function result(run: string, model: string, options: Record<string, unknown>): EvalResult {
  return {
    run,
    checkpoint: "best",
    preset: model,
    mode: "corrected",
    model: { name: model, options, parameters: 1 },
    protocol: "reddipalli22",
    settings: {},
    rankings: ["brats", "atlas"].flatMap((ds, i) =>
      (["sample", "slice", "pixel"] as const).map((l, j) => rk(l, ds, 0.5 + 0.1 * i + 0.01 * j))
    ),
    dice: [
      {
        dataset: "brats",
        filter: "median 9×9",
        threshold: 1,
        diceT: 0.25,
        diceS: { mean: 0.2, std: 0.1 },
      },
      {
        dataset: "brats",
        filter: "median 5×5",
        threshold: 1,
        diceT: 0.2,
        diceS: { mean: 0.1, std: 0.1 },
      },
    ],
    fprThresholds: [],
    lesionDetection: [],
    classification: [],
    panels: [],
    perSubject: [],
    timing: { seconds: 1, itemsPerSecond: 1 },
    versions: { neurad: "t", deno: "t", adapter: "t" },
    config: {},
  };
}

Deno.test("comparisonTables: one row per run and dataset, ED/EV, main-filter Dice", () => {
  const t = comparisonTables([
    result("runs/vae", "reddipalli22-vae", { latentDim: 128 }),
    result("runs/vqgan", "reddipalli22-vqgan", { embedDim: 64, numCodes: 128 }),
  ]);
  const rows = t.json as Record<string, unknown>[];
  assertEquals(rows.length, 4);
  assertEquals(rows.map((r) => [r.run, r.dataset, r.ED, r.EV]), [
    ["runs/vae", "brats", 128, ""],
    ["runs/vae", "atlas", 128, ""],
    ["runs/vqgan", "brats", 64, 128],
    ["runs/vqgan", "atlas", 64, 128],
  ]);
  assertEquals(rows[0].sampleAUROC, 0.5);
  assertEquals(rows[1].pixelAUROC, 0.62);
  assertEquals(rows[0].diceT, 0.25); // the 9×9 row, not the 5×5 one
  assertEquals(rows[1].diceT, undefined); // no DICE for atlas in this result
  const md = t.md.split("\n");
  assert(md[0].startsWith("| run | model | mode | ED | EV | dataset | sampleAUROC"), md[0]);
  assert(md[2].includes("| 50.00 |") && md[2].includes("| 25.00 |"), md[2]);
  const csv = t.csv.trim().split("\n");
  assertEquals(csv.length, 5);
  assert(csv[1].startsWith("runs/vae,reddipalli22-vae,corrected,128,,brats,0.5,"), csv[1]);
});
