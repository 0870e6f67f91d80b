// A seed study's evaluation: the summary over seeds on hand-made results (means, sample standard
// deviations against numpy's std(ddof=1), degenerate seeds left out and named, per-seed values,
// the comparison table's "mean ± std" cells and the printed lines), and end to end on a tiny 2D
// study of two seeds (src/eval/seed_eval.ts): each seed evaluated as a run, the study's eval.json
// the mean of theirs with the spread, per_subject.csv with a seed column, the report's header
// naming the seeds; a study with a seed not done is refused in one line.

import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert";
import { encode } from "fast-png";
import type { DiceResult, EvalResult, RankingResult } from "../../src/report/eval_result.ts";
import { meanStd, seedMetrics, summarizeSeeds } from "../../src/eval/seed_summary.ts";
import { comparisonTables, resultLines } from "../../src/eval/run_eval.ts";
import { runSeedStudyEval } from "../../src/eval/seed_eval.ts";
import { buildReport } from "../../src/report/write_report.ts";
import { presetConfig } from "../../src/train/presets.ts";
import { applyFlags, validateConfig } from "../../src/train/resolve_config.ts";
import { readSeedStudy, SEEDS_FILE, trainSeedStudy } from "../../src/train/seed_study.ts";
import { Prng } from "../../src/core/prng.ts";
import { UserError } from "../../src/core/errors.ts";
import { setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";

const close = (a: number | null | undefined, b: number, tol = 1e-12) =>
  ok(a !== null && a !== undefined && Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} vs ${b}`);

function ranking(level: RankingResult["level"], auroc: number, base: number): RankingResult {
  return {
    level,
    dataset: "brats",
    auroc,
    auprc: auroc / 2,
    aurocCi: [auroc - 0.1, auroc + 0.1],
    roc: { fpr: [0, 1], tpr: [0, 1] },
    pr: { recall: [0, 1], precision: [1, 0.5] },
    scores: { healthy: [], anomalous: [] },
    positives: 5,
    negatives: 3,
    baseline: { name: "brain area of the slice", auroc: base, auprc: base / 2 },
  };
}

function dice(diceT: number, degenerate?: string): DiceResult {
  return {
    dataset: "brats",
    filter: "median 9×9",
    threshold: 0.1 + diceT,
    diceT,
    diceS: { mean: diceT - 0.01, std: 0.05 },
    maskFraction: degenerate ? 0.8 : 0.15,
    degenerate,
    oracle: { threshold: 0.2, diceT: 0.9 },
    baseline: {
      name: "inverted intensity",
      threshold: 0.5,
      diceT: 0.17,
      diceS: { mean: 0.16, std: 0.06 },
      maskFraction: 0.1,
    },
  };
}

function lesionRow(fp: number) {
  return {
    dataset: "brats",
    stratum: "small",
    lesions: 2,
    detected: 1,
    sensitivity: 0.5,
    falsePositivesPerVolume: fp,
  };
}

function result(run: string, slice: number, d: DiceResult): EvalResult {
  return {
    run,
    checkpoint: "best",
    checkpointDetail: { requested: "best", path: `${run}/b`, step: 10, epoch: 1, note: "x" },
    thresholdScope: "pooled",
    preset: "demo",
    mode: "corrected",
    model: { name: "reddipalli22-vae", options: { latentDim: 32 }, parameters: 100 },
    protocol: "reddipalli22",
    settings: {},
    rankings: [ranking("slice", slice, 0.858)],
    dice: [d],
    fprThresholds: [],
    lesionDetection: [],
    classification: [],
    panels: [],
    perSubject: [{ subject: "s1", dataset: "brats", label: 1, score: slice }],
    timing: { seconds: 2, itemsPerSecond: 1 },
    versions: { neurad: "t", deno: "t", adapter: "t" },
    config: {},
  };
}

Deno.test("meanStd(): numpy's mean and std(ddof=1); nulls skipped; one value has no std", () => {
  const m = meanStd([0.853, 0.812, null, 0.881]);
  close(m.mean, 0.8486666666666667);
  close(m.std, 0.0347035060668707); // numpy.std([0.853, 0.812, 0.881], ddof=1)
  deepStrictEqual(meanStd([0.5, null]), { mean: 0.5, std: null });
  deepStrictEqual(meanStd([null]), { mean: null, std: null });
});

Deno.test("summarizeSeeds(): means, spread, per-seed values; a degenerate seed left out and named", () => {
  const results = [
    result("/s/seed-0", 0.853, dice(0.22)),
    result("/s/seed-1", 0.812, dice(0.95, "the threshold marks 80 % of the brain")),
    result("/s/seed-2", 0.881, dice(0.24)),
  ];
  const r = summarizeSeeds(results, [0, 1, 2], "/s");
  strictEqual(r.run, "/s");
  deepStrictEqual(r.seeds!.seeds, [0, 1, 2]);
  deepStrictEqual(r.seeds!.runs, ["/s/seed-0", "/s/seed-1", "/s/seed-2"]);
  const auroc = r.seeds!.metrics.find((m) => m.table === "ranking" && m.metric === "AUROC")!;
  deepStrictEqual(auroc.values, [0.853, 0.812, 0.881]);
  close(auroc.std, 0.0347035060668707);
  close(r.rankings[0].auroc, 0.8486666666666667);
  close(r.rankings[0].auprc, 0.8486666666666667 / 2);
  strictEqual(r.rankings[0].aurocCi, undefined, "one seed's bootstrap interval is not the study's");
  // The baseline needs no model: the same in every seed, no spread.
  const base = r.seeds!.metrics.find((m) => m.metric === "baseline AUROC")!;
  close(base.mean, 0.858);
  close(base.std, 0);
  // DICE_T: seed 1 degenerate → left out of the mean, named in the row and the spread.
  const dt = r.seeds!.metrics.find((m) => m.metric === "DICE_T")!;
  deepStrictEqual(dt.values, [0.22, null, 0.24]);
  deepStrictEqual(dt.degenerateSeeds, [1]);
  close(dt.mean, 0.23);
  close(r.dice[0].diceT, 0.23);
  ok(r.dice[0].degenerate!.startsWith("degenerate in seed 1 of 3 (the threshold marks 80 %"));
  strictEqual(r.dice[0].oracle, undefined);
  strictEqual(r.dice[0].baseline!.degenerate, undefined);
  // Per-subject rows of every seed, with the seed.
  deepStrictEqual(r.perSubject.map((x) => x.seed), [0, 1, 2]);
  strictEqual(r.timing.seconds, 6);
  // A metric that is NaN in a seed (a stratum without false positives) has no value there.
  const nan = seedMetrics([
    { ...results[0], lesionDetection: [lesionRow(NaN)] },
    { ...results[2], lesionDetection: [lesionRow(2)] },
  ], [0, 2]).find((m) => m.metric === "false positives / volume")!;
  deepStrictEqual([nan.values, nan.mean, nan.std], [[null, 2], 2, null]);
  ok(r.checkpointDetail!.note.includes("seed 2: best (step 10)"));

  // Printed: one line per metric with mean ± std [per seed]; the degenerate seed said.
  const lines = resultLines(r);
  ok(lines.some((l) => l.startsWith("3 seeds (0, 1, 2): mean ± std over seeds")), lines[1]);
  ok(lines.some((l) => /slice.*AUROC +84\.87 ± 3\.47 \[85\.30, 81\.20, 88\.10\]/.test(l)));
  ok(
    lines.some((l) => /DICE_T.*23\.00 ± 1\.41 \[22\.00, –, 24\.00\].*degenerate in seed 1/.test(l)),
  );
  ok(lines.some((l) => l.startsWith("note: brats median 9×9 is degenerate")));

  // Comparison tables: a study's model metrics carry "± std over seeds"; plain runs do not.
  const t = comparisonTables([r, results[0]]);
  const [head, , study, plain] = t.md.split("\n");
  ok(head.includes("| seeds |") && !head.includes("SeedStd"), head);
  ok(study.includes("| 3 |") && study.includes("84.87 ± 3.47"), study);
  ok(plain.includes("| 1 |") && plain.includes("| 85.30 |"), plain);
  ok(t.md.includes("mean over seeds ± its standard deviation over seeds"));
  ok(t.csv.split("\n")[0].includes("sliceAUROCSeedStd"));
  ok(!comparisonTables([results[0]]).md.includes("seeds"), "plain comparisons unchanged");
});

Deno.test("seedMetrics(): classification rows; a degenerate threshold leaves the AUC in", () => {
  const c = (acc: number, degenerate?: string) => ({
    dataset: "glioma",
    threshold: 8,
    direction: "score-above" as const,
    thresholdSource: "validation" as const,
    accuracy: acc,
    precision: 0.5,
    recall: 1,
    f1: 0.6,
    auc: acc + 0.1,
    aucNegated: 0.9 - acc,
    confusion: { tn: 1, fp: 2, fn: 3, tp: 4 },
    degenerate,
  });
  const a = result("a", 0.8, dice(0.2)), b = result("b", 0.8, dice(0.2));
  a.classification = [c(0.6)];
  b.classification = [c(0.7, "every image called anomalous")];
  const m = seedMetrics([a, b], [4, 9]);
  const get = (metric: string) =>
    m.find((x) => x.table === "classification" && x.metric === metric)!;
  deepStrictEqual(get("accuracy").values, [0.6, null]);
  deepStrictEqual(get("accuracy").degenerateSeeds, [9]);
  deepStrictEqual(get("AUC").values, [0.7, 0.7999999999999999]);
  strictEqual(get("AUC").degenerateSeeds, undefined);
  deepStrictEqual(get("TP").values, [4, null]);
});

// ---- end to end on a tiny 2D study ----

async function writeDataset(dir: string) {
  const S = 16;
  for (const [cls, n, blob] of [["healthy", 16, false], ["glioma", 8, true]] as const) {
    await Deno.mkdir(`${dir}/${cls}`, { recursive: true });
    for (let i = 0; i < n; i++) {
      const rng = new Prng(100 * (blob ? 2 : 1) + i);
      const data = new Uint8Array(S * S);
      for (let y = 0; y < S; y++) {
        for (let x = 0; x < S; x++) {
          let v = Math.hypot(x - S / 2, y - S / 2) < 7 ? 90 + 40 * Math.sin(x / 2 + i) : 0;
          if (blob && Math.hypot(x - 6, y - 9) < 3) v = 250;
          data[y * S + x] = Math.min(255, Math.round(v + 10 * rng.next()));
        }
      }
      await Deno.writeFile(
        `${dir}/${cls}/${String(i).padStart(2, "0")}.png`,
        encode({ width: S, height: S, data, channels: 1 }),
      );
    }
  }
}

Deno.test("runSeedStudyEval(): each seed evaluated, the study's tables their mean ± std", async () => {
  await setup();
  const data = await tempDir(), study = await tempDir();
  await writeDataset(data);
  const config = validateConfig(
    applyFlags(presetConfig("chandru25-vqgan"), {
      "data.dir": data,
      "data.sliceShape": "[3, 16, 16]",
      "model.options": '{"widthMultiplier":0.0625,"numCodes":16,"imageSize":16}',
      "perceptual.options": '{"widthMultiplier":0.125}',
      "discriminator.options": '{"widthMultiplier":0.125}',
      batchSize: "4",
      steps: "2",
      logEvery: "1",
      sampleEveryEpochs: "0",
    }),
  );
  await trainSeedStudy(config, [0, 1], { outDir: study, quiet: true, write: () => {} });
  const manifest = (await readSeedStudy(study))!;
  const out = await runSeedStudyEval(manifest, {
    runDir: study,
    bootstrap: 50,
    vggWidthMultiplier: 0.0625,
    quiet: true,
    write: () => {},
  });
  strictEqual(out.outDir, `${study}/eval`);
  const r = JSON.parse(await Deno.readTextFile(`${study}/eval/eval.json`)) as EvalResult;
  deepStrictEqual(r.seeds!.seeds, [0, 1]);
  // Each seed's own evaluation is where a run's is, and the study's numbers are their means.
  const per = await Promise.all(
    [0, 1].map(async (s) =>
      JSON.parse(await Deno.readTextFile(`${study}/seed-${s}/eval/eval.json`)) as EvalResult
    ),
  );
  ok(await Deno.stat(`${study}/seed-1/thresholds.json`));
  const c = r.classification[0];
  close(c.auc, (per[0].classification[0].auc + per[1].classification[0].auc) / 2);
  close(
    c.f1,
    meanStd(per.map((p) => p.classification[0].degenerate ? null : p.classification[0].f1)).mean ??
      c.f1,
  );
  const auc = r.seeds!.metrics.find((m) => m.table === "classification" && m.metric === "AUC")!;
  deepStrictEqual(auc.values, per.map((p) => p.classification[0].auc));
  close(auc.std, Math.abs(auc.values[0]! - auc.values[1]!) / Math.SQRT2, 1e-9);
  const tp = r.seeds!.metrics.find((m) => m.metric === "TP")!;
  ok(tp.values.every((v, i) => v === null || v === per[i].classification[0].confusion.tp));
  // per_subject.csv: both seeds' test images, with the seed.
  const csv = (await Deno.readTextFile(`${study}/eval/per_subject.csv`)).trim().split("\n");
  strictEqual(csv[0].split(",")[0], "seed");
  strictEqual(csv.length - 1, per[0].perSubject.length + per[1].perSubject.length);
  // The report's header says how many seeds; the spread table lists each seed.
  const html = await Deno.readTextFile(out.reportPath!);
  ok(html.includes("<b>Seeds</b> 2 (0, 1)"), "seed header");
  ok(html.includes("Spread over 2 seeds") && html.includes("<th>seed 1</th>"), "spread table");
  ok((await buildReport(per[0], [])).includes("Seeds</b>") === false, "a run's report has none");

  // With --out, each seed's evaluation goes to OUT/seed-N and RUN/seed-N/eval is left alone.
  const other = await tempDir();
  const before = await Deno.readTextFile(`${study}/seed-0/eval/eval.json`);
  await runSeedStudyEval(manifest, {
    runDir: study,
    outDir: other,
    bootstrap: 0,
    vggWidthMultiplier: 0.0625,
    quiet: true,
    report: false,
    write: () => {},
  });
  ok(await Deno.stat(`${other}/seed-1/eval.json`) && await Deno.stat(`${other}/eval.json`));
  strictEqual(await Deno.readTextFile(`${study}/seed-0/eval/eval.json`), before);

  // A seed not done is refused in one line.
  manifest.runs[1].status = "interrupted";
  await Deno.writeTextFile(`${study}/${SEEDS_FILE}`, JSON.stringify(manifest));
  await rejects(
    runSeedStudyEval((await readSeedStudy(study))!, { runDir: study, quiet: true }),
    (e) =>
      e instanceof UserError && e.message.includes("seed 1 (interrupted) not done") &&
      e.message.includes(`neurad train --resume ${study}`),
  );
});
