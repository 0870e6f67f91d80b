// Score histograms, healthy against anomalous, with the decision threshold as a rule.

import type { RankingResult } from "../eval_result.ts";
import { renderSvg } from "./render.ts";

/** About five round values spanning the data (1, 2 or 5 × 10^k steps). */
export function niceTicks(xs: number[]): number[] {
  let lo = Infinity, hi = -Infinity;
  for (const x of xs) if (Number.isFinite(x)) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
  if (!(hi > lo)) return Number.isFinite(lo) ? [lo] : [];
  const raw = (hi - lo) / 4, p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-12 * step; t += step) {
    out.push(Number(t.toPrecision(12)));
  }
  return out;
}

export function scoreHistogram(r: RankingResult): Promise<string> {
  const values = [
    ...r.scores.healthy.map((s) => ({ score: s, group: "healthy" })),
    ...r.scores.anomalous.map((s) => ({ score: s, group: "anomalous" })),
  ];
  const layers: Record<string, unknown>[] = [{
    mark: { type: "bar", opacity: 0.6 },
    encoding: {
      x: {
        field: "score",
        type: "quantitative",
        bin: { maxbins: 40 },
        title: `${r.level} score`,
        // Binned axes put a label on every bin edge; without a canvas to measure text, Vega cannot
        // drop the overlapping ones, so ask for a few rounded ticks instead.
        axis: { values: niceTicks(values.map((v) => v.score)), format: ".3~g" },
      },
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
