// ROC and precision–recall curves of every dataset at one level (sample, slice or pixel), one
// line per dataset, with the AUROC / AUPRC in the legend.

import type { RankingResult } from "../eval_result.ts";
import { renderSvg } from "./render.ts";

export function rocChart(rows: RankingResult[], title: string): Promise<string> {
  const values = rows.flatMap((r) =>
    r.roc.fpr.map((x, i) => ({
      fpr: x,
      tpr: r.roc.tpr[i],
      curve: `${r.dataset} (AUROC ${pct(r.auroc)})`,
    }))
  );
  return renderSvg({
    title,
    width: 260,
    height: 220,
    data: { values },
    layer: [
      {
        mark: { type: "line", interpolate: "step-after" },
        encoding: {
          x: {
            field: "fpr",
            type: "quantitative",
            title: "false-positive rate",
            scale: { domain: [0, 1] },
          },
          y: {
            field: "tpr",
            type: "quantitative",
            title: "true-positive rate",
            scale: { domain: [0, 1] },
          },
          color: { field: "curve", type: "nominal", title: null, legend: { orient: "bottom" } },
        },
      },
      {
        data: { values: [{ a: 0, b: 0 }, { a: 1, b: 1 }] },
        mark: { type: "line", strokeDash: [4, 4], color: "#999" },
        encoding: {
          x: { field: "a", type: "quantitative" },
          y: { field: "b", type: "quantitative" },
        },
      },
    ],
  });
}

export function prChart(rows: RankingResult[], title: string): Promise<string> {
  const values = rows.flatMap((r) =>
    r.pr.recall.map((x, i) => ({
      recall: x,
      precision: r.pr.precision[i],
      curve: `${r.dataset} (AUPRC ${pct(r.auprc)})`,
    }))
  );
  return renderSvg({
    title,
    width: 260,
    height: 220,
    data: { values },
    mark: { type: "line", interpolate: "step-before" },
    encoding: {
      x: { field: "recall", type: "quantitative", scale: { domain: [0, 1] } },
      y: { field: "precision", type: "quantitative", scale: { domain: [0, 1] } },
      color: { field: "curve", type: "nominal", title: null, legend: { orient: "bottom" } },
    },
  });
}

export const pct = (v: number) => (Number.isFinite(v) ? (100 * v).toFixed(2) : "–");
