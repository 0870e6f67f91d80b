// The report builder on a small synthetic EvalResult: every section present, charts inline SVG,
// nothing fetched from the network, config escaped; the histogram's axis ticks; and the report's
// inputs: the plain result object and the run's log, never a module of src/eval.

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert";
import type { EvalResult, RankingResult } from "../../src/report/eval_result.ts";
import { buildReport } from "../../src/report/write_report.ts";
import { niceTicks } from "../../src/report/charts/histogram.ts";
import { greyPngDataUrl } from "../../src/io/png_data_url.ts";
import { moduleGraph } from "../eval/_module_graph.ts";

const ranking = (level: RankingResult["level"]): RankingResult => ({
  level,
  dataset: "brats",
  auroc: 0.8,
  auprc: 0.6,
  aurocCi: [0.7, 0.9],
  roc: { fpr: [0, 0.2, 1], tpr: [0, 0.7, 1] },
  pr: { recall: [0, 0.5, 1], precision: [1, 0.8, 0.4] },
  scores: { healthy: [0.1, 0.12, 0.2, 0.15], anomalous: [0.3, 0.25, 0.4] },
  threshold: level === "pixel" ? 0.22 : undefined,
  positives: 3,
  negatives: 4,
});

Deno.test("buildReport: sections, inline SVG charts, panels, no network, escaped config", async () => {
  const img = greyPngDataUrl(new Float32Array(6 * 5).fill(0.5), 6, 5, 0, 1);
  const r: EvalResult = {
    run: "/runs/x",
    checkpoint: "best",
    preset: "demo",
    mode: "corrected",
    model: { name: "reddipalli22-vae", options: {}, parameters: 1234 },
    protocol: "reddipalli22",
    settings: { residual: "absolute" },
    rankings: [ranking("sample"), ranking("slice"), ranking("pixel")],
    dice: [{
      dataset: "brats",
      filter: "median 9×9",
      threshold: 0.22,
      diceT: 0.3,
      diceS: { mean: 0.25, std: 0.1, ci: [0.2, 0.3] },
      oracle: { threshold: 0.2, diceT: 0.33 },
    }],
    fprThresholds: [{ dataset: "brats", fpr: 0.05, threshold: 0.2, testFpr: 0.06, tpr: 0.5 }],
    lesionDetection: [{
      dataset: "brats",
      stratum: "all",
      lesions: 4,
      detected: 3,
      sensitivity: 0.75,
      falsePositivesPerVolume: 1.5,
    }],
    classification: [],
    panels: [{
      subject: "S1",
      dataset: "brats",
      rank: "best",
      dice: 0.4,
      slice: 30,
      images: { input: img, reconstruction: img, residual: img },
    }],
    codebookUsage: [0.5, 0.25, 0.25, 0],
    perSubject: [],
    timing: { seconds: 2, itemsPerSecond: 1.5 },
    versions: { neurad: "0.1.0", deno: "2", adapter: "test" },
    config: { note: "<script>alert(1)</script>" },
  };
  const log = [{ step: 10, loss: 2 }, { step: 20, loss: 1, val: 0.5 }];
  const html = await buildReport(r, log);
  for (const s of ["Ranking", "DICE_T", "oracle", "Lesion", "Codebook usage", "S1"]) {
    assert(html.includes(s), `missing ${s}`);
  }
  assert((html.match(/<svg/g) ?? []).length >= 6, "ROC, PR, histograms, usage, training");
  assert(!/(src|href)\s*=\s*"https?:/.test(html), "external resource");
  assert(!html.includes("<script>alert(1)</script>"), "config is escaped");
});

Deno.test("niceTicks: about five round values inside the data's range", () => {
  assertEquals(niceTicks([0.0612, 0.0731]), [0.065, 0.07]);
  assertEquals(niceTicks([0, 0.58]), [0, 0.2, 0.4]);
  assertEquals(niceTicks([3]), [3]);
  assertEquals(niceTicks([]), []);
});

Deno.test("the report reaches no module of src/eval (eval → report, one way)", async () => {
  for (const entry of ["src/report/write_report.ts", "src/report/eval_result.ts"]) {
    const graph = await moduleGraph(entry);
    assert(graph.includes(entry), graph.join("\n"));
    assertEquals(graph.filter((p) => p.startsWith("src/eval/")), [], entry);
  }
});
