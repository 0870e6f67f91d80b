// The second study's evaluation protocol on 2D class-folder runs (chandru25-vqgan, -dcgan): every
// image gets the study's score (src/eval/chandru25_score.ts), then image-level classification of
// each anomalous class against the healthy images: accuracy, precision, recall, F1, confusion
// matrix, AUROC of the score and of −score, a stratified bootstrap interval, ROC/PR curves and
// score histograms (as "sample" rankings), one per-image row each.
// Modes:
//  - faithful (the study's code): threshold 8, anomalous when score ≤ 8; every image of the
//    dataset is a test image (split "all": the healthy test images include the training ones);
//    images at 128×128 although training was at 64×64; the VQGAN's EMA codebook keeps updating
//    while scoring (one image at a time, in the loader's order, from zero EMA state).
//  - corrected: threshold chosen on the validation split (healthy + anomalous validation images,
//    Youden's J), anomalous when score > threshold, tested on the disjoint test split at the
//    training resolution.
// The DCGAN baseline's "reconstruction" is G(z) for seeded z ~ N(0, 1), at its 64×64 in both
// modes. Without `vggWeights` the VGG term uses a seeded random VGG16: settings and a warning say so.
// Beside every row: the no-model baseline (an image's mean intensity, anomalous when above a
// threshold chosen the same way on the validation images), a degenerate flag when the threshold
// calls every test image one class, and the settings state the threshold's source, the score's
// direction (checked on the validation images in corrected mode) and which images were scored.

import { type ImageSet2D, loadImages2D } from "../../data/image2d/load_images2d.ts";
import { manualSeed } from "../../kernels/random.ts";
import type { OpenedRun } from "../../train/open_run.ts";
import { UserError } from "../../core/errors.ts";
import { ProgressBar } from "../../util/progress.ts";
import { bootstrapAurocCI } from "../metrics/bootstrap_auroc.ts";
import { CHANDRU25_WEIGHTS, scoreStack } from "../scoring/chandru25_score.ts";
import { chandru25Panels } from "./chandru25_panels.ts";
import { scoresFromConfusion } from "../metrics/classification_scores.ts";
import { confusionMatrix } from "../metrics/confusion_matrix.ts";
import type {
  ClassificationResult,
  EvalResult,
  RankingResult,
  SubjectRow,
} from "../../report/eval_result.ts";
import { rankingSummary } from "../metrics/ranking_summary.ts";
import { auroc } from "../metrics/roc.ts";
import { BASELINE_NAMES, imageMeans } from "../scoring/baselines.ts";
import { openScoreVgg } from "../scoring/score_vgg.ts";
import { youdenThreshold } from "../metrics/youden_threshold.ts";
import { evenSample } from "../metrics/even_sample.ts";

/** The study's fixed threshold and test resolution (its code). */
export const STUDY_THRESHOLD = 8;
export const STUDY_TEST_SIZE = 128;

export type Direction = ClassificationResult["direction"];

export interface Chandru25Options {
  dataDir?: string;
  /** The ImageNet VGG16 weights (--vgg-weights); without them a seeded random VGG16. */
  vggWeights?: string;
  /** Width of the random VGG16 (tests and quick runs; 1 with a weights file). */
  vggWidthMultiplier?: number;
  /** Bootstrap resamples of the AUROC interval (default 1000; 0 = none). */
  bootstrap?: number;
  /** The study code's protocol (threshold 8, score ≤ 8, 128 px, all images); default: the run's
   * mode. The model itself keeps the run's mode (faithful VQGANs drift their codebook). */
  faithful?: boolean;
  quiet?: boolean;
  /** Where progress and the warning go (default stderr). */
  write?: (text: string) => void;
}

/** RUN/thresholds.json of a 2D run. */
export interface Chandru25Thresholds {
  protocol: "chandru25";
  threshold: number;
  direction: Direction;
  thresholdSource: ClassificationResult["thresholdSource"];
  /** How a validation threshold was chosen. */
  criterion?: "youden-j";
  /** Side of the square test images. */
  imageSize: number;
  score: { weights: typeof CHANDRU25_WEIGHTS; vgg: string };
  createdBy: string;
  checkpoint: string;
}

/** Anomalous (1) or healthy (0) under `direction` at `threshold`. */
export function predictAnomalous(score: number, threshold: number, direction: Direction): 0 | 1 {
  return (direction === "score-at-most" ? score <= threshold : score > threshold) ? 1 : 0;
}

const sub = (xs: number[], n: number) => evenSample(xs, n);

