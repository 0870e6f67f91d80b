// Training curves from RUN/log.jsonl: every loss term against the step (one facet per term, each
// with its own y scale), and the validation loss per epoch when present.

import { renderSvg } from "./render.ts";

export function trainingChart(log: Record<string, unknown>[]): Promise<string> | null {
  const skip = new Set([
    "step",
    "epoch",
    "stepsPerSec",
    "lr",
    "discLr",
    "valLoss",
    "time",
    "gpuLiveBuffers",
    "gpuLiveMB",
    "gpuPooledMB",
    "hostRssMB",
  ]);
  const values: { step: number; term: string; value: number }[] = [];
  for (const row of log) {
    const step = Number(row.step);
    for (const [k, v] of Object.entries(row)) {
      if (skip.has(k) || typeof v !== "number" || !Number.isFinite(v)) continue;
      values.push({ step, term: k, value: v });
    }
    if (typeof row.valLoss === "number") {
      values.push({ step, term: "validation loss", value: row.valLoss });
    }
  }
  if (!values.length) return null;
  return renderSvg({
    data: { values },
    facet: { field: "term", type: "nominal", title: null },
    columns: 3,
    spec: {
      width: 220,
      height: 130,
      mark: { type: "line", point: values.length < 60 },
      encoding: {
        x: { field: "step", type: "quantitative" },
        y: { field: "value", type: "quantitative", scale: { zero: false }, title: null },
      },
    },
    resolve: { scale: { y: "independent" } },
  });
}

export function usageChart(usage: number[]): Promise<string> {
  return renderSvg({
    title: "codebook usage on test data",
    width: 560,
    height: 140,
    data: { values: usage.map((u, k) => ({ code: k, fraction: u })) },
    mark: "bar",
    encoding: {
      x: { field: "code", type: "ordinal", axis: { labels: usage.length <= 64 } },
      y: { field: "fraction", type: "quantitative" },
    },
  });
}
