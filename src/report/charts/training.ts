// Training curves from RUN/log.jsonl: every loss term against the step, one small chart per term
// with its own y scale and a y title naming what the term is and its unit (the family's loss
// definitions, src/train/loss_steps.ts), and the validation loss per epoch when present; and the
// codebook usage of a VQ model's test latents (the share of latents each code takes).

import { renderSvg } from "./render.ts";

/** Model family as the report knows it (from the model name). */
export type Family = "vae" | "vqvae" | "vqgan" | "dcgan" | "unknown";

/** "reddipalli22-vqvae" → "vqvae"; the demo's VAE → "vae". */
export function familyOf(modelName: string): Family {
  const m = modelName.match(/(vqvae|vqgan|dcgan|vae)\b/);
  return m ? (m[1] as Family) : "unknown";
}

const SKIP = new Set([
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

/** The y title of a logged term: what it is and its unit. */
export function termTitle(term: string, family: Family): string {
  const l1 = family === "vae" ? "Σ|x − x̂| per image (intensity)" : "mean |x − x̂| (intensity)";
  const titles: Record<string, string> = {
    loss: "total loss (optimised)",
    l1,
    kl: "KL divergence per image (nats)",
    mse: "mean (x − x̂)² (intensity²)",
    vq: "weighted VQ loss (latent units²)",
    codebook: "codebook loss ‖sg[z] − e‖² (latent²)",
    commitment: "commitment ‖z − sg[e]‖² (latent²)",
    perplexity: "perplexity (codes)",
    codebookUsage: "codes used in the batch (fraction)",
    perceptual: "perceptual loss (feature units²)",
    gan: "generator adversarial loss",
    disc: "discriminator loss",
    lambda: "adaptive adversarial weight λ",
    "validation loss": family === "vqvae"
      ? "validation mean (x − x̂)² (intensity²)"
      : "validation mean |x − x̂| (intensity)",
  };
  return titles[term] ?? `${term} (as logged)`;
}

export function trainingChart(
  log: Record<string, unknown>[],
  family: Family = "unknown",
): Promise<string> | null {
  const byTerm = new Map<string, { step: number; value: number }[]>();
  const add = (term: string, step: number, value: number) => {
    if (!byTerm.has(term)) byTerm.set(term, []);
    byTerm.get(term)!.push({ step, value });
  };
  for (const row of log) {
    const step = Number(row.step);
    for (const [k, v] of Object.entries(row)) {
      if (SKIP.has(k) || typeof v !== "number" || !Number.isFinite(v)) continue;
      add(k, step, v);
    }
    if (typeof row.valLoss === "number" && Number.isFinite(row.valLoss)) {
      add("validation loss", step, row.valLoss);
    }
  }
  if (!byTerm.size) return null;
  return renderSvg({
    columns: 3,
    concat: [...byTerm].map(([term, values]) => ({
      title: term,
      width: 220,
      // Tall enough for the rotated y title (the term and its unit) to fit beside the plot.
      height: 170,
      data: { values },
      mark: { type: "line", point: values.length < 60 },
      encoding: {
        x: { field: "step", type: "quantitative", title: "step", axis: { tickCount: 5 } },
        y: {
          field: "value",
          type: "quantitative",
          scale: { zero: false },
          title: termTitle(term, family),
          axis: { tickCount: 5, titleFontSize: 10 },
        },
      },
    })),
  });
}

/** Codes with any use, and the perplexity exp(−Σ p log p) of the usage distribution. */
export function usageStats(usage: number[]): { used: number; perplexity: number } {
  let h = 0, used = 0;
  for (const p of usage) {
    if (p > 0) {
      used++;
      h -= p * Math.log(p);
    }
  }
  return { used, perplexity: Math.exp(h) };
}

export function usageChart(usage: number[]): Promise<string> {
  const { used, perplexity } = usageStats(usage);
  return renderSvg({
    title: {
      text: "codebook usage on the test data",
      subtitle: `${used} of ${usage.length} codes used · perplexity ${
        perplexity.toFixed(1)
      } codes (all used evenly: ${usage.length})`,
    },
    width: 560,
    height: 140,
    data: { values: usage.map((u, k) => ({ code: k, share: u })) },
    mark: { type: "bar", width: Math.max(1, Math.min(8, 520 / usage.length)) },
    encoding: {
      x: {
        field: "code",
        type: "quantitative",
        title: "code index",
        scale: { domain: [-0.5, usage.length - 0.5], nice: false },
        axis: { tickCount: 8, format: "d" },
      },
      y: {
        field: "share",
        type: "quantitative",
        title: "share of test latents (%)",
        axis: { format: ".1%", tickCount: 5 },
      },
    },
  });
}