/** Runs the protocol; returns the result body and the thresholds file's content. */
export async function evaluateChandru25(
  run: OpenedRun,
  o: Chandru25Options = {},
): Promise<{ body: Partial<EvalResult>; thresholds: Chandru25Thresholds }> {
  const c = run.config, d = c.data;
  const dir = o.dataDir ?? d.dir;
  const enc = new TextEncoder();
  const write = o.write ?? ((s: string) => Deno.stderr.writeSync(enc.encode(s)));
  const faithful = o.faithful ?? c.mode === "faithful";
  const dcgan = run.model.family === "dcgan";
  const trainSize = d.sliceShape[1];
  const size = dcgan ? run.model.inputShape[1] : faithful ? STUDY_TEST_SIZE : trainSize;
  const disc = run.discriminator;
  if (!disc) {
    throw new UserError(
      `${run.dir}/config.json: the second study's score needs the run's discriminator (none in ` +
        "the config)",
    );
  }
  const seed = c.train.seed;
  const V = await openScoreVgg({
    weights: o.vggWeights,
    seed,
    widthMultiplier: o.vggWidthMultiplier,
  });
  try {
    if (V.random) {
      write(
        "warning: no --vgg-weights: the score's VGG term uses a seeded RANDOM VGG16 " +
          `(seed ${seed}), not the study's ImageNet VGG16, so the scores${
            faithful ? " (and the study's threshold 8)" : ""
          } are not comparable to the study's\n`,
      );
    }
    const nets = { model: run.model, vgg: V.vgg, disc };
    // Faithful VQGAN: the EMA codebook moves with every image, so one image at a time.
    const batch = faithful && !dcgan ? 1 : 16;
    const score = async (set: ImageSet2D, what: string, keepRecon = false) => {
      manualSeed(seed); // the DCGAN's z (nothing else draws)
      const bar = new ProgressBar(`score ${what}`, set.N, { quiet: o.quiet, write: o.write });
      return await scoreStack(nets, set.images, set.N, set.size, set.size, {
        batch,
        keepRecon,
        onBatch: (n) => bar.update(n),
      });
    };
    const load = (split: "val" | "test" | "all") =>
      loadImages2D(dir, { size, split, seed: d.splitSeed });
    const labelsOf = (s: ImageSet2D) => s.healthy.map((h) => (h ? 0 : 1));
    const counts = (s: ImageSet2D) => {
      const a = labelsOf(s).reduce((x: number, y) => x + y, 0);
      return `${s.N - a} healthy, ${a} anomalous`;
    };

    let threshold: number, direction: Direction, source: ClassificationResult["thresholdSource"];
    const settings: Record<string, string | number | boolean> = {};
    // The baseline's threshold always comes from the validation images (no model needed).
    const valImages = await load("val");
    const valLabels = labelsOf(valImages);
    const baseThreshold = valLabels.includes(0) && valLabels.includes(1)
      ? youdenThreshold(imageMeans(valImages.images, size * size), valLabels).threshold
      : undefined;
    if (faithful) {
      threshold = STUDY_THRESHOLD;
      direction = "score-at-most";
      source = "study";
      settings.threshold = "8, the study's (its code: anomalous when score ≤ 8; chosen on test " +
        "scores by the study)";
      settings.scoreDirection = "anomalous when the score is ≤ 8 (the study's code; its text " +
        "says the opposite, and its AUC was computed on −score)";
    } else {
      const val = valImages;
      const vs = await score(val, "val");
      const vl = valLabels;
      if (!vl.includes(0) || !vl.includes(1)) {
        throw new UserError(
          `${dir}: the validation split needs healthy and anomalous images to choose the ` +
            `threshold (it has ${counts(val)})`,
        );
      }
      const y = youdenThreshold(vs.scores, vl);
      threshold = y.threshold;
      direction = "score-above";
      source = "validation";
      settings.threshold = `${threshold} (Youden's J ${y.j.toFixed(4)} = TPR ${
        y.tpr.toFixed(4)
      } − FPR ${y.fpr.toFixed(4)} on validation)`;
      settings.thresholdCriterion = "Youden's J = TPR − FPR maximised on the validation split " +
        "(midpoint to the next score); J, unlike F1, does not depend on the class mix, which " +
        "differs between the validation and test splits";
      settings.validationImages = `${val.N} (${counts(val)})`;
      const valAuc = auroc(vs.scores, vl);
      settings.scoreDirection = `anomalous when the score is high, fixed before seeing data; the ` +
        `validation AUROC of the score is ${valAuc.toFixed(4)}` +
        (valAuc < 0.5 ? ": BELOW 0.5, the score ranks anomalous images lower" : "");
      if (valAuc < 0.5) {
        write(
          `warning: the score ranks anomalous validation images below healthy ones (AUROC ` +
            `${valAuc.toFixed(4)}): the model does not separate them in the expected direction\n`,
        );
      }
    }

    const test = await load(faithful ? "all" : "test");
    const ts = await score(test, faithful ? "all images" : "test", true);
    const labels = labelsOf(test);
    const means = imageMeans(test.images, size * size);
    const anomalousClasses = test.classNames.filter((_, k) =>
      test.labels.some((l, i) => l === k && !test.healthy[i])
    );
    if (!labels.includes(0) || anomalousClasses.length === 0) {
      throw new UserError(
        `${dir}: the test images need a healthy class folder and an anomalous one (found ` +
          `${counts(test)})`,
      );
    }
    const body: Partial<EvalResult> = {
      rankings: [],
      classification: [],
      perSubject: [],
      panels: [],
      dice: [],
      fprThresholds: [],
      lesionDetection: [],
    };
    const datasets = anomalousClasses.length > 1
      ? [...anomalousClasses.map((cls) => [cls, [cls]]), ["all", anomalousClasses]]
      : anomalousClasses.map((cls) => [cls, [cls]]);
    for (const [ds, members] of datasets as [string, string[]][]) {
      const idx = test.files.map((_, i) => i).filter((i) =>
        test.healthy[i] || members.includes(test.classNames[test.labels[i]])
      );
      const s = idx.map((i) => ts.scores[i]), l = idx.map((i) => labels[i]);
      const pred = s.map((v) => predictAnomalous(v, threshold, direction));
      const cm = confusionMatrix(l, pred);
      const m = scoresFromConfusion(cm);
      const auc = auroc(s, l);
      const bs = idx.map((i) => means[i]);
      const bSummary = rankingSummary(bs, l);
      let bThreshold: { threshold: number; accuracy: number; f1: number } | undefined;
      if (baseThreshold !== undefined && !faithful) {
        const bm = scoresFromConfusion(
          confusionMatrix(l, bs.map((v) => predictAnomalous(v, baseThreshold, "score-above"))),
        );
        bThreshold = { threshold: baseThreshold, accuracy: bm.accuracy, f1: bm.f1 };
      }
      const called = pred.reduce((a: number, b) => a + b, 0);
      const degenerate = called === 0
        ? `the threshold calls every one of the ${pred.length} test images healthy`
        : called === pred.length
        ? `the threshold calls every one of the ${pred.length} test images anomalous`
        : undefined;
      body.classification!.push({
        dataset: ds,
        threshold,
        direction,
        thresholdSource: source,
        accuracy: m.accuracy,
        precision: m.precision,
        recall: m.recall,
        f1: m.f1,
        auc,
        aucNegated: auroc(s.map((v) => -v), l),
        confusion: { tn: cm.tn, fp: cm.fp, fn: cm.fn, tp: cm.tp },
        ...(degenerate ? { degenerate } : {}),
        baseline: {
          name: BASELINE_NAMES.image,
          auc: bSummary.auroc ?? NaN,
          auprc: bSummary.averagePrecision ?? NaN,
          ...(bThreshold ?? {}),
        },
      });
      const rk = ranking(ds, s, l, threshold, o.bootstrap ?? 1000);
      rk.baseline = {
        name: BASELINE_NAMES.image,
        auroc: bSummary.auroc ?? NaN,
        auprc: bSummary.averagePrecision ?? NaN,
      };
      body.rankings!.push(rk);
    }
    test.files.forEach((file, i) => {
      const t = ts.terms[i];
      const row: SubjectRow = {
        subject: file.split("/").slice(-2).join("/"),
        dataset: test.classNames[test.labels[i]],
        label: labels[i] as 0 | 1,
        score: ts.scores[i],
        predicted: predictAnomalous(ts.scores[i], threshold, direction),
        mse: t.mse,
        vggMse: t.vggMse,
        discMean: t.dMean,
        meanIntensity: means[i],
        split: test.splits[i],
        image: file,
      };
      body.perSubject!.push(row);
    });
    if (ts.codeCounts) {
      const total = ts.codeCounts.reduce((x, y) => x + y, 0);
      body.codebookUsage = Array.from(ts.codeCounts, (k) => k / Math.max(1, total));
    }
    body.panels = chandru25Panels(
      test,
      ts,
      direction,
      ts.scores.map((v) => predictAnomalous(v, threshold, direction)),
    );

    const trained = test.splits.filter((s) => s === "train").length;
    body.settings = {
      score: "0.5·mse(x, x̂) + 0.3·mse(V(x), V(x̂)) + 0.2·(1 − mean sigmoid(D(x̂)))",
      vgg: V.random
        ? `RANDOM VGG16 to conv3_3 (seed ${seed}): --vgg-weights not given, so the VGG term is ` +
          "not the study's ImageNet one"
        : `ImageNet VGG16 to conv3_3 before its ReLU from ${V.source}, fed [−1, 1] as is`,
      ...(o.vggWidthMultiplier !== undefined && o.vggWidthMultiplier !== 1
        ? { vggWidthMultiplier: o.vggWidthMultiplier }
        : {}),
      discriminator: `${c.discriminator?.name} (eval mode), sigmoid of its patch logits, mean`,
      reconstruction: dcgan
        ? `G(z), z ~ N(0, 1) seeded (seed ${seed}), one per image: the DCGAN ignores x`
        : faithful
        ? "model.reconstruct(x) one image at a time in the loader's order (sorted paths): the " +
          "EMA codebook updates at test time from zero EMA state, as the study's code did"
        : "model.reconstruct(x) in batches of 16 (codebook frozen)",
      direction: direction === "score-at-most"
        ? "anomalous when score ≤ threshold (the study's code; its text says the opposite)"
        : "anomalous when score > threshold",
      ...settings,
      testImageSize: `${size}×${size}` +
        (size !== trainSize
          ? ` (training was at ${trainSize}×${trainSize}: the study's code tests at 128)`
          : dcgan && faithful
          ? " (the DCGAN generates 64×64 only, so not the study's 128)"
          : " (the training resolution)"),
      preprocessing: "decode, grey (replicated to 3 channels), bilinear resize, x·2 − 1 " +
        "(the data layer's loadImages2D)",
      testImages: faithful
        ? `every image of ${dir} (split "all", ${test.N}: ${counts(test)}); ${trained} healthy ` +
          "test images are training images, as in the study's code"
        : `the test split (${test.N}: ${counts(test)}), disjoint from training and validation`,
      auc: "auc = AUROC of the score (high = anomalous); aucNegated = AUROC of −score, what the " +
        "study's code computed",
      baseline: `${BASELINE_NAMES.image} of the test image as the score (no model), anomalous ` +
        "when above " +
        (faithful
          ? "its threshold: AUC and AUPRC only (the faithful test set includes the validation " +
            "images its threshold would come from)"
          : `${baseThreshold?.toPrecision(6) ?? "–"} (Youden's J on the validation images)`),
      thresholdScope: "one threshold for every anomalous class",
      bootstrap: (o.bootstrap ?? 1000) > 0
        ? `${o.bootstrap ?? 1000} stratified resamples (AUROC 95 % interval)`
        : "off",
    };
    const thresholds: Chandru25Thresholds = {
      protocol: "chandru25",
      threshold,
      direction,
      thresholdSource: source,
      ...(source === "validation" ? { criterion: "youden-j" as const } : {}),
      imageSize: size,
      score: { weights: CHANDRU25_WEIGHTS, vgg: V.source },
      createdBy: "neurad eval",
      checkpoint: run.checkpointPath,
    };
    return { body, thresholds };
  } finally {
    V.vgg.dispose();
  }
}

function ranking(
  dataset: string,
  scores: number[],
  labels: number[],
  threshold: number,
  bootstrap: number,
): RankingResult {
  const s = rankingSummary(scores, labels, { maxCurvePoints: 500 });
  const healthy: number[] = [], anomalous: number[] = [];
  scores.forEach((v, i) => (labels[i] ? anomalous : healthy).push(v));
  const ci = bootstrap > 0 ? bootstrapAurocCI(scores, labels, { iterations: bootstrap }) : null;
  return {
    level: "sample",
    dataset,
    auroc: s.auroc ?? NaN,
    auprc: s.averagePrecision ?? NaN,
    ...(ci ? { aurocCi: [ci.lower, ci.upper] as [number, number] } : {}),
    roc: { fpr: s.rocCurve?.x ?? [], tpr: s.rocCurve?.y ?? [] },
    pr: { recall: s.prCurve?.x ?? [], precision: s.prCurve?.y ?? [] },
    scores: { healthy: sub(healthy, 5000), anomalous: sub(anomalous, 5000) },
    threshold,
    positives: s.positives,
    negatives: s.n - s.positives,
  };
}
