// The second study's image-level classification at a threshold: confusion matrix and threshold
// metrics, ROC/AUC, PR curve and per-class score histograms for plots.

import { _checkScores, type Labels, type Scores } from "../_validate.ts";
import { scoresFromConfusion } from "./classification_scores.ts";
import { confusionAtThreshold, type ConfusionMatrix } from "./confusion_matrix.ts";
import { histogram } from "./histogram.ts";
import { type RankingOptions, type RankingSummary, rankingSummary } from "./ranking_summary.ts";

export interface ClassificationReport extends RankingSummary {
  level: "classification";
  threshold: number;
  confusionMatrix: ConfusionMatrix;
  accuracy: number;
  precision: number;
  recall: number;
  specificity: number;
  f1: number;
  /** numpy.histogram of each class's scores over shared edges spanning all scores. */
  histograms: { edges: number[]; negatives: number[]; positives: number[] };
}

/** Evaluates image scores (label 1 = abnormal) at `threshold` (positive where score > threshold). */
export function evaluateClassification(
  { scores, labels, threshold, bins = 50 }: {
    scores: Scores;
    labels: Labels;
    threshold: number;
    bins?: number;
  },
  opts: RankingOptions = {},
): ClassificationReport {
  const confusion = confusionAtThreshold(scores, labels, threshold);
  _checkScores("evaluateClassification()", scores);
  const all = histogram(scores, bins);
  const range: [number, number] = [all.edges[0], all.edges[bins]];
  const pos: number[] = [], neg: number[] = [];
  for (let i = 0; i < scores.length; i++) (labels[i] === 1 ? pos : neg).push(scores[i]);
  return {
    level: "classification",
    threshold,
    confusionMatrix: confusion,
    ...scoresFromConfusion(confusion),
    ...rankingSummary(scores, labels, opts),
    histograms: {
      edges: all.edges,
      negatives: histogram(neg, bins, range).counts,
      positives: histogram(pos, bins, range).counts,
    },
  };
}
