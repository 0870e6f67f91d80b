// The ROC and PR charts draw exactly the curves the metric code computed: the vertices of each SVG
// line path, mapped back through the chart's scales, are the computed curve's points (with the
// PR curve's steps), and the area under the drawn line is the AUROC / AUPRC of the legend. Uses
// the BraTS sample-wise curve of the demo whose chart showed precision 0.57 where eval.json says 1.

import { deepStrictEqual, ok as assert } from "node:assert";
import type { RankingResult } from "../../src/report/eval_result.ts";
import { prChart, prVertices, rocChart, rocVertices } from "../../src/report/charts/curves.ts";
import { rankingSummary } from "../../src/eval/metrics/ranking_summary.ts";

const W = 260, H = 220;

/** Vertices (data units) of every line path in the first line-mark group of a chart's SVG. */
export function linePaths(svg: string): [number, number][][] {
  const group = svg.split('<g class="mark-line role-mark')[1];
  assert(group, "no line mark");
  const body = group.slice(0, group.indexOf("</g>"));
  return [...body.matchAll(/ d="([^"]*)"/g)].map((m) =>
    [...m[1].matchAll(/[ML](-?[\d.e+-]+),(-?[\d.e+-]+)/g)].map((v) =>
      [
        Number(v[1]) / W,
        1 - Number(v[2]) / H,
      ] as [number, number]
    )
  );
}

function close(a: [number, number][], b: [number, number][], what: string) {
  deepStrictEqual(a.length, b.length, `${what}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  a.forEach((p, i) =>
    assert(
      Math.abs(p[0] - b[i][0]) < 1e-4 && Math.abs(p[1] - b[i][1]) < 1e-4,
      `${what} vertex ${i}: drawn ${p} vs computed ${b[i]}`,
    )
  );
}

/** Area under a polyline (trapezoids, signed by direction, made positive). */
const area = (v: [number, number][]) =>
  Math.abs(v.slice(1).reduce((s, p, i) => s + (p[0] - v[i][0]) * (p[1] + v[i][1]) / 2, 0));

function ranking(pr: RankingResult["pr"], roc: RankingResult["roc"], auprc = NaN, auroc = NaN) {
  return {
    level: "sample",
    dataset: "brats",
    auroc,
    auprc,
    roc,
    pr,
    scores: { healthy: [], anomalous: [] },
    positives: 0,
    negatives: 0,
  } as RankingResult;
}

Deno.test("prChart: the demo's BraTS sample-wise curve is drawn as eval.json has it", async () => {
  // eval.json of the demo (5 tumour and 3 healthy test subjects, sklearn order).
  const recall = [1, 0.8, 0.8, 0.8, 0.6, 0.6, 0.4, 0.2, 0];
  const precision = [0.625, 4 / 7, 2 / 3, 0.8, 0.75, 1, 1, 1, 1];
  const svg = await prChart([ranking({ recall, precision }, { fpr: [], tpr: [] })], "PR");
  const [drawn] = linePaths(svg);
  const expected = prVertices(recall, precision).map((v) => [v.x, v.y] as [number, number]);
  close(drawn, expected, "PR");
  // Between recall 0.6 and 0.8 precision is 0.8, from 0.6 down to 0 it is 1 (never 0.57).
  for (const [x, y] of drawn) if (x < 0.8 - 1e-9) assert(y >= 0.75 - 1e-9, `${x}, ${y}`);
  // The area under the drawn line is sklearn's average precision of these points.
  const ap = -recall.slice(1).reduce((s, r, k) => s + (r - recall[k]) * precision[k], 0);
  assert(Math.abs(area(drawn) - ap) < 1e-4, `${area(drawn)} vs ${ap}`);
});

Deno.test("ROC and PR charts: drawn vertices are the computed curves, areas the metrics", async () => {
  // Ties across the classes (0.3, 0.5) and within them.
  const healthy = [0.1, 0.2, 0.3, 0.3, 0.5, 0.05];
  const anomalous = [0.3, 0.4, 0.5, 0.6, 0.7, 0.7, 0.2];
  const scores = Float32Array.from([...healthy, ...anomalous]);
  const labels = Uint8Array.from([...healthy.map(() => 0), ...anomalous.map(() => 1)]);
  const s = rankingSummary(scores, labels);
  const r = ranking(
    { recall: s.prCurve!.x, precision: s.prCurve!.y },
    { fpr: s.rocCurve!.x, tpr: s.rocCurve!.y },
    s.averagePrecision!,
    s.auroc!,
  );
  const [roc] = linePaths(await rocChart([r], "ROC"));
  close(roc, rocVertices(r.roc.fpr, r.roc.tpr).map((v) => [v.x, v.y]), "ROC");
  assert(Math.abs(area(roc) - s.auroc!) < 1e-4, `ROC area ${area(roc)} vs ${s.auroc}`);
  const [pr] = linePaths(await prChart([r], "PR"));
  close(pr, prVertices(r.pr.recall, r.pr.precision).map((v) => [v.x, v.y]), "PR");
  assert(Math.abs(area(pr) - s.averagePrecision!) < 1e-4, `PR area ${area(pr)} vs AP`);
});

Deno.test("curve charts: axes titled with their units and ticked every 0.2", async () => {
  const r = ranking({ recall: [1, 0], precision: [0.5, 1] }, { fpr: [0, 1], tpr: [0, 1] });
  const pr = await prChart([r], "PR"), roc = await rocChart([r], "ROC");
  for (const t of ["recall (fraction of positives)", "precision (fraction)"]) {
    assert(pr.includes(t), t);
  }
  assert(roc.includes("false-positive rate (fraction)") && roc.includes("true-positive rate"));
  for (const tick of ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]) {
    assert(pr.includes(`>${tick}</text>`), `tick ${tick}`);
  }
});
