// Youden's J threshold: on validation scores and labels (1 = anomalous), the threshold t that
// maximises J = TPR − FPR with "anomalous when score > t". J does not depend on the class
// balance, so a threshold chosen on a validation split transfers to a test split whose
// healthy/anomalous mix differs. The returned t is the midpoint between the chosen score and the
// next higher one (the same predictions on the validation data, a margin on either side).

import { _checkScoresLabels, type Labels, type Scores } from "../_validate.ts";

export interface YoudenThreshold {
  threshold: number;
  j: number;
  tpr: number;
  fpr: number;
}

/** The J-maximising threshold (ties: the lowest, i.e. the most sensitive). Needs both classes. */
export function youdenThreshold(scores: Scores, labels: Labels): YoudenThreshold {
  _checkScoresLabels("youdenThreshold()", scores, labels);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let P = 0;
  for (let i = 0; i < n; i++) P += labels[i] === 1 ? 1 : 0;
  const N = n - P;
  if (P === 0 || N === 0) {
    throw new Error("youdenThreshold(): needs anomalous and healthy validation scores");
  }
  // Below every score everything is anomalous: TPR = FPR = 1, J = 0.
  const lo = scores[order[0]];
  let best: YoudenThreshold = {
    threshold: lo - Math.max(Math.abs(lo), 1) * 1e-9,
    j: 0,
    tpr: 1,
    fpr: 1,
  };
  let tpBelow = 0, fpBelow = 0; // counts with score <= the current distinct value
  for (let k = 0; k < n;) {
    const v = scores[order[k]];
    while (k < n && scores[order[k]] === v) {
      if (labels[order[k]] === 1) tpBelow++;
      else fpBelow++;
      k++;
    }
    const tpr = (P - tpBelow) / P, fpr = (N - fpBelow) / N, j = tpr - fpr;
    if (j > best.j) {
      const next = k < n ? scores[order[k]] : v;
      best = { threshold: v + (next - v) / 2, j, tpr, fpr };
    }
  }
  return best;
}
