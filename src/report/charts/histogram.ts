// Score distributions, healthy against anomalous, with the decision threshold as a rule. The
// result keeps at most a few thousand scores per group, sampled evenly: pixel-level groups differ
// by orders of magnitude and are sampled to the same cap, so counts would show false
// proportions. Histograms therefore plot each group's share of its own items per bin (each
// group's bars sum to 100 %), and say how many of how many items they show. With a handful of
// items (sample-wise: subjects or images) a histogram says little: a strip plot draws one dot
// per item instead.

import type { RankingResult } from "../eval_result.ts";
import { renderSvg, type VlSpec } from "./render.ts";

/** At most this many items in all: a strip plot, one dot each. */
export const STRIP_MAX = 40;

/**
 * Round tick values spanning the data: the step of 1, 2 or 5 × 10^k whose ticks inside
 * [min, max] number closest to five (on a tie the larger step), so three to eight labels that
 * fit a small chart (a single value: itself; none finite: none).
 */
export function niceTicks(xs: number[]): number[] {
  let lo = Infinity, hi = -Infinity;
  for (const x of xs) if (Number.isFinite(x)) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
  if (!(hi > lo)) return Number.isFinite(lo) ? [lo] : [];
  const ticks = (step: number) => {
    const out: number[] = [];
    for (let k = Math.ceil(lo / step); k * step <= hi + 1e-9 * step; k++) {
      out.push(Number((k * step).toPrecision(12)));
    }
    return out;
  };
  let best: number[] = [];
  for (let p = 10 ** Math.ceil(Math.log10(hi - lo));; p /= 10) {
    for (const m of [5, 2, 1]) {
      const t = ticks(m * p);
      if (t.length > 10) return best;
      if (Math.abs(t.length - 5) < Math.abs(best.length - 5)) best = t;
    }
  }
}

/** "pixels", "slices", "subjects" (2D: "images"). */
export function itemName(level: RankingResult["level"], twoD = false): string {
  return level === "pixel" ? "pixels" : level === "slice" ? "slices" : twoD ? "images" : "subjects";
}

const n = (v: number) => v.toLocaleString("en");

/** ["healthy: 5,000 of 2,000,000 pixels (an even sample)", "anomalous: all 812 pixels"]. */
export function sampleNote(r: RankingResult, twoD = false): string[] {
  const one = (name: string, shown: number, total: number) =>
    shown < total
      ? `${name}: ${n(shown)} of ${n(total)} ${itemName(r.level, twoD)} (an even sample)`
      : `${name}: all ${n(total)} ${itemName(r.level, twoD)}`;
  return [
    one("healthy", r.scores.healthy.length, r.negatives),
    one("anomalous", r.scores.anomalous.length, r.positives),
  ];
}

const GROUP_COLOUR = {
  field: "group",
  type: "nominal",
  scale: { domain: ["healthy", "anomalous"], range: ["#4c78a8", "#e45756"] },
  legend: { orient: "bottom", title: null },
};

/** The Vega-Lite spec of one ranking's score chart; `scoreTitle` names the score and its unit. */
export function scoreChartSpec(r: RankingResult, scoreTitle: string, twoD = false): VlSpec {
  const values = [
    ...r.scores.healthy.map((s) => ({ score: s, group: "healthy" })),
    ...r.scores.anomalous.map((s) => ({ score: s, group: "anomalous" })),
  ];
  const xAxis = { values: niceTicks(values.map((v) => v.score)), format: ".3~g" };
  const rule = r.threshold !== undefined && Number.isFinite(r.threshold)
    ? [{
      data: { values: [{ t: r.threshold }] },
      mark: { type: "rule", color: "black", strokeDash: [6, 3] },
      encoding: { x: { field: "t", type: "quantitative" } },
    }]
    : [];
  const complete = values.length === r.positives + r.negatives;
  if (complete && values.length <= STRIP_MAX) {
    return {
      title: {
        text: `${r.dataset}: ${r.level}-wise scores`,
        subtitle: `one dot per ${itemName(r.level, twoD).replace(/s$/, "")}`,
      },
      width: 260,
      height: 90,
      layer: [{
        data: { values },
        mark: { type: "point", filled: true, size: 60, opacity: 0.8 },
        encoding: {
          x: {
            field: "score",
            type: "quantitative",
            title: scoreTitle,
            scale: { zero: false, padding: 8 },
            axis: xAxis,
          },
          y: { field: "group", type: "nominal", title: null, sort: ["healthy", "anomalous"] },
          color: GROUP_COLOUR,
        },
      }, ...rule],
    };
  }
  return {
    title: { text: `${r.dataset}: ${r.level}-wise scores`, subtitle: sampleNote(r, twoD) },
    width: 260,
    height: 180,
    layer: [{
      data: { values },
      transform: [
        { bin: { maxbins: 40 }, field: "score", as: "bin" },
        { aggregate: [{ op: "count", as: "count" }], groupby: ["bin", "bin_end", "group"] },
        { joinaggregate: [{ op: "sum", field: "count", as: "total" }], groupby: ["group"] },
        { calculate: "datum.count / datum.total", as: "share" },
      ],
      mark: { type: "bar", opacity: 0.6 },
      encoding: {
        x: {
          field: "bin",
          bin: { binned: true },
          type: "quantitative",
          title: scoreTitle,
          // Binned axes put a label on every bin edge; without a canvas to measure text, Vega
          // cannot drop the overlapping ones, so ask for a few rounded ticks instead.
          axis: xAxis,
        },
        x2: { field: "bin_end" },
        y: {
          field: "share",
          type: "quantitative",
          stack: null,
          title: `share of the group's ${itemName(r.level, twoD)} (%)`,
          axis: { format: ".0%", tickCount: 5 },
        },
        color: GROUP_COLOUR,
      },
    }, ...rule],
  };
}

export function scoreHistogram(
  r: RankingResult,
  scoreTitle = `${r.level} score`,
  twoD = false,
): Promise<string> {
  return renderSvg(scoreChartSpec(r, scoreTitle, twoD));
}
