// The report's distribution and training charts say what they plot: pixel histograms of groups
// sampled to the same cap show each group's share (both groups' bars sum to the same height, not
// 100 : 1) and say how many of how many items they show; a handful of subjects is a strip plot,
// one dot each; axes carry titles with units and three to eight ticks; training curves say
// what each term is and title its y axis with the unit; codebook usage states codes used and perplexity.

import { deepStrictEqual, ok as assert, strictEqual } from "node:assert";
import type { RankingResult } from "../../src/report/eval_result.ts";
import { niceTicks, scoreHistogram } from "../../src/report/charts/histogram.ts";
import {
  familyOf,
  trainingChart,
  usageChart,
  usageStats,
} from "../../src/report/charts/training.ts";

function ranking(
  level: RankingResult["level"],
  healthy: number[],
  anomalous: number[],
  negatives = healthy.length,
  positives = anomalous.length,
): RankingResult {
  return {
    level,
    dataset: "brats",
    auroc: 0.8,
    auprc: 0.5,
    roc: { fpr: [], tpr: [] },
    pr: { recall: [], precision: [] },
    scores: { healthy, anomalous },
    threshold: level === "pixel" ? 0.4 : undefined,
    positives,
    negatives,
  };
}

/** Summed bar heights (px) per fill colour in a chart's rect marks. */
function barHeights(svg: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of svg.matchAll(/d="M[\d.-]+,[\d.-]+h[\d.-]+v([\d.-]+)h[\d.-]+Z" fill="(#\w+)"/g)) {
    out.set(m[2], (out.get(m[2]) ?? 0) + Number(m[1]));
  }
  return out;
}

Deno.test("pixel histogram: each group's share per bin, the sample stated", async () => {
  // 2,000 of 2,000,000 healthy pixels (a sample) against all 40 lesion pixels.
  const healthy = Array.from({ length: 2000 }, (_, i) => 0.05 + 0.3 * ((i * 7919) % 2000) / 2000);
  const anomalous = Array.from({ length: 40 }, (_, i) => 0.3 + i / 100);
  const svg = await scoreHistogram(
    ranking("pixel", healthy, anomalous, 2_000_000, 40),
    "post-processed residual (normalised intensity)",
  );
  const h = barHeights(svg);
  const blue = h.get("#4c78a8")!, red = h.get("#e45756")!;
  assert(blue > 0 && red > 0, JSON.stringify([...h]));
  // Shares: both groups' bars add up to 100 % (same summed height), whatever their counts.
  assert(Math.abs(blue - red) < 1, `healthy ${blue} px vs anomalous ${red} px`);
  assert(svg.includes("healthy: 2,000 of 2,000,000 pixels (an even sample)"), "sample stated");
  assert(svg.includes("anomalous: all 40 pixels"));
  assert(svg.includes("share of the group's pixels (%)"), "y title with unit");
  assert(svg.includes("post-processed residual (normalised intensity)"), "x title with unit");
  // The threshold rule is drawn.
  assert(svg.includes('class="mark-rule'), "threshold");
});

Deno.test("sample-wise scores of a handful of subjects: a strip plot, one dot each", async () => {
  const svg = await scoreHistogram(
    ranking("sample", [0.067, 0.0672, 0.0724], [0.0655, 0.0721, 0.0777, 0.0779, 0.0831]),
    "volume score: mean slice |x − x̂| (normalised intensity)",
  );
  assert(!svg.includes('class="mark-rect'), "no bars");
  const dots = svg.split('class="mark-symbol role-mark')[1].split("</g>")[0];
  strictEqual((dots.match(/aria-roledescription="point"/g) ?? []).length, 8, "8 subjects");
  assert(svg.includes("one dot per subject"));
  // Three to eight ticks on the score axis.
  const ticks = svg.split('class="mark-text role-axis-label')[1].split("</g>")[0];
  const n = (ticks.match(/<text/g) ?? []).length;
  assert(n >= 3 && n <= 8, `${n} ticks`);
  // Sampled sample-level scores (more subjects than kept) stay a histogram of shares.
  const many = await scoreHistogram(ranking("sample", [0.1, 0.2], [0.3], 100, 60), "score");
  assert(many.includes('class="mark-rect'), "histogram for a sample");
});

Deno.test("niceTicks: three to eight round values inside the data's range", () => {
  deepStrictEqual(niceTicks([0.0612, 0.0731]), [0.062, 0.064, 0.066, 0.068, 0.07, 0.072]);
  deepStrictEqual(niceTicks([0, 0.58]), [0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  deepStrictEqual(niceTicks([0.0655, 0.0831]), [0.07, 0.075, 0.08]);
  for (const [lo, hi] of [[0, 1], [3, 1e6], [-2.5, 7.3], [0.0655, 0.0831], [1, 1.0001]]) {
    const t = niceTicks([lo, hi]);
    assert(t.length >= 3 && t.length <= 8, `${lo}..${hi}: ${t}`);
    assert(t[0] >= lo && t.at(-1)! <= hi, `${lo}..${hi}: ${t}`);
  }
  deepStrictEqual(niceTicks([3]), [3]);
  deepStrictEqual(niceTicks([]), []);
});

Deno.test("training curves: each term said, its y axis titled with the unit, x the step", async () => {
  const log = [
    { step: 10, epoch: 0, loss: 2, l1: 3000, kl: 20, lr: 0.003 },
    { step: 20, epoch: 0, loss: 1, l1: 1600, kl: 30 },
    { step: 20, epoch: 0, valLoss: 0.09 },
  ];
  const svg = (await trainingChart(log, familyOf("reddipalli22-vae")))!;
  for (
    const t of [
      "the optimised total",
      "Σ|x − x̂| per image",
      "KL divergence per image",
      "mean |x − x̂|, validation slices",
    ]
  ) assert(svg.includes(t), t);
  // y axes: units.
  for (const u of ["loss (unitless)", "intensity", "nats"]) assert(svg.includes(`>${u}</text>`), u);
  assert((svg.match(/>step<\/text>/g) ?? []).length === 4, "x titled step in each chart");
  assert(!svg.includes(">lr<"), "the learning rate is no loss term");
  strictEqual(familyOf("reddipalli22-vqvae"), "vqvae");
  strictEqual(familyOf("chandru25-vqgan"), "vqgan");
  const vq = (await trainingChart([{ step: 1, mse: 0.1, perplexity: 40, odd: 1 }], "vqvae"))!;
  assert(vq.includes(">intensity²</text>") && vq.includes(">codes</text>"));
  assert(vq.includes(">as logged</text>"), "an unknown term says it is shown as logged");
});

Deno.test("codebook usage: share per code, codes used and perplexity", async () => {
  const usage = [0.5, 0.25, 0.25, 0];
  deepStrictEqual(usageStats(usage).used, 3);
  assert(Math.abs(usageStats([0.25, 0.25, 0.25, 0.25]).perplexity - 4) < 1e-12);
  const svg = await usageChart(usage);
  assert(svg.includes("3 of 4 codes used"), "codes used");
  assert(svg.includes("share of test latents (%)") && svg.includes("code index"));
});
