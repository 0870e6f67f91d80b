/**
 * Evaluation metrics and post-processing for unsupervised anomaly detection in brain MRI, exact to
 * scikit-learn, SciPy and scikit-image. Pure TypeScript over TypedArrays. Conventions (axes,
 * thresholds, empty masks, one-class labels) are documented in docs/eval.md.
 *
 * @example
 * ```ts
 * import { auroc, averagePrecision } from "./src/eval/mod.ts";
 * auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.75
 * ```
 * @module
 */
export { hashU32, hashUniform, lowbias32 } from "../util/prng.ts";
export * from "./sorted_scores.ts";
export * from "./binary_clf_curve.ts";
export * from "./roc.ts";
export * from "./precision_recall.ts";
export type { Labels, Scores } from "./_validate.ts";
export * from "./score_histogram.ts";
export * from "./confusion_matrix.ts";
export * from "./classification_scores.ts";
export * from "./residual.ts";
export * from "./median_filter.ts";
export * from "./binary_erosion.ts";
export * from "./connected_components.ts";
export * from "./quantile.ts";
export * from "./histogram.ts";
export * from "./threshold_search.ts";
export * from "./youden_threshold.ts";
export * from "./bootstrap.ts";
export * from "./bootstrap_auroc.ts";
export * from "./lesion_detection.ts";
export * from "./ranking_summary.ts";
export * from "./evaluate_levels.ts";
export * from "./evaluate_classification.ts";
export * from "./evaluate_pixel_wise.ts";
