// The second study's protocol (src/eval/protocols/chandru25.ts) end to end on a tiny 2D class-
// folder dataset and a tiny chandru25-vqgan run (2 training steps at 16 px, reduced widths):
// classification numbers recomputed naively from the per-image rows, the direction semantics,
// AUC + AUC of −score = 1, the no-model baseline (image mean intensity) beside every row, the
// degenerate flag when a threshold calls every image one class, the score direction checked on
// validation, the checkpoint each mode evaluates, thresholds.json and the report; plus the score
// formula on hand-made cases, the Youden threshold and the stratified AUROC bootstrap.

import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert";
import { encode } from "fast-png";
import { noGrad } from "../../src/core/autograd.ts";
import { tidy } from "../../src/core/scope.ts";
import { clone } from "../../src/kernels/movement.ts";
import { addScalar, sigmoid } from "../../src/kernels/unary.ts";
import { createModel } from "../../src/models/create_model.ts";
import type { Autoencoder, Discriminator } from "../../src/models/types.ts";
import type { Module } from "../../src/nn/module.ts";
import { Tensor } from "../../src/core/tensor.ts";
import {
  CHANDRU25_WEIGHTS,
  chandru25Score,
  scoreStack,
} from "../../src/eval/scoring/chandru25_score.ts";
import { openScoreVgg } from "../../src/eval/scoring/score_vgg.ts";
import { predictAnomalous } from "../../src/eval/protocols/chandru25.ts";
import { youdenThreshold } from "../../src/eval/metrics/youden_threshold.ts";
import { bootstrapAurocCI } from "../../src/eval/metrics/bootstrap_auroc.ts";
import { runEval } from "../../src/eval/run_eval.ts";
import type { EvalResult } from "../../src/report/eval_result.ts";
import { presetConfig } from "../../src/train/presets.ts";
import { applyFlags, validateConfig } from "../../src/train/resolve_config.ts";
import { train } from "../../src/train/trainer.ts";
import { Prng } from "../../src/core/prng.ts";
import { readSafetensors } from "../../src/io/safetensors.ts";
import { UserError } from "../../src/core/errors.ts";
import { assertClose, setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";

const close = (a: number, b: number, tol = 1e-6) =>
  ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} vs ${b}`);

/** A fake "autoencoder" whose reconstruction is x + offset (no VQ model: no codes to count). */
function shiftModel(offset: number): Autoencoder {
  const m = createModel<Module & Autoencoder>("chandru25-vqgan", {
    widthMultiplier: 0.0625,
    numCodes: 4,
    imageSize: 16,
  });
  return Object.assign(m, {
    family: "vae" as const,
    reconstruct: (x: Tensor) => (offset === 0 ? clone(x) : addScalar(x, offset)),
  });
}

Deno.test("chandru25Score(): 0.5·mse + 0.3·vgg + 0.2·(1 − mean D) on hand-made terms", () => {
  deepStrictEqual(CHANDRU25_WEIGHTS, { mse: 0.5, vgg: 0.3, disc: 0.2 });
  close(chandru25Score({ mse: 0, vggMse: 0, dMean: 0.25 }), 0.2 * 0.75);
  close(chandru25Score({ mse: 2, vggMse: 10, dMean: 1 }), 1 + 3);
});

Deno.test("scoreStack(): x̂ = x scores 0.2·(1 − mean D(x)); x̂ = x + 0.5 has mse 0.25", async () => {
  await setup();
  const H = 16, N = 3, rng = new Prng(7);
  const images = Float32Array.from({ length: N * H * H }, () => rng.next() * 2 - 1);
  const disc = createModel<Module & Discriminator>("chandru25-discriminator", {
    widthMultiplier: 0.125,
  });
  disc.eval();
  const V = await openScoreVgg({ seed: 3, widthMultiplier: 0.0625 });
  ok(V.random && V.source.includes("random"));
  // D(x) on the host, replicated to 3 channels, for the expected dMean.
  const x3 = new Float32Array(N * 3 * H * H);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < 3; c++) {
      x3.set(images.subarray(n * H * H, (n + 1) * H * H), (n * 3 + c) * H * H);
    }
  }
  const dMeans = async (x: Float32Array) => {
    const t = Tensor.from(x, [N, 3, H, H]);
    const p = noGrad(() => tidy(() => sigmoid(disc.forward(t))));
    const v = await p.toArray();
    t.dispose();
    p.dispose();
    const per = v.length / N;
    return Array.from({ length: N }, (_, n) => {
      let s = 0;
      for (let i = 0; i < per; i++) s += v[n * per + i];
      return s / per;
    });
  };
  const same = shiftModel(0);
  const r = await scoreStack({ model: same, vgg: V.vgg, disc }, images, N, H, H, {
    batch: 2,
    keepRecon: true,
  });
  // keepRecon: x̂ = x as grey bytes, [−1, 1] → 0..255, every image of every batch in place.
  deepStrictEqual([...r.recon!], [...images].map((v) => Math.round(127.5 * (v + 1))));
  const want = await dMeans(x3);
  for (let n = 0; n < N; n++) {
    strictEqual(r.terms[n].mse, 0);
    strictEqual(r.terms[n].vggMse, 0);
    close(r.terms[n].dMean, want[n], 1e-5);
    close(r.scores[n], 0.2 * (1 - want[n]), 1e-5);
  }
  const shifted = shiftModel(0.5);
  const s = await scoreStack({ model: shifted, vgg: V.vgg, disc }, images, N, H, H);
  const want2 = await dMeans(x3.map((v) => v + 0.5));
  for (let n = 0; n < N; n++) {
    close(s.terms[n].mse, 0.25, 1e-5);
    ok(s.terms[n].vggMse > 0);
    close(s.terms[n].dMean, want2[n], 1e-5);
    close(s.scores[n], 0.5 * 0.25 + 0.3 * s.terms[n].vggMse + 0.2 * (1 - want2[n]), 1e-5);
  }
  for (const m of [same, shifted, disc, V.vgg]) m.dispose();
});

Deno.test("predictAnomalous(): the study's ≤ 8 and the corrected > t", () => {
  strictEqual(predictAnomalous(7.9, 8, "score-at-most"), 1);
  strictEqual(predictAnomalous(8, 8, "score-at-most"), 1);
  strictEqual(predictAnomalous(8.1, 8, "score-at-most"), 0);
  strictEqual(predictAnomalous(7.9, 8, "score-above"), 0);
  strictEqual(predictAnomalous(8, 8, "score-above"), 0);
  strictEqual(predictAnomalous(8.1, 8, "score-above"), 1);
});

Deno.test("youdenThreshold(): maximises TPR − FPR, midpoint to the next score", () => {
  // negatives 1, 2, 3, 6; positives 4, 5, 7: best cut above 3 (TPR 1, FPR 1/4).
  const y = youdenThreshold([1, 2, 3, 6, 4, 5, 7], [0, 0, 0, 0, 1, 1, 1]);
  close(y.threshold, 3.5);
  close(y.j, 0.75);
  // Ties between classes: a shared score cannot be split.
  const t = youdenThreshold([1, 2, 2, 3], [0, 0, 1, 1]);
  close(t.threshold, 1.5);
  close(t.j, 0.5);
  ok(youdenThreshold([5, 1], [0, 1]).j === 0); // inverted scores: nothing beats J = 0
});

Deno.test("bootstrapAurocCI(): stratified, reproducible, brackets the estimate", () => {
  const rng = new Prng(3);
  const s = Array.from({ length: 60 }, (_, i) => rng.next() + (i < 20 ? 0.4 : 0));
  const l = s.map((_, i) => (i < 20 ? 1 : 0));
  const a = bootstrapAurocCI(s, l, { iterations: 200 });
  const b = bootstrapAurocCI(s, l, { iterations: 200 });
  deepStrictEqual(a, b);
  ok(a.lower <= a.estimate && a.estimate <= a.upper && a.upper <= 1, JSON.stringify(a));
});

// ---- end to end ----

async function writeDataset(dir: string, healthy: number, glioma: number) {
  const S = 16;
  const put = async (cls: string, n: number, blob: boolean) => {
    await Deno.mkdir(`${dir}/${cls}`, { recursive: true });
    for (let i = 0; i < n; i++) {
      const rng = new Prng(100 * (blob ? 2 : 1) + i);
      const data = new Uint8Array(S * S);
      for (let y = 0; y < S; y++) {
        for (let x = 0; x < S; x++) {
          const r = Math.hypot(x - S / 2, y - S / 2);
          let v = r < 7 ? 90 + 40 * Math.sin(x / 2 + i) + 10 * rng.next() : 0;
          if (blob && Math.hypot(x - 6, y - 9) < 3) v = 250;
          data[y * S + x] = Math.max(0, Math.min(255, Math.round(v)));
        }
      }
      await Deno.writeFile(
        `${dir}/${cls}/${String(i).padStart(2, "0")}.png`,
        encode({ width: S, height: S, data, channels: 1 }),
      );
    }
  };
  await put("healthy", healthy, false);
  await put("glioma", glioma, true);
}

async function tinyRun(dataDir: string, faithful: boolean, dcgan = false): Promise<string> {
  const dir = await tempDir();
  const config = validateConfig(
    applyFlags(presetConfig(dcgan ? "chandru25-dcgan" : "chandru25-vqgan", faithful), {
      "data.dir": dataDir,
      ...(dcgan ? { "model.options": '{"widthMultiplier":0.125}' } : {
        "data.sliceShape": "[3, 16, 16]",
        "model.options": '{"widthMultiplier":0.0625,"numCodes":16,"imageSize":16}',
        "perceptual.options": '{"widthMultiplier":0.125}',
      }),
      "discriminator.options": '{"widthMultiplier":0.125}',
      batchSize: "4",
      steps: "2",
      logEvery: "1",
      sampleEveryEpochs: "0",
    }),
  );
  await train(config, { outDir: dir, quiet: true });
  return dir;
}

/** The naive recomputation of one classification from the per-image rows. */
function checkConsistent(r: EvalResult, interval = true) {
  strictEqual(r.protocol, "chandru25");
  strictEqual(r.classification.length, 1);
  const c = r.classification[0];
  strictEqual(c.dataset, "glioma");
  let tn = 0, fp = 0, fn = 0, tp = 0;
  for (const row of r.perSubject) {
    const anomalous = c.direction === "score-at-most"
      ? row.score <= c.threshold
      : row.score > c.threshold;
    strictEqual(row.predicted, anomalous ? 1 : 0, row.subject);
    strictEqual(row.label, row.dataset === "glioma" ? 1 : 0);
    if (row.label === 1) anomalous ? tp++ : fn++;
    else anomalous ? fp++ : tn++;
    close(
      row.score,
      0.5 * (row.mse as number) + 0.3 * (row.vggMse as number) +
        0.2 * (1 - (row.discMean as number)),
      1e-9,
    );
  }
  deepStrictEqual(c.confusion, { tn, fp, fn, tp });
  close(c.accuracy, (tp + tn) / (tp + tn + fp + fn), 1e-12);
  close(c.precision, tp + fp ? tp / (tp + fp) : 0, 1e-12);
  close(c.recall, tp / (tp + fn), 1e-12);
  close(c.f1, 2 * tp / (2 * tp + fp + fn), 1e-12);
  close(c.auc + c.aucNegated, 1, 1e-12);
  // AUC by counting pairs (ties 1/2).
  const pos = r.perSubject.filter((x) => x.label === 1).map((x) => x.score);
  const neg = r.perSubject.filter((x) => x.label === 0).map((x) => x.score);
  let wins = 0;
  for (const p of pos) for (const q of neg) wins += p > q ? 1 : p === q ? 0.5 : 0;
  close(c.auc, wins / (pos.length * neg.length), 1e-12);
  const rk = r.rankings.find((x) => x.level === "sample" && x.dataset === "glioma")!;
  close(rk.auroc, c.auc, 1e-12);
  // The baseline: each image's mean intensity, ranked by the same AUROC.
  const bpos = r.perSubject.filter((x) => x.label === 1).map((x) => x.meanIntensity as number);
  const bneg = r.perSubject.filter((x) => x.label === 0).map((x) => x.meanIntensity as number);
  let bwins = 0;
  for (const p of bpos) for (const q of bneg) bwins += p > q ? 1 : p === q ? 0.5 : 0;
  strictEqual(c.baseline!.name, "mean intensity of the image");
  close(c.baseline!.auc, bwins / (bpos.length * bneg.length), 1e-12);
  close(rk.baseline!.auroc, c.baseline!.auc, 0);
  strictEqual(rk.baseline!.name, c.baseline!.name);
  // Degenerate exactly when every image is called the same.
  const called = tp + fp;
  strictEqual(
    c.degenerate !== undefined,
    called === 0 || called === tp + fp + tn + fn,
    `${c.degenerate} with ${called} of ${tp + fp + tn + fn} called anomalous`,
  );
  strictEqual(rk.positives, pos.length);
  strictEqual(rk.negatives, neg.length);
  strictEqual(rk.threshold, c.threshold);
  ok(!interval || (rk.aurocCi && rk.aurocCi[0] <= rk.aurocCi[1]));
}

Deno.test("runEval on 2D runs: the second study's protocol in both modes", async () => {
  await setup();
  // 20 healthy (13 train, 3 val, 4 test) and 9 glioma (3 val, 6 test) images; the faithful run
  // scores every image at 128 px (about 1 s each here), so it gets a smaller set: 8 healthy
  // (2 train, 3 val, 3 test) and 3 glioma.
  const data = await tempDir(), small = await tempDir();
  await writeDataset(data, 20, 9);
  await writeDataset(small, 8, 3);
  const t0 = performance.now();
  const corrected = await tinyRun(data, false);
  const faithful = await tinyRun(small, true);
  const tTrain = performance.now();

  const warnings: string[] = [];
  const write = (s: string) => void warnings.push(s);
  // Corrected: Youden threshold on validation, test split at 16 px.
  const a = await runEval({
    runDir: corrected,
    bootstrap: 200,
    vggWidthMultiplier: 0.0625,
    quiet: true,
    write,
  });
  checkConsistent(a.result);
  const ca = a.result.classification[0];
  strictEqual(ca.direction, "score-above");
  strictEqual(ca.thresholdSource, "validation");
  strictEqual(a.result.perSubject.length, 10); // 4 healthy + 6 glioma test images
  // The VQGAN's codebook usage on the test images: one share per code, summing to 1.
  ok(a.result.codebookUsage?.length, "codebook usage");
  close(a.result.codebookUsage!.reduce((x, y) => x + y, 0), 1, 1e-9);
  // Corrected evaluation: the best-validation checkpoint (or the last one, said so, without it).
  strictEqual(a.result.checkpointDetail!.requested, "best");
  ok(
    /lowest validation loss|no best checkpoint/.test(a.result.checkpointDetail!.note),
    a.result.checkpointDetail!.note,
  );
  ok(String(a.result.settings.scoreDirection).includes("validation AUROC of the score is"));
  // The baseline's threshold comes from the validation images, like the model's.
  ok(Number.isFinite(ca.baseline!.threshold) && Number.isFinite(ca.baseline!.f1));
  ok(a.result.perSubject.every((row) => row.split === "test"));
  ok(String(a.result.settings.testImageSize).startsWith("16×16"));
  ok(String(a.result.settings.vgg).includes("RANDOM"));
  strictEqual(warnings.filter((w) => w.startsWith("warning: no --vgg-weights")).length, 1);
  const ta = JSON.parse(await Deno.readTextFile(`${corrected}/thresholds.json`));
  strictEqual(ta.protocol, "chandru25");
  strictEqual(ta.threshold, ca.threshold);
  strictEqual(ta.direction, "score-above");
  strictEqual(ta.criterion, "youden-j");
  const csv = await Deno.readTextFile(`${a.outDir}/per_subject.csv`);
  strictEqual(csv.trim().split("\n").length, 11);
  ok(csv.split("\n")[0].includes("score") && csv.includes("glioma/"));
  const html = await Deno.readTextFile(a.reportPath!);
  ok(html.includes("Classification: glioma") && html.includes("<svg"), "report sections");
  ok(html.includes("baseline: mean intensity of the image"), "baseline row");
  ok(html.includes("one image threshold for every anomalous class: Youden"), "threshold source");
  ok(html.includes("images/s"));
  // Panels: glioma images scored most, median and least anomalous, then the worst healthy one.
  const pa = a.result.panels;
  deepStrictEqual(pa.map((p) => p.rank), ["best", "median", "worst", "healthy"]);
  deepStrictEqual(pa.map((p) => p.dataset), ["glioma", "glioma", "glioma", "healthy"]);
  const glioma = a.result.perSubject.filter((row) => row.label === 1).map((row) => row.score!);
  strictEqual(pa[0].score, Math.max(...glioma));
  strictEqual(pa[2].score, Math.min(...glioma));
  ok(pa[0].score! >= pa[1].score! && pa[1].score! >= pa[2].score!);
  ok(pa.every((p) => p.images.input.startsWith("data:image/png") && p.images.residual));
  ok(html.includes("scored most anomalous") && html.includes('alt="reconstruction"'));
  ok(!html.includes('alt="groundTruth"'), "2D panels have no ground-truth column");

  // Faithful: threshold 8, anomalous when ≤ 8, every image at 128 px (training ones included).
  const b = await runEval({
    runDir: faithful,
    bootstrap: 200,
    vggWidthMultiplier: 0.0625,
    quiet: true,
    write,
  });
  checkConsistent(b.result);
  const cb = b.result.classification[0];
  strictEqual(cb.threshold, 8);
  strictEqual(cb.direction, "score-at-most");
  strictEqual(cb.thresholdSource, "study");
  // Faithful evaluation: the final weights, as the study reports.
  deepStrictEqual([b.result.checkpoint, b.result.checkpointDetail!.requested], ["last", "last"]);
  ok(String(b.result.settings.scoreDirection).includes("≤ 8"));
  // The faithful test set holds the validation images: the baseline has no threshold, AUC only.
  strictEqual(cb.baseline!.threshold, undefined);
  strictEqual(b.result.perSubject.length, 11);
  strictEqual(b.result.perSubject.filter((row) => row.split === "train").length, 2);
  ok(String(b.result.settings.testImageSize).startsWith("128×128"));
  ok(String(b.result.settings.testImages).includes("2 healthy test images are training images"));
  const tb = JSON.parse(await Deno.readTextFile(`${faithful}/thresholds.json`));
  deepStrictEqual(
    [tb.protocol, tb.threshold, tb.direction, tb.imageSize],
    ["chandru25", 8, "score-at-most", 128],
  );
  const htmlB = await Deno.readTextFile(b.reportPath!);
  ok(htmlB.includes("score-at-most"));
  // score ≤ 8 is anomalous here: the "best" glioma panel has the lowest glioma score.
  const gb = b.result.perSubject.filter((row) => row.label === 1).map((row) => row.score!);
  strictEqual(b.result.panels[0].score, Math.min(...gb));

  // With a weights file: no warning, and settings name the file.
  const pth = new URL("../fixtures/pth/vgg_small.pth", import.meta.url).pathname;
  const before = warnings.length;
  const c = await runEval({
    runDir: corrected,
    vggWeights: pth,
    vggWidthMultiplier: 0.125,
    bootstrap: 0,
    report: false,
    quiet: true,
    write,
  });
  strictEqual(warnings.length, before);
  ok(String(c.result.settings.vgg).includes(pth));
  checkConsistent(c.result, false);

  // A validation split without anomalous images cannot choose a threshold: one line.
  const noVal = await tempDir();
  await writeDataset(noVal, 20, 1); // the one glioma image goes to test
  await rejects(
    runEval({ runDir: corrected, dataDir: noVal, quiet: true, write }),
    (e) => e instanceof UserError && e.message.startsWith(`${noVal}: the validation split needs`),
  );

  // A weights file without VGG keys, and NIfTI-only flags, are one line each.
  await rejects(
    runEval({ runDir: corrected, vggWeights: `${corrected}/checkpoints/last.safetensors` }),
    (e) => e instanceof UserError && e.message.includes("--vgg-weights: not VGG16 features"),
  );
  await rejects(
    runEval({ runDir: corrected, medianFilter: 5 }),
    (e) => e instanceof UserError && e.message.startsWith("--median-filter:"),
  );
  console.log(
    `train ${((tTrain - t0) / 1000).toFixed(1)} s, eval ${
      ((performance.now() - tTrain) / 1000).toFixed(1)
    } s`,
  );
});

Deno.test("runEval on a DCGAN run: x̂ = G(z) with seeded z at 64 px, reproducible", async () => {
  await setup();
  const data = await tempDir();
  await writeDataset(data, 8, 3);
  const run = await tinyRun(data, false, true);
  const opts = { runDir: run, bootstrap: 0, vggWidthMultiplier: 0.0625, quiet: true };
  const a = await runEval({ ...opts, report: false, write: () => {} });
  checkConsistent(a.result, false);
  ok(String(a.result.settings.reconstruction).startsWith("G(z)"));
  ok(String(a.result.settings.testImageSize).startsWith("64×64"));
  const b = await runEval({ ...opts, report: false, write: () => {} });
  deepStrictEqual(b.result.perSubject.map((r) => r.score), a.result.perSubject.map((r) => r.score));
});

Deno.test("openScoreVgg(): torchvision-keyed weights give PyTorch's conv3_3; a misfit is one line", async () => {
  await setup();
  const dir = new URL("../fixtures/pth/", import.meta.url).pathname;
  const ref = (await readSafetensors(`${dir}expected.safetensors`)).tensors;
  // vgg_small.pth: torchvision keys at ⅛ width (tools/fixtures/pth_fixtures.py).
  const V = await openScoreVgg({ weights: `${dir}vgg_small.pth`, widthMultiplier: 0.125 });
  strictEqual(V.random, false);
  const xr = ref.get("out/vgg_x")!;
  const x = Tensor.from(xr.data as Float32Array, xr.shape);
  const y = noGrad(() => V.vgg.forward(x));
  assertClose(await y.toArray() as Float32Array, ref.get("out/vgg_conv3_3")!.data as Float32Array, {
    scaleTol: 1e-4,
    name: "conv3_3",
  });
  for (const t of [x, y]) t.dispose();
  V.vgg.dispose();
  await rejects(
    openScoreVgg({ weights: `${dir}vgg_small.pth` }), // full width: shapes differ
    (e) => e instanceof UserError && e.message.startsWith(`${dir}vgg_small.pth: --vgg-weights:`),
  );
});
