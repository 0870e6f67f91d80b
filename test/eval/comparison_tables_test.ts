// comparisonTables (`neurad eval --run A --run B`): the studies' table, one row per run and
// pathology dataset (model, mode, checkpoint, threshold scope, ED, EV, sample/slice/pixel AUROC
// and AUPRC each beside its no-model baseline, DICE_T, DICE_S), in Markdown (percent), CSV
// (fractions) and JSON; the DICE columns are the main filter's row. Also checkpointDetail: which
// file was evaluated and why.

import { deepStrictEqual, ok as assert } from "node:assert";
import type { EvalResult, RankingResult } from "../../src/report/eval_result.ts";
import { checkpointDetail, comparisonTables } from "../../src/eval/run_eval.ts";

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
  baseline: { name: "b", auroc: 0.55, auprc: 0.3 },
});

function result(run: string, model: string, options: Record<string, unknown>): EvalResult {
  return {
    run,
    checkpoint: model.endsWith("vae") ? "best" : "last",
    thresholdScope: model.endsWith("vae") ? "pooled" : "per-dataset",
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
  deepStrictEqual(rows.length, 4);
  deepStrictEqual(rows.map((r) => [r.run, r.dataset, r.ED, r.EV]), [
    ["runs/vae", "brats", 128, ""],
    ["runs/vae", "atlas", 128, ""],
    ["runs/vqgan", "brats", 64, 128],
    ["runs/vqgan", "atlas", 64, 128],
  ]);
  deepStrictEqual(rows[0].sampleAUROC, 0.5);
  deepStrictEqual(rows[1].pixelAUROC, 0.62);
  deepStrictEqual(rows[0].diceT, 0.25); // the 9×9 row, not the 5×5 one
  deepStrictEqual(rows[1].diceT, undefined); // no DICE for atlas in this result
  const md = t.md.split("\n");
  assert(
    md[0].startsWith(
      "| run | model | mode | checkpoint | thresholds | ED | EV | dataset | sampleAUROC | " +
        "sampleAUROCBaseline | sampleAUPRC | sampleAUPRCBaseline | sliceAUROC",
    ),
    md[0],
  );
  assert(md[2].includes("| best | pooled |") && md[4].includes("| last | per-dataset |"), md[4]);
  assert(md[2].includes("| 50.00 | 55.00 | 25.00 | 30.00 |") && md[2].includes("| 25.00 |"), md[2]);
  assert(t.md.includes("Baseline columns"), "the table says what the baselines are");
  const csv = t.csv.trim().split("\n");
  deepStrictEqual(csv.length, 5);
  assert(
    csv[1].startsWith("runs/vae,reddipalli22-vae,corrected,best,pooled,128,,brats,0.5,0.55,"),
    csv[1],
  );
});

Deno.test("checkpointDetail(): the file loaded, its step, and how it compares with the studies", () => {
  const at = { step: 280, epoch: 4 };
  const best = checkpointDetail(
    { checkpointPath: "r/checkpoints/best.safetensors", ...at },
    "best",
  );
  deepStrictEqual(best.used, "best");
  assert(best.detail.note.startsWith("lowest validation loss"), best.detail.note);
  assert(best.detail.note.includes("the studies report their final weights"));
  const last = checkpointDetail(
    { checkpointPath: "r/checkpoints/last.safetensors", ...at },
    "last",
  );
  deepStrictEqual([last.used, last.detail.requested, last.detail.step], ["last", "last", 280]);
  assert(last.detail.note.includes("as the studies report"), last.detail.note);
  const fallback = checkpointDetail(
    { checkpointPath: "r/checkpoints/last.safetensors", ...at },
    "best",
  );
  deepStrictEqual([fallback.used, fallback.detail.requested], ["last", "best"]);
  assert(fallback.detail.note.startsWith("the run has no best checkpoint"), fallback.detail.note);
});
