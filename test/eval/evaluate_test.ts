// evaluatePixelWise, evaluateSliceWise, evaluateSampleWise, evaluateClassification, bootstrapCI and
// lesionDetection against sklearn/scipy/numpy on a small synthetic 4-subject test set.

import {
  bootstrapCI,
  evaluateClassification,
  evaluatePixelWise,
  evaluateSampleWise,
  evaluateSliceWise,
  lesionDetection,
  sliceMeans,
} from "../../src/eval/mod.ts";
import {
  assert,
  assertArrayEqual,
  assertClose,
  assertEquals,
  assertThrows,
  loadFixture,
} from "./_helpers.ts";

// deno-lint-ignore no-explicit-any
const fx = loadFixture<any>("evaluation");
const px = fx.pixel;
const [S, Z, H, W] = px.shape as number[];
const input = {
  scores: Float32Array.from(px.scores as number[]),
  labels: Uint8Array.from(px.labels as number[]),
  brainMasks: Uint8Array.from(px.brainMasks as number[]),
  height: H,
  width: W,
  subjects: Array.from({ length: S * Z }, (_, s) => `sub-${Math.floor(s / Z)}`),
  threshold: px.threshold as number,
  bootstrap: { iterations: 200, seed: 3 },
};

Deno.test("evaluatePixelWise() matches numpy/sklearn Dice_T, Dice_S, AUPRC, AUROC and the oracle", () => {
  const r = evaluatePixelWise(input);
  assertClose(r.diceT, px.diceT, { atol: 0, rtol: 1e-14, name: "diceT" });
  assertClose([r.diceS.mean, r.diceS.std], [px.diceSMean, px.diceSStd], {
    atol: 0,
    rtol: 1e-12,
    name: "diceS",
  });
  assertClose([r.diceS.ci!.lower, r.diceS.ci!.upper], px.diceSCI, {
    atol: 0,
    rtol: 1e-12,
    name: "diceS CI",
  });
  assertEquals(r.diceS.subjects, 3, "healthy subject excluded from Dice_S");
  assertClose(r.ranking.averagePrecision!, px.auprc, { atol: 0, rtol: 1e-12, name: "auprc" });
  assertClose(r.ranking.auroc!, px.auroc, { atol: 0, rtol: 1e-12, name: "auroc" });
  assertClose([r.oracle!.threshold, r.oracle!.dice], [px.oracle.threshold, px.oracle.dice], {
    atol: 0,
    rtol: 1e-14,
    name: "oracle",
  });
  assert(r.oracle!.dice >= r.diceT, "oracle below the validation-threshold Dice");
  assertEquals(r.perSubject.length, 4);
  assertEquals(JSON.parse(JSON.stringify(r)).diceT, r.diceT, "JSON round trip");
});

Deno.test("evaluatePixelWise() removes 3D components under minComponentSize before Dice_S only", () => {
  const r = evaluatePixelWise({ ...input, minComponentSize: 7 });
  assertClose([r.diceS.mean, r.diceS.std], [px.diceSMin7, px.diceSMin7Std], {
    atol: 0,
    rtol: 1e-12,
    name: "diceS after removal",
  });
  assertEquals(r.perSubject.map((s) => s.removedPixels), px.removedMin7);
  const plain = evaluatePixelWise(input);
  assertClose(r.diceT, plain.diceT, { atol: 0, rtol: 0, name: "Dice_T unchanged" });
  assertEquals(r.lesions.falsePositiveComponents, plain.lesions.falsePositiveComponents);
  assertEquals(plain.perSubject.map((s) => s.removedPixels), [0, 0, 0, 0]);
  assertThrows(() => evaluatePixelWise({ ...input, minComponentSize: 1.5 }), /minComponentSize/);
  // No bootstrap: no interval, the rest unchanged.
  const noCi = evaluatePixelWise({ ...input, bootstrap: { iterations: 0 } });
  assertEquals(noCi.diceS.ci, null);
  assertEquals(noCi.diceS.mean, plain.diceS.mean);
});

Deno.test("evaluatePixelWise() counts lesions, hits and false-positive components like scipy", () => {
  const r = evaluatePixelWise(input);
  assertEquals(r.lesions.count, px.lesionSizes.length);
  assertEquals(r.lesions.falsePositiveComponents, px.falsePositiveComponents);
  assertClose([r.lesions.bySize!.p25, r.lesions.bySize!.p75], [px.p25, px.p75], {
    atol: 0,
    rtol: 0,
    name: "percentiles",
  });
  assertEquals([r.lesions.bySize!.small.count, r.lesions.bySize!.large.count], [
    px.small,
    px.large,
  ]);
  const rows = r.perSubject.map((s) => s.lesions);
  assertEquals(rows.reduce((a: number, b: number) => a + b, 0), px.lesionSizes.length);
});

