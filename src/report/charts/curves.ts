// ROC and precision–recall curves of every dataset at one level (sample, slice or pixel), one
// line per dataset, with the AUROC / AUPRC in the legend. Each curve is drawn exactly as the
// metric code computed it: the vertices are built here, in the curve's own order (an `order`
// channel keeps Vega from re-sorting them by x), and joined by straight segments. The ROC joins
// its points directly (tied scores are a diagonal, the AUROC's trapezoids); the PR curve is
// scikit-learn's step function (precision k holds from recall k+1 up to recall k, the area the
// AUPRC sums), so the area under each drawn line is the number in its legend.

import type { RankingResult } from "../eval_result.ts";
import { renderSvg } from "./render.ts";

/** One vertex of a drawn curve: x, y in data units, `i` its place along the line. */
export interface CurveVertex {
  x: number;
  y: number;
  i: number;
}

/** ROC vertices: the computed points in their order (FPR and TPR non-decreasing). */
export function rocVertices(fpr: number[], tpr: number[]): CurveVertex[] {
  return fpr.map((x, i) => ({ x, y: tpr[i], i }));
}

/**
 * PR vertices in scikit-learn's order (recall decreasing): from point k a horizontal run at
 * precision k to recall k+1, then a vertical run to precision k+1. The area under the result is
 * −Σ (recall[k+1] − recall[k])·precision[k], scikit-learn's average precision.
 */
export function prVertices(recall: number[], precision: number[]): CurveVertex[] {
  const out: CurveVertex[] = [];
  const push = (x: number, y: number) => {
    const last = out.at(-1);
    if (!last || last.x !== x || last.y !== y) out.push({ x, y, i: out.length });
  };
  for (let k = 0; k < recall.length; k++) {
    push(recall[k], precision[k]);
    if (k + 1 < recall.length) push(recall[k + 1], precision[k]);
  }
  return out;
}

/** Axis of a rate on [0, 1] with ticks every 0.1 and a fixed two-decimal format. */
const rateAxis = (title: string) => ({
  field: "x",
  type: "quantitative",
  title,
  scale: { domain: [0, 1], nice: false },
  axis: { values: [0, 0.2, 0.4, 0.6, 0.8, 1], format: ".1f", grid: true },
});

function curveChart(
  values: (CurveVertex & { curve: string })[],
  title: string,
  xTitle: string,
  yTitle: string,
  extra: Record<string, unknown>[] = [],
): Promise<string> {
  return renderSvg({
    title,
    width: 260,
    height: 220,
    layer: [
      {
        data: { values },
        mark: { type: "line", interpolate: "linear" },
        encoding: {
          x: rateAxis(xTitle),
          y: { ...rateAxis(yTitle), field: "y" },
          order: { field: "i", type: "quantitative" },
          color: { field: "curve", type: "nominal", title: null, legend: { orient: "bottom" } },
        },
      },
      ...extra,
    ],
  });
}

export function rocChart(rows: RankingResult[], title: string): Promise<string> {
  const values = rows.flatMap((r) =>
    rocVertices(r.roc.fpr, r.roc.tpr).map((v) => ({
      ...v,
      curve: `${r.dataset} (AUROC ${pct(r.auroc)} %)`,
    }))
  );
  return curveChart(values, title, "false-positive rate (fraction)", "true-positive rate", [{
    data: { values: [{ a: 0, b: 0 }, { a: 1, b: 1 }] },
    mark: { type: "line", strokeDash: [4, 4], color: "#999" },
    encoding: {
      x: { field: "a", type: "quantitative" },
      y: { field: "b", type: "quantitative" },
    },
  }]);
}

export function prChart(rows: RankingResult[], title: string): Promise<string> {
  const values = rows.flatMap((r) =>
    prVertices(r.pr.recall, r.pr.precision).map((v) => ({
      ...v,
      curve: `${r.dataset} (AUPRC ${pct(r.auprc)} %)`,
    }))
  );
  return curveChart(values, title, "recall (fraction of positives)", "precision (fraction)");
}

export const pct = (v: number) => (Number.isFinite(v) ? (100 * v).toFixed(2) : "–");
