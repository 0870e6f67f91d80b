// The report builder on a small synthetic EvalResult: every section present, charts inline SVG,
// nothing fetched from the network, config escaped; the checkpoint and threshold scope in the
// header and over every table, baselines beside the metrics with the ones a model does not beat
// listed, degenerate rows shown as such instead of their numbers; and
// the report's inputs: the plain result object and the run's log, never a module of src/eval.

import { deepStrictEqual, ok as assert } from "node:assert";
import type { EvalResult, RankingResult } from "../../src/report/eval_result.ts";
import { buildReport } from "../../src/report/write_report.ts";
import { baselineShortfalls, degenerateNotes } from "../../src/report/result_notes.ts";
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
  baseline: { name: "brain area of the slice", auroc: level === "slice" ? 0.85 : 0.6, auprc: 0.3 },
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

Deno.test("buildReport: checkpoint and thresholds over every table, baselines, degenerate rows", async () => {
  const r: EvalResult = {
    run: "/runs/x",
    checkpoint: "best",
    checkpointDetail: {
      requested: "best",
      path: "/runs/x/checkpoints/best.safetensors",
      step: 280,
      epoch: 4,
      note: "lowest validation loss on healthy validation slices (step 280, epoch 4); the " +
        "studies report their final weights (--checkpoint last)",
    },
    thresholdScope: "per-dataset",
    preset: "demo",
    mode: "corrected",
    model: { name: "reddipalli22-vae", options: {}, parameters: 1234 },
    protocol: "reddipalli22",
    settings: {},
    rankings: [ranking("sample"), ranking("slice")],
    dice: [{
      dataset: "brats",
      filter: "median 9×9",
      threshold: 0.01,
      diceT: 0.123456,
      diceS: { mean: 0.1, std: 0.05 },
      thresholdScope: "per-dataset",
      thresholdFrom: "2 brats validation subjects",
      maskFraction: 0.8,
      validationMaskFraction: 0.7,
      degenerate: "the threshold marks 80.0 % of the brats test brain as anomalous",
      baseline: {
        name: "inverted intensity (1 − x)",
        threshold: 0.5,
        diceT: 0.2,
        diceS: { mean: 0.2, std: 0.1 },
        maskFraction: 0.02,
      },
    }],
    fprThresholds: [],
    lesionDetection: [{
      dataset: "brats",
      stratum: "all",
      lesions: 4,
      detected: 4,
      sensitivity: 1,
      falsePositivesPerVolume: 0,
      degenerate: "the threshold marks 80.0 % of the brats test brain as anomalous",
    }],
    classification: [],
    panels: [],
    perSubject: [],
    timing: { seconds: 2, itemsPerSecond: 1.5 },
    versions: { neurad: "0.1.0", deno: "2", adapter: "test" },
    config: {},
  };
  const html = await buildReport(r, []);
  const header = html.slice(html.indexOf("<header>"), html.indexOf("</header>"));
  assert(header.includes("lowest validation loss on healthy validation slices (step 280"), header);
  assert(header.includes("the studies report their final weights"), header);
  assert(header.includes("per dataset: each dataset"), header);
  // Every table (rankings, segmentation, lesion detection) carries the context line.
  deepStrictEqual(
    (html.match(/<p class="context">checkpoint best \(step 280\) · thresholds per-dataset<\/p>/g) ??
      []).length,
    3,
  );
  assert(html.includes("baseline AUROC") && html.includes("brain area of the slice"));
  // Slice AUROC 80 % against a baseline of 85 %: marked, and listed in the notes.
  assert(html.includes('title="the model does not beat this baseline">85.00 ▲'), "unbeaten mark");
  assert(header.includes("brats slice-wise AUROC: the model (80.00 %) does not beat its baseline"));
  assert(!header.includes("brats sample-wise AUROC"), "the sample level beats its baseline");
  // The degenerate row shows its reason, not its Dice.
  assert(html.includes("degenerate: the threshold marks 80.0 % of the brats test brain"));
  assert(!html.includes("12.35"), "a degenerate DICE_T is not presented");
  assert(header.includes("brats median 9×9 is degenerate"), "listed in the notes");
  assert(html.includes("degenerate threshold"), "lesion detection flagged");
  // A degenerate baseline is shown as such and not compared against.
  const degenerateBaseline: EvalResult = {
    ...r,
    dice: [{
      ...r.dice[0],
      degenerate: undefined,
      diceT: 0.3,
      diceS: { mean: 0.01, std: 0 },
      baseline: { ...r.dice[0].baseline!, degenerate: "the threshold marks 60.0 %" },
    }],
  };
  const notes = baselineShortfalls(degenerateBaseline);
  assert(!notes.some((n) => n.includes("DICE")), notes.join("\n"));
  assert(
    degenerateNotes(degenerateBaseline)[0].startsWith("brats baseline median 9×9 is degenerate"),
  );
});

Deno.test("buildReport: a per-subject table, sorted, with the seed column of a seed study", async () => {
  const base = {
    run: "/r",
    checkpoint: "best",
    preset: "demo",
    mode: "corrected",
    model: { name: "reddipalli22-vae", options: {}, parameters: 1 },
    protocol: "reddipalli22",
    settings: {},
    rankings: [],
    dice: [],
    fprThresholds: [],
    lesionDetection: [],
    classification: [],
    panels: [],
    timing: { seconds: 1, itemsPerSecond: 1 },
    versions: { neurad: "0", deno: "2", adapter: "test" },
    config: {},
  } as const;
  const rows = [
    { subject: "h1", dataset: "healthy", label: 0 as const, score: 0.05 },
    {
      subject: "b2",
      dataset: "brats",
      label: 1 as const,
      score: 0.07,
      dice: 0.2,
      lesionVoxels: 40,
    },
    {
      subject: "b1",
      dataset: "brats",
      label: 1 as const,
      score: 0.09,
      dice: 0.3,
      lesionVoxels: 90,
    },
  ];
  const html = await buildReport({ ...base, perSubject: rows } as unknown as EvalResult, []);
  const tableHtml = html.slice(html.indexOf("<h2>Per subject"));
  assert(tableHtml.startsWith("<h2>Per subject (3 test subjects)"), tableHtml.slice(0, 80));
  // brats first, by score (most anomalous first), then healthy; Dice in %, lesion voxels.
  const order = [...tableHtml.matchAll(/<tr><td>(\w+)<\/td>/g)].map((m) => m[1]);
  deepStrictEqual(order, ["b1", "b2", "h1"]);
  assert(tableHtml.includes("<td>30.00</td><td>90</td>"), "Dice % and lesion voxels");
  assert(!tableHtml.includes("<th>seed</th>"));
  const seeded = rows.flatMap((row) => [0, 1].map((seed) => ({ seed, ...row })));
  const s = await buildReport({ ...base, perSubject: seeded } as unknown as EvalResult, []);
  const st = s.slice(s.indexOf("<h2>Per subject"));
  assert(st.includes("<th>seed</th>"), "seed column");
  const seeds = [...st.matchAll(/<tr><td>(\d)<\/td><td>(\w+)<\/td>/g)].map((m) => m[1] + m[2]);
  deepStrictEqual(seeds, ["0b1", "0b2", "0h1", "1b1", "1b2", "1h1"]);
});

Deno.test("the report reaches no module of src/eval (eval → report, one way)", async () => {
  for (const entry of ["src/report/write_report.ts", "src/report/eval_result.ts"]) {
    const graph = await moduleGraph(entry);
    assert(graph.includes(entry), graph.join("\n"));
    deepStrictEqual(graph.filter((p) => p.startsWith("src/eval/")), [], entry);
  }
});