Deno.test("lesionDetection() marks hits and misses per lesion with minOverlap", () => {
  // 1x3x4 volume: lesion A (2 px) half covered, lesion B (1 px) missed, one false-positive blob
  const gt = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const pred = [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0];
  const r = lesionDetection(pred, gt, { depth: 1, height: 3, width: 4 });
  assertEquals(r.lesions, [{ size: 2, hitVoxels: 1, detected: true }, {
    size: 1,
    hitVoxels: 0,
    detected: false,
  }]);
  assertEquals([r.detected, r.missed, r.falsePositiveComponents], [1, 1, 1]);
  const strict = lesionDetection(pred, gt, { depth: 1, height: 3, width: 4 }, { minOverlap: 2 });
  assertEquals(strict.detected, 0);
});

Deno.test("evaluateSliceWise() labels a slice positive when any lesion pixel is in it", () => {
  const sliceScores = sliceMeans(input.scores, H, W);
  const r = evaluateSliceWise({ sliceScores, lesionMasks: input.labels, height: H, width: W });
  assertEquals(r.lesionSlices, fx.slice.lesionSlices);
  assertClose([r.auroc!, r.averagePrecision!], [fx.slice.auroc, fx.slice.averagePrecision], {
    atol: 0,
    rtol: 1e-12,
    name: "slice",
  });
});

Deno.test("evaluateSampleWise() scores a volume by the mean of its slice errors", () => {
  const r = evaluateSampleWise({ sliceErrors: fx.sample.sliceErrors, labels: fx.sample.labels });
  assertClose([r.auroc!, r.averagePrecision!], [fx.sample.auroc, fx.sample.averagePrecision], {
    atol: 0,
    rtol: 1e-12,
    name: "sample",
  });
  assertThrows(
    () => evaluateSampleWise({ sliceErrors: [[1]], labels: [0, 1] }),
    /1 volumes but 2 labels/,
  );
});

Deno.test("evaluateClassification() matches sklearn metrics and numpy histograms", () => {
  const c = fx.classification;
  const r = evaluateClassification({
    scores: c.scores,
    labels: c.labels,
    threshold: c.threshold,
    bins: 12,
  });
  assertEquals(r.confusionMatrix.matrix, c.confusionMatrix);
  assertClose(
    [r.accuracy, r.precision, r.recall, r.f1],
    [c.accuracy, c.precision, c.recall, c.f1],
    { atol: 0, rtol: 1e-15, name: "threshold" },
  );
  assertClose([r.auroc!, r.averagePrecision!], [c.auroc, c.averagePrecision], {
    atol: 0,
    rtol: 1e-12,
    name: "ranking",
  });
  assertClose(r.histograms.edges, c.edges, { atol: 0, rtol: 0, name: "edges" });
  assertArrayEqual(r.histograms.negatives, c.negatives, "negatives");
  assertArrayEqual(r.histograms.positives, c.positives, "positives");
});

Deno.test("bootstrapCI() matches the numpy replica of its hash-PRNG resampling", () => {
  const b = fx.bootstrap;
  const r = bootstrapCI(b.values, { iterations: b.iterations, seed: b.seed });
  assertClose([r.lower, r.upper], [b.lower, b.upper], { atol: 0, rtol: 1e-12, name: "ci" });
  assert(r.lower <= r.estimate && r.estimate <= r.upper, "estimate outside its CI");
  assertThrows(() => bootstrapCI([]), /no values/);
});

Deno.test("evaluatePixelWise() rejects mismatched subjects, shapes and NaN", () => {
  assertThrows(
    () => evaluatePixelWise({ ...input, subjects: ["a"] }),
    /1 subject ids for 20 slices/,
  );
  assertThrows(() => evaluatePixelWise({ ...input, labels: new Uint8Array(3) }), /labels length 3/);
  const bad = input.scores.slice();
  bad[5] = NaN;
  assertThrows(() => evaluatePixelWise({ ...input, scores: bad }), /scores\[5\] is NaN/);
  assertThrows(
    () => evaluatePixelWise({ ...input, labels: new Uint8Array(input.labels.length) }),
    /no subject has lesion/,
  );
});
