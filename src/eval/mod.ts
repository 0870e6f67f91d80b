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
export { hashU32, hashUniform, lowbias32 } from "../core/prng.ts";
export * from "./metrics/sorted_scores.ts";
export * from "./metrics/binary_clf_curve.ts";
export * from "./metrics/roc.ts";
export * from "./metrics/precision_recall.ts";
export type { Labels, Scores } from "./_validate.ts";
export * from "./metrics/score_histogram.ts";
export * from "./metrics/confusion_matrix.ts";
export * from "./metrics/classification_scores.ts";
export * from "./postprocess/residual.ts";
export * from "./postprocess/median_filter.ts";
export * from "./postprocess/binary_erosion.ts";
export * from "./postprocess/connected_components.ts";
export * from "./postprocess/postprocess_stack.ts";
export * from "../util/quantile.ts";
export * from "./metrics/histogram.ts";
export * from "./metrics/threshold_search.ts";
export * from "./metrics/youden_threshold.ts";
export * from "./metrics/bootstrap.ts";
export * from "./metrics/bootstrap_auroc.ts";
export * from "./metrics/lesion_detection.ts";
export * from "./metrics/ranking_summary.ts";
export * from "./metrics/evaluate_levels.ts";
export * from "./metrics/evaluate_classification.ts";
export * from "./metrics/evaluate_pixel_wise.ts";
