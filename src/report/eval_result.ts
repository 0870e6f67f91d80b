// The result of `neurad eval` on one run, as written to OUT/eval.json and read by the report
// builder (src/report/) and by comparison tables across runs. Plain JSON: arrays, numbers and
// strings only (curves subsampled to at most ~500 points, score lists to ~5,000 values).

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
  /** PNG data URLs (`data:image/png;base64,...`), each the same size. */
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
  [extra: string]: string | number | undefined;
}

export interface EvalResult {
  /** Absolute run directory and checkpoint evaluated. */
  run: string;
  checkpoint: "best" | "last";
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
  /** Wall time of the evaluation, seconds, and volumes (or images) per second. */
  timing: { seconds: number; itemsPerSecond: number };
  versions: { neurad: string; deno: string; adapter: string };
  /** The run's config.json as evaluated. */
  config: Record<string, unknown>;
}
