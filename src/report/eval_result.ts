// The result of `neurad eval` on one run, as written to OUT/eval.json and read by the report
// builder (src/report/) and by comparison tables across runs. Plain JSON: arrays, numbers and
// strings only (curves subsampled to at most ~500 points, score lists to ~5,000 values). Besides
// the metrics it records what a reader needs to judge them: the checkpoint evaluated, whether
// thresholds were pooled over datasets, each metric's no-model baseline, and rows whose threshold
// is degenerate. Fields added after the first version are optional, so older files still read.

/** How pixel thresholds were chosen: one over every pathological validation subject, or one per
 * pathology dataset from that dataset's validation subjects. */
export type ThresholdScope = "pooled" | "per-dataset";

/** A metric's no-model baseline, scored with the same metric code as the model. */
export interface RankingBaseline {
  /** What the baseline scores, e.g. "brain area of the slice". */
  name: string;
  auroc: number;
  auprc: number;
}

/** One ranking evaluation (sample-, slice- or pixel-wise) on one test dataset. */
export interface RankingResult {
  level: "sample" | "slice" | "pixel";
  /** Test dataset name, e.g. "brats", "atlas" (healthy test subjects pooled with it). */
  dataset: string;
  auroc: number;
  auprc: number;
  /** Bootstrap 95 % intervals [lo, hi] (over subjects), when computed. */
  aurocCi?: [number, number];
  auprcCi?: [number, number];
  roc: { fpr: number[]; tpr: number[] };
  pr: { recall: number[]; precision: number[] };
  /** Scores of the negatives and positives (subsampled) for histograms. */
  scores: { healthy: number[]; anomalous: number[] };
  /** The decision threshold drawn on the histogram, if the level has one. */
  threshold?: number;
  positives: number;
  negatives: number;
  /** The level's no-model baseline on the same items. */
  baseline?: RankingBaseline;
}

/** Pixel-wise segmentation quality at a threshold chosen on validation data. */
export interface DiceResult {
  dataset: string;
  /** Post-processing label, e.g. "median 9×9" or "median 5×5". */
  filter: string;
  /** Threshold chosen on the validation split. */
  threshold: number;
  /** Pooled Dice over all test voxels at that threshold (the study's DICE_T, done right). */
  diceT: number;
  /** Mean ± std of per-volume Dice (DICE_S) with a bootstrap 95 % interval. */
  diceS: { mean: number; std: number; ci?: [number, number] };
  /** Threshold and pooled Dice re-optimised on the test set: reported as an oracle, never as the
   * result (the first study's code did this). */
  oracle?: { threshold: number; diceT: number };
  thresholdScope?: ThresholdScope;
  /** Which validation subjects chose the threshold, e.g. "4 brats+atlas validation subjects". */
  thresholdFrom?: string;
  /** Share of the in-brain voxels above the threshold: the test subjects' and the validation
   * subjects' that chose it. */
  maskFraction?: number;
  validationMaskFraction?: number;
  /** Set when the threshold marks more than half of the brain: the row is not a result. */
  degenerate?: string;
  /** 3D components under this many voxels removed before each volume's Dice (DICE_S). */
  minComponentSize?: number;
  /** The no-model baseline (the intensity map, post-processed like the residual, its threshold
   * chosen the same way on the same validation subjects). */
  baseline?: {
    name: string;
    threshold: number;
    diceT: number;
    diceS: { mean: number; std: number };
    maskFraction: number;
    degenerate?: string;
  };
}

/** Thresholds at a fixed false-positive rate on healthy validation data, applied to test data. */
export interface FprThresholdResult {
  dataset: string;
  /** Target healthy FPR, e.g. 0.01. */
  fpr: number;
  threshold: number;
  /** Measured on test data. */
  testFpr: number;
  tpr: number;
  dice?: number;
}

/** Lesion-level detection (connected components), optionally by lesion size stratum. */
export interface LesionDetectionResult {
  dataset: string;
  stratum: string;
  lesions: number;
  detected: number;
  sensitivity: number;
  falsePositivesPerVolume: number;
  /** The main threshold's Dice row is degenerate: detection at it means nothing. */
  degenerate?: string;
}

/** Image-level classification (the second study's protocol). */
export interface ClassificationResult {
  dataset: string;
  threshold: number;
  /** "score-above" = anomalous when score > threshold; "score-at-most" = the study's code. */
  direction: "score-above" | "score-at-most";
  /** How the threshold was chosen: "study" (fixed 8), "validation". */
  thresholdSource: "study" | "validation";
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** AUC of the score and of −score (the study computed the latter). */
  auc: number;
  aucNegated: number;
  confusion: { tn: number; fp: number; fn: number; tp: number };
  /** Set when the threshold calls every test image one class: the row is not a result. */
  degenerate?: string;
  /** The no-model baseline (image mean intensity, anomalous when above its threshold): AUC and
   * AUPRC on the same images; accuracy and F1 where its threshold came from validation images. */
  baseline?: {
    name: string;
    auc: number;
    auprc: number;
    threshold?: number;
    accuracy?: number;
    f1?: number;
  };
}

