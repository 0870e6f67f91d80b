// Score histograms, healthy against anomalous, with the decision threshold as a rule.

import type { RankingResult } from "../../eval/eval_result.ts";
import { renderSvg } from "./render.ts";

export function scoreHistogram(r: RankingResult): Promise<string> {
  const values = [
    ...r.scores.healthy.map((s) => ({ score: s, group: "healthy" })),
    ...r.scores.anomalous.map((s) => ({ score: s, group: "anomalous" })),
  ];
  const layers: Record<string, unknown>[] = [{
    mark: { type: "bar", opacity: 0.6 },
    encoding: {
      x: { field: "score", type: "quantitative", bin: { maxbins: 40 }, title: `${r.level} score` },
      y: { aggregate: "count", type: "quantitative", stack: null, title: "count" },
      color: {
        field: "group",
        type: "nominal",
        scale: { domain: ["healthy", "anomalous"], range: ["#4c78a8", "#e45756"] },
        legend: { orient: "bottom", title: null },
      },
    },
  }];
  if (r.threshold !== undefined && Number.isFinite(r.threshold)) {
    layers.push({
      data: { values: [{ t: r.threshold }] },
      mark: { type: "rule", color: "black", strokeDash: [6, 3] },
      encoding: { x: { field: "t", type: "quantitative" } },
    });
  }
  return renderSvg({
    title: `${r.dataset}: ${r.level}-wise scores`,
    width: 260,
    height: 180,
    data: { values },
    layer: layers,
  });
}
