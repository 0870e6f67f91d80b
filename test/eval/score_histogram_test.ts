// ScoreHistogram / histogramRankingMetrics against the exact sort-based metrics and their bounds.

import {
  auroc,
  averagePrecision,
  histogramRankingMetrics,
  ScoreHistogram,
} from "../../src/eval/mod.ts";
import { assert, assertClose, assertThrows, rankingData } from "./_helpers.ts";

Deno.test("histogramRankingMetrics() stays within its error bound of the exact values", () => {
  const { scores, labels } = rankingData(21, 200_000, 20); // ~1.2M levels, so bins merge values
  const exactRoc = auroc(scores, labels), exactAp = averagePrecision(scores, labels);
  for (const bins of [64, 4096, 1 << 16]) {
    const h = histogramRankingMetrics(scores, labels, bins);
    const eRoc = Math.abs(h.auroc.value - exactRoc),
      eAp = Math.abs(h.averagePrecision.value - exactAp);
    assert(
      eRoc <= h.auroc.errorBound + 1e-12,
      `bins ${bins}: AUROC error ${eRoc} > ${h.auroc.errorBound}`,
    );
    assert(eAp <= h.averagePrecision.errorBound + 1e-12, `bins ${bins}: AP error ${eAp} > bound`);
    if (bins === 1 << 16) {
      assert(h.auroc.errorBound < 1e-4 && h.averagePrecision.errorBound < 1e-3, "loose");
    }
  }
});

Deno.test("ScoreHistogram is exact when every bin holds one distinct score", () => {
  const { scores, labels } = rankingData(22, 100_000, 12); // scores k/4096 in [0, 1.25)
  const h = new ScoreHistogram(0, 1.25, 5120).add(scores, labels); // bin width 1/4096
  assertClose(h.auroc().value, auroc(scores, labels), { atol: 1e-12, rtol: 1e-12, name: "auroc" });
  assertClose(h.averagePrecision().value, averagePrecision(scores, labels), {
    atol: 1e-12,
    rtol: 1e-12,
    name: "ap",
  });
});

Deno.test("ScoreHistogram.add() accumulates across calls and honours a mask", () => {
  const { scores, labels } = rankingData(23, 10_000, 10);
  const whole = new ScoreHistogram(0, 1.25, 1280).add(scores, labels);
  const mask = new Uint8Array(scores.length).fill(1);
  const parts = new ScoreHistogram(0, 1.25, 1280)
    .add(scores.subarray(0, 4000), labels.subarray(0, 4000))
    .add(scores.subarray(4000), labels.subarray(4000), mask.subarray(4000));
  assertClose(parts.auroc().value, whole.auroc().value, { atol: 0, rtol: 0, name: "auroc" });
  mask.fill(0, 0, 5000);
  const masked = new ScoreHistogram(0, 1.25, 1280).add(scores, labels, mask);
  assertClose(masked.auroc().value, auroc(scores.subarray(5000), labels.subarray(5000)), {
    atol: 1e-12,
    rtol: 0,
    name: "masked",
  });
});

Deno.test("ScoreHistogram rejects a bad range and one-class data", () => {
  assertThrows(() => new ScoreHistogram(1, 1), /hi > lo/);
  assertThrows(() => new ScoreHistogram(0, 1).add([0.5], [0]).auroc(), /no positive/);
  assertThrows(() => new ScoreHistogram(0, 1).add([0.5], [1]).auroc(), /no negative/);
  assertThrows(() => new ScoreHistogram(0, 1).add([NaN], [1]), /NaN/);
});