/** One reconstruction panel (the first study's Fig. 5.2): one axial slice of one subject. */
export interface PanelResult {
  subject: string;
  dataset: string;
  /**
   * Why this subject was shown: by per-subject Dice (3D runs), or for 2D runs the anomalous
   * images scored most / median / least anomalous, and "healthy": the healthy image scored
   * most anomalous.
   */
  rank: "best" | "median" | "worst" | "healthy";
  dice?: number;
  /** 2D runs: the image's score and whether it was called anomalous. */
  score?: number;
  predicted?: 0 | 1;
  slice: number;
  /** Which side of the patient each image edge shows (e.g. L, R, A, P); absent where the
   * images carry no orientation (2D image files). */
  orientation?: { left: string; right: string; top: string; bottom: string };
  /** The grey scale of the residual and post-processed images: black = lo, white = hi. */
  residualScale?: { lo: number; hi: number; unit: string };
  /** PNG data URLs (`data:image/png;base64,...`), each the same size (at least 256 px a side). */
  images: {
    input: string;
    reconstruction: string;
    residual: string;
    postprocessed?: string;
    thresholded?: string;
    groundTruth?: string;
  };
}

/** One row per test subject (2D runs: per test image, `subject` = "class/file"). */
export interface SubjectRow {
  subject: string;
  dataset: string;
  label: 0 | 1;
  score: number;
  dice?: number;
  lesionVoxels?: number;
  /** The evaluated lesion voxels in cm³ (preprocessed-grid voxel volume from the scan's affine). */
  lesionCm3?: number;
  /** The lesion voxels of the scan's own mask, where none are left after preprocessing. */
  lesionVoxelsInScan?: number;
  [extra: string]: string | number | undefined;
}

/** The checkpoint evaluated and why. */
export interface CheckpointDetail {
  /** What was asked for ("best" falls back to "last" when the run has no best checkpoint). */
  requested: "best" | "last";
  path: string;
  step: number;
  epoch: number;
  /** How these weights were chosen, against what the studies report (their final weights). */
  note: string;
}

/** One metric of a seed study: its mean and spread over the seeds and each seed's value. */
export interface SeedMetric {
  /** The table it belongs to. */
  table: "ranking" | "dice" | "classification" | "fpr" | "detection";
  dataset: string;
  /** The row within the table: level (sample/slice/pixel), Dice filter, FPR, lesion stratum. */
  row: string;
  /** e.g. "AUROC", "baseline AUROC", "DICE_T", "F1", "TP". */
  metric: string;
  /** Over the seeds where the value is a result (not degenerate, not missing). */
  mean: number | null;
  /** Sample standard deviation over those seeds (n − 1); null with fewer than two. */
  std: number | null;
  /** Per seed, in the order of SeedSpread.seeds; null where missing or degenerate. */
  values: (number | null)[];
  /** Seeds whose row is degenerate (their value is no result and is left out). */
  degenerateSeeds?: number[];
}

/** A seed study's evaluation (one preset trained once per seed): the spread of every metric. */
export interface SeedSpread {
  seeds: number[];
  /** Each seed's run directory, in the order of seeds. */
  runs: string[];
  /** The seed whose curves, histograms, panels and per-subject panels the report shows. */
  shownSeed: number;
  metrics: SeedMetric[];
}

export interface EvalResult {
  /** Absolute run directory and the checkpoint evaluated (the file actually loaded). */
  run: string;
  checkpoint: "best" | "last";
  checkpointDetail?: CheckpointDetail;
  /** How the pixel (2D: image) thresholds were chosen. */
  thresholdScope?: ThresholdScope;
  preset: string;
  mode: "faithful" | "corrected";
  model: { name: string; options: Record<string, unknown>; parameters: number };
  protocol: "reddipalli22" | "chandru25";
  /** Evaluation choices actually applied (residual kind, median filter, erosion, mask resize...). */
  settings: Record<string, string | number | boolean>;
  rankings: RankingResult[];
  dice: DiceResult[];
  fprThresholds: FprThresholdResult[];
  lesionDetection: LesionDetectionResult[];
  classification: ClassificationResult[];
  panels: PanelResult[];
  /** Fraction of test latents assigned to each code (VQ families). */
  codebookUsage?: number[];
  perSubject: SubjectRow[];
  /** What a reader must know that no metric shows, one line each: e.g. a positive test subject
   * whose lesion vanished in preprocessing, and what the protocol did with it. */
  warnings?: string[];
  /** Wall time of the evaluation, seconds, and volumes (or images) per second. */
  timing: { seconds: number; itemsPerSecond: number };
  versions: { neurad: string; deno: string; adapter: string };
  /** The run's config.json as evaluated. */
  config: Record<string, unknown>;
  /** Set for a seed study: every table's numbers are means over the seeds; here the spread. */
  seeds?: SeedSpread;
}
